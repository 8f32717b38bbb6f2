"""The wiring of risk control's review desk (风控审核): `risk_of` gives the `Platform`
fields it makes, and the owners that release or refuse each kind of held subject."""

from typing import Any

from sqlalchemy import Engine

from dacu.adapters.risk_blacklist_store import SqlBlacklist
from dacu.adapters.risk_desk_reads import SqlEvidence, SqlHeldItems
from dacu.adapters.risk_review_store import SqlReviewStore
from dacu.domain.risk_review import ReviewKind, RiskReviewState
from dacu.services.ports.risk_links import IdentityLinks
from dacu.services.ports.risk_reviews import Owner
from dacu.services.rebates import RebateService
from dacu.services.rewards import RewardService
from dacu.services.risk_desk import RiskDesk
from dacu.wiring import Clock, NewId


def owners(rewards: RewardService, rebates: RebateService, now: Clock) -> dict[ReviewKind, Owner]:
    """kind → how its owning service releases or refuses a held subject, by key."""

    def rebate(allow: bool) -> Any:
        def decide(key: str, by: str) -> None:
            if not rebates.decide_held(key, allow, now()):
                raise RiskReviewState(f"rebate {key} is not held", "status")

        return decide

    def release(key: str, by: str) -> None:
        rewards.release(key, by)

    def refuse(key: str, by: str) -> None:
        rewards.refuse(key, by)

    return {
        ReviewKind.REWARD: Owner(release, refuse),
        ReviewKind.REBATE: Owner(rebate(True), rebate(False)),
    }


def risk_of(
    engine: Engine,
    grown: dict[str, Any],
    now: Clock,
    ids: NewId,
    links: IdentityLinks | None = None,
) -> dict[str, Any]:
    desk = RiskDesk(
        SqlReviewStore(engine),
        SqlBlacklist(engine),
        SqlHeldItems(engine),
        SqlEvidence(engine),
        links,
        owners(grown["rewards"], grown["rebates"], now),
        now,
        ids,
    )
    return {"risk_desk": desk}
