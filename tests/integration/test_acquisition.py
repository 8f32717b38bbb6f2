"""Acquisition (拉新) on real SQLite and PostgreSQL: the welcome red packet once per new
member, invite, merchant and share codes captured at sign-in, the rewards that follow
once per new member within their caps, budget and stock, and the risk check first."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.bootstrap import bootstrap
from dacu.bootstrap_acquisition import acquisition_of
from dacu.domain.acquisition import ReferralKind, ShareTarget, SignUpCodes
from dacu.domain.goods import Shop
from dacu.domain.risk import RiskDecision, Verdict
from tests.integration.acquisition_world import LAUNCH_DAY, apply_launch, launch, sign_up
from tests.integration.test_api import Clock

pytestmark = pytest.mark.integration


@pytest.fixture
def world(engine):
    clock = Clock(LAUNCH_DAY)
    platform = bootstrap(engine, clock=clock)
    return platform, clock


def _templates(platform, customer_id: str) -> list[str]:
    return sorted(c.template_id for c in platform.coupons.wallet(customer_id))


def _outcomes(platform, customer_id: str) -> list[tuple[str, str]]:
    return sorted(
        (r.mechanic.value, r.outcome.value) for r in platform.acquisition.rewards_of(customer_id)
    )


def test_a_new_member_gets_the_welcome_red_packet_once(world):
    platform, clock = world
    apply_launch(platform)
    # when a new phone is verified, then signs in again later
    first = sign_up(platform, 1)
    clock.now += timedelta(minutes=2)
    again = sign_up(platform, 1)
    # then one red packet of 20元, 满30, not on the first order, and only the first was new
    assert first.new
    assert not again.new
    assert first.customer_id == again.customer_id
    assert _templates(platform, first.customer_id) == ["welcome-red-20"]
    assert _outcomes(platform, first.customer_id) == [("welcome", "issued")]


def test_no_live_campaign_no_red_packet(world):
    platform, _ = world
    signed = sign_up(platform, 2)
    assert signed.new
    assert _templates(platform, signed.customer_id) == []


def test_an_unknown_invite_code_registers_all_the_same_and_says_so(world):
    platform, _ = world
    apply_launch(platform)
    signed = sign_up(platform, 3, SignUpCodes(invite_code="ZZZZ-ZZZZ"))
    assert signed.new
    assert signed.codes == {"invite_code": "unknown"}
    assert platform.acquisition.referral(signed.customer_id) is None
    assert _templates(platform, signed.customer_id) == ["welcome-red-20"]


def test_an_invitee_brings_the_inviter_a_red_packet_and_two_coins_once(world):
    platform, clock = world
    apply_launch(platform)
    inviter = sign_up(platform, 10).customer_id
    card = platform.acquisition.invite(inviter)
    assert card == platform.acquisition.invite(inviter)  # stable
    typed = card.code.lower()[:4] + "-" + card.code.lower()[4:]  # case and dashes do not matter
    invitee = sign_up(platform, 11, SignUpCodes(invite_code=typed))
    assert invitee.codes == {"invite_code": "accepted"}
    referral = platform.acquisition.referral(invitee.customer_id)
    assert referral is not None
    assert referral.kind is ReferralKind.INVITE
    assert referral.referrer == inviter
    assert referral.campaign_id == "launch-2026-09"
    # a retry of the sign-in with the code changes nothing
    clock.now += timedelta(minutes=2)
    again = sign_up(platform, 11, SignUpCodes(invite_code=card.code))
    assert again.codes == {"invite_code": "not_new"}
    assert _templates(platform, inviter) == ["invite-red-5", "welcome-red-20"]
    assert platform.coins.balance(inviter).balance == 2
    (entry,) = platform.coins.entries(inviter)
    assert (entry.reason, entry.campaign_id) == ("invite", "launch-2026-09")
    lines = {line.name: line.drawn for line in platform.budgets.lines("launch-2026-09")}
    assert lines["coins"] == 2 * 1000 // 1500  # the coins' worth, drawn from the coins line
    assert platform.acquisition.invite(inviter).invitees == 1
    assert [r.customer_id for r in platform.acquisition.invitees(inviter)] == [invitee.customer_id]


def test_the_inviter_is_rewarded_for_at_most_the_cap(world):
    platform, _ = world
    document = launch(invites={"coupon": "invite-red-5", "coins": 2, "max_rewarded": 2})
    apply_launch(platform, document)
    inviter = sign_up(platform, 20).customer_id
    code = platform.acquisition.invite(inviter).code
    for n in range(21, 24):
        sign_up(platform, n, SignUpCodes(invite_code=code))
    assert _templates(platform, inviter).count("invite-red-5") == 2
    assert platform.coins.balance(inviter).balance == 4
    assert _outcomes(platform, inviter).count(("invite", "capped")) == 1
    assert platform.acquisition.invite(inviter).invitees == 3  # all are in the tree


def test_a_merchant_code_names_the_shop_and_the_first_code_wins(world):
    platform, _ = world
    apply_launch(platform)
    platform.goods.open_shop(Shop("shop-7", "m-7", "七号店"))
    code = platform.acquisition.merchant_code("shop-7")
    assert code == platform.acquisition.merchant_code("shop-7")
    by_shop = sign_up(platform, 30, SignUpCodes(merchant_code=code))
    referral = platform.acquisition.referral(by_shop.customer_id)
    assert referral is not None
    assert (referral.kind, referral.referrer) == (
        ReferralKind.MERCHANT,
        "shop-7",
    )
    inviter = sign_up(platform, 31).customer_id
    both = SignUpCodes(invite_code=platform.acquisition.invite(inviter).code, merchant_code=code)
    invited = sign_up(platform, 32, both)
    assert invited.codes == {"invite_code": "accepted", "merchant_code": "superseded"}
    found = platform.acquisition.referral(invited.customer_id)
    assert found is not None
    assert found.kind is ReferralKind.INVITE


def test_a_share_brings_the_sharer_a_coupon_per_new_member_within_the_daily_cap(world):
    platform, _ = world
    growth = launch()["growth"]["invites"]
    apply_launch(platform, launch(invites={**growth, "share_daily_cap": 1}))
    sharer = sign_up(platform, 40).customer_id
    link = platform.acquisition.share(sharer, ShareTarget.VENUE, "main-venue")
    assert link == platform.acquisition.share(sharer, ShareTarget.VENUE, "main-venue")
    assert platform.acquisition.open_share(link.token).opens == 1
    first = sign_up(platform, 41, SignUpCodes(share=link.token))
    sign_up(platform, 42, SignUpCodes(share=link.token))
    assert first.codes == {"share": "accepted"}
    assert _templates(platform, sharer).count("share-red-3") == 1
    assert ("share", "capped") in _outcomes(platform, sharer)


class Says:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def assess(self, query):
        return RiskDecision(self.verdict, "test")


def _with_risk(platform, verdict: Verdict):
    return acquisition_of(
        platform.engine,
        platform.coupons,
        platform.campaigns,
        platform.budgets,
        Says(verdict),
        platform.coins,
        platform.clock,
        platform.customers,
    )


@pytest.mark.parametrize(
    ("verdict", "outcome"), [(Verdict.REVIEW, "held"), (Verdict.BLOCK, "blocked")]
)
def test_the_risk_check_holds_or_blocks_the_welcome_packet(world, verdict, outcome):
    platform, _ = world
    apply_launch(platform)
    acquisition = _with_risk(platform, verdict)
    acquisition.joined("u-risky", True, SignUpCodes(), LAUNCH_DAY)
    assert _templates(platform, "u-risky") == []
    assert _outcomes(platform, "u-risky") == [("welcome", outcome)]


def test_no_red_packet_once_the_campaign_budget_cannot_cover_it(world):
    platform, _ = world
    document = launch()
    document["budget"] = {"total": 1500, "contingency_bp": 0}
    document["growth"] = {k: document["growth"][k] for k in ("welcome", "invites")}  # no lines
    apply_launch(platform, document)
    signed = sign_up(platform, 50)
    assert signed.new
    assert _templates(platform, signed.customer_id) == []
    assert _outcomes(platform, signed.customer_id) == [("welcome", "budget_spent")]


def test_a_budget_line_stops_issuing_when_spent(world):
    platform, _ = world
    apply_launch(platform, launch(welcome={"coupon": "welcome-red-20", "budget": 4000}))
    given = [sign_up(platform, n).customer_id for n in range(60, 63)]
    assert [len(_templates(platform, c)) for c in given] == [1, 1, 0]
    assert _outcomes(platform, given[2]) == [("welcome", "budget_spent")]


def test_no_red_packet_once_the_template_stock_runs_out(world):
    platform, _ = world
    document = launch()
    document["coupons"][0]["total_stock"] = 1
    apply_launch(platform, document)
    first, second = (sign_up(platform, n).customer_id for n in (70, 71))
    assert _templates(platform, first) == ["welcome-red-20"]
    assert _outcomes(platform, second) == [("welcome", "out_of_stock")]


def test_a_storm_of_the_same_new_member_gives_one_red_packet(world):
    platform, _ = world
    apply_launch(platform)
    with ThreadPoolExecutor(16) as pool:
        notes = list(
            pool.map(
                lambda _: platform.acquisition.joined("u-storm", True, SignUpCodes(), LAUNCH_DAY),
                range(32),
            )
        )
    assert all(n == {} for n in notes)
    assert _templates(platform, "u-storm") == ["welcome-red-20"]
    assert _outcomes(platform, "u-storm") == [("welcome", "issued")]


def test_a_storm_of_invitees_rewards_each_once_and_never_past_the_cap(world):
    platform, _ = world
    document = launch(invites={"coupon": "invite-red-5", "coins": 2, "max_rewarded": 5})
    apply_launch(platform, document)
    # the cap under a storm, not the risk rules (8 invitees who never ordered, at once,
    # are a farm's shape to them: tests/integration/test_risk_engine.py)
    platform.risk_rules.apply({"rules": []}, "risk-1")
    time.sleep(1.2)  # re-read within about a second
    inviter = sign_up(platform, 80).customer_id
    code = platform.acquisition.invite(inviter).code
    invitees = [f"u-inv-{n}" for n in range(8)]

    def join(customer_id: str) -> None:
        platform.acquisition.joined(customer_id, True, SignUpCodes(invite_code=code), LAUNCH_DAY)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(join, invitees * 3))
    assert _templates(platform, inviter).count("invite-red-5") == 5
    assert platform.coins.balance(inviter).balance == 10
    assert platform.acquisition.invite(inviter).invitees == 8


def test_an_inviter_without_a_verified_phone_is_not_rewarded(world):
    platform, _ = world
    apply_launch(platform)
    code = platform.acquisition.invite("u-token-only").code  # a consumer known by a token only
    invited = sign_up(platform, 90, SignUpCodes(invite_code=code))
    assert invited.codes == {"invite_code": "accepted"}
    referral = platform.acquisition.referral(invited.customer_id)
    assert referral is not None
    assert referral.referrer == "u-token-only"
    assert _templates(platform, "u-token-only") == []
    assert platform.coins.balance("u-token-only").balance == 0


def test_a_reward_a_crash_left_half_given_is_issued_by_the_sweep(world):
    platform, clock = world
    apply_launch(platform, launch(welcome={"coupon": "welcome-red-20", "budget": 4000}))
    from dacu.adapters.acquisition_store import SqlAcquisition
    from dacu.domain.acquisition import Mechanic, Outcome, RewardRecord
    from dacu.services.ports.acquisition import Draw

    store = SqlAcquisition(platform.engine)
    record = RewardRecord(
        "welcome:launch-2026-09:u-crash",
        Mechanic.WELCOME,
        "launch-2026-09",
        "u-crash",
        "u-crash",
        Outcome.GRANTING,
        "welcome-red-20",
        2000,
        LAUNCH_DAY,
    )
    store.decide(record, None, Draw("launch-2026-09:welcome", 2000, 4000))  # then a crash
    assert platform.acquisition.finish_stuck(LAUNCH_DAY) == 0  # the deciding copy may be at it
    clock.now = LAUNCH_DAY + timedelta(minutes=2)
    assert platform.acquisition.finish_stuck() == 1
    assert _templates(platform, "u-crash") == ["welcome-red-20"]
    assert platform.acquisition.finish_stuck() == 0
    lines = {line.name: line.drawn for line in platform.budgets.lines("launch-2026-09")}
    assert lines["welcome"] == 2000
