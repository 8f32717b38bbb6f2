"""What console pages read: the platform's services, the case library, and the console's zone."""

from datetime import tzinfo
from typing import TYPE_CHECKING

from starlette.requests import Request

from dacu.domain.campaigns import Campaign, UnknownCampaign

if TYPE_CHECKING:
    from dacu.bootstrap import Platform
    from dacu.services.review import Cases


class PageMissing(LookupError):
    """The page is about something that does not exist."""


def backend(request: Request) -> "Platform":
    """The platform the API's app was built with."""
    found: Platform = request.app.state.platform
    return found


def zone_of(found: "Platform") -> tzinfo:
    """The zone the clock runs in: times on pages read as the operators' own."""
    now = found.clock()
    assert now.tzinfo is not None  # the clock is aware
    return now.tzinfo


def campaign_of(found: "Platform", campaign_id: str) -> Campaign:
    try:
        return found.campaigns.campaign(campaign_id)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None


def case_library(request: Request) -> "Cases":
    return backend(request).cases
