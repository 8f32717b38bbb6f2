"""A small 整点 storm over HTTP with the real risk check on the attempts: buyers on a
blacklisted device are refused with risk_blocked and get nothing, the others buy, and
the sale never sells more than its stock — on the SQL gate and on Redis."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from dacu.adapters.principals import SqlPrincipals
from dacu.domain.access import Role
from tests.integration.risk_wiring_rig import BAD_DEVICE, use_rules_engine
from tests.integration.test_flash_api import SALE, START, site  # noqa: F401  (the fixture)

BUYERS, ATTEMPTS = 24, 3
FARMED = set(range(0, BUYERS, 3))  # every third buyer is on the farm's device


def test_the_storm_with_the_check_on_never_oversells_and_refuses_the_farm(site):  # noqa: F811
    # given: the sale, and buyers of whom some share the blacklisted device
    assert site.call("ops", "POST", "/v1/flash-sales", json=SALE).status_code == 201
    use_rules_engine(site.platform, site.engine)
    principals = SqlPrincipals(site.engine)
    for n in range(BUYERS):
        site.tokens[f"b{n}"] = principals.issue(f"b{n}", Role.CONSUMER, frozenset(), START)
    site.clock.now = START + timedelta(seconds=1)

    def attempt(job: tuple[int, int]):
        n, k = job
        device = BAD_DEVICE if n in FARMED else f"dev-{n}"
        body = {"request_id": f"r{n}-{k}", "qty": 1}
        path = "/v1/flash-sales/fs-phone-20h/attempts"
        answer = site.call(f"b{n}", "POST", path, json=body, headers={"X-Device-Id": device})
        return n, answer.status_code, answer.json()

    # when: every buyer tries at once, a few times
    jobs = [(n, k) for k in range(ATTEMPTS) for n in range(BUYERS)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, jobs))

    # then: the farm got risk_blocked every time, nothing else
    for n, status, body in answers:
        if n in FARMED:
            assert status == 403, body
            assert body["error"] == {"code": "risk_blocked", "message": "refused", "field": None}
    accepted = [n for n, status, _ in answers if status == 201]
    assert not set(accepted) & FARMED
    # ... and exactly the stock was sold, never more
    assert len(accepted) == SALE["stock"]
    stock = site.call("ops", "GET", "/v1/flash-sales/fs-phone-20h/stock").json()
    assert stock["on_sale"] == 0
