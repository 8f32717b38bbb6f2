"""What console pages read: the API's stores, the case library, and the console's zone."""

from datetime import tzinfo
from typing import TYPE_CHECKING

from starlette.requests import Request

from dacu.adapters.campaign_store import UnknownCampaign
from dacu.adapters.case_store import SqlCaseStore
from dacu.domain.campaigns import Campaign

if TYPE_CHECKING:  # the API's app mounts the console: importing its package here would loop
    from dacu.entrypoints.api.context import Backend


class PageMissing(LookupError):
    """The page is about something that does not exist."""


def backend(request: Request) -> "Backend":
    """The stores the API's app was built with."""
    found: Backend = request.app.state.backend
    return found


def zone_of(found: "Backend") -> tzinfo:
    """The zone the clock runs in: times on pages read as the operators' own."""
    now = found.clock()
    assert now.tzinfo is not None  # the clock is aware
    return now.tzinfo


def campaign_of(found: "Backend", campaign_id: str) -> Campaign:
    try:
        return found.campaigns.campaign(campaign_id)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None


def case_library(request: Request) -> SqlCaseStore:
    cases: SqlCaseStore = request.app.state.console_cases
    return cases
