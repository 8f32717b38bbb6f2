"""A payout the risk check reviews (a shop tied to its buyers, 刷单) is held over HTTP: no
payout, no posting, until a person releases it; a blocked shop is refused."""

import httpx
import pytest

from dacu.domain.access import Role
from dacu.domain.risk import Action
from dacu.domain.risk_review import Decision
from dacu.domain.risk_rules import ListKind
from dacu.entrypoints.api import create_app
from tests.integration.appeals_rig import NOW, issue, settle_platform, subsidy
from tests.integration.http import serving
from tests.integration.risk_wiring_rig import use_rules_engine

pytestmark = pytest.mark.integration


@pytest.fixture
def api(engine, tmp_path):
    platform = settle_platform(engine, tmp_path)
    subsidy(platform, "o-1", "tea-house", 1_250)
    sid = issue(platform, "tea-house")
    use_rules_engine(platform, engine, ((ListKind.ACCOUNT, "tea-house"),))
    platform.payouts.screen = platform.risk_gate.payout  # the rig rewires payouts: as bootstrap
    token = platform.principals.issue("fin", Role.FINANCE, frozenset(), NOW)
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def pay() -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"}
            return client.post(
                f"/v1/statements/{sid}/payouts", json={"part": "main"}, headers=headers
            )

        yield pay, platform, sid


def test_a_payout_under_review_is_held_until_released(api):
    pay, platform, sid = api
    held = pay()
    assert held.status_code == 409, held.text
    assert held.json()["error"]["code"] == "risk_held"
    assert pay().status_code == 409  # still held
    assert platform.payouts.payouts(sid) == []
    assert platform.ledger.entry(f"payout:{sid}:main") is None
    gate = platform.risk_gate
    subject = f"payout:{sid}:main"
    assert [d.subject for d in gate.held(Action.PAYOUT)] == [subject]
    # released by a person: finance pays it
    assert gate.release(subject)
    paid = pay()
    assert paid.status_code == 200, paid.text
    assert [p["amount"] for p in paid.json()] == [1_250]
    again = pay()  # a retry is the same payout, not asked again
    assert again.status_code == 200
    assert [p["key"] for p in again.json()] == [subject]


def test_a_held_payout_waits_in_the_review_queue_and_approving_it_lets_finance_pay(api):
    pay, platform, sid = api
    assert pay().status_code == 409
    desk, subject = platform.risk_desk, f"payout:{sid}:main"
    assert desk.backfill() >= 1
    item = desk.item(f"payout:{subject}")
    assert (item.kind.value, item.customer_id) == ("payout", "tea-house")
    desk.decide(item.id, "risk-1", Decision.APPROVE)
    paid = pay()
    assert paid.status_code == 200, paid.text
    assert [p["amount"] for p in paid.json()] == [1_250]
