"""In-memory fakes of the ports in `dacu.services.ports`, for services' unit tests.

One module per concept; a fake keeps the port's promises (what it raises, which
writes are conditional, what a unit of work undoes) and nothing more.
"""

from tests.fakes.alerts import FakeAlerts, FakeNotifications
from tests.fakes.campaigns import FakeCampaignStore
from tests.fakes.coupons import FakeCouponStore
from tests.fakes.enrollments import FakeCampaignRules, FakeEnrollmentStore
from tests.fakes.orders import FakeShop, FakeUnitOfWork
from tests.fakes.payments import (
    FakeAuditTrail,
    FakeChannelErrors,
    FakeChannelRouting,
    FakePaymentStore,
)
from tests.fakes.pricing import FakePricing
from tests.fakes.stock import FakeStock

__all__ = [
    "FakeAlerts",
    "FakeAuditTrail",
    "FakeCampaignRules",
    "FakeCampaignStore",
    "FakeChannelErrors",
    "FakeChannelRouting",
    "FakeCouponStore",
    "FakeEnrollmentStore",
    "FakeNotifications",
    "FakePaymentStore",
    "FakePricing",
    "FakeShop",
    "FakeStock",
    "FakeUnitOfWork",
]
