"""Acquisition's rules (codes, the launch file's sections) and the reward desk and
sign-up over in-memory fakes: risk first, the campaign's budget, caps, lines, once per key."""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.acquisition import (
    CODE_ALPHABET,
    INVITE_CODE_LENGTH,
    Invites,
    Mechanic,
    Outcome,
    ReferralKind,
    RewardRecord,
    ShareTarget,
    SignUpCodes,
    Welcome,
    face_value,
    normal_code,
    reward_key,
    well_formed,
)
from dacu.domain.errors import InvalidRule
from dacu.domain.risk import ALLOWED, Action, RiskDecision, Verdict
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.acquisition import AcquisitionService, random_code, read_code
from dacu.services.acquisition_rewards import Ask, OpenCampaigns, RewardDesk
from dacu.services.ports.acquisition import Cap
from tests.fakes.acquisition import FakeAcquisitionStore

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 9, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _launch(**growth):
    document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text("utf-8"))
    document["growth"] = {**document["growth"], **growth}
    return load_campaign(document)[1]


class Grants:
    def __init__(self, stock: int = 100) -> None:
        self.templates = {c.id: c for c in _launch().coupons}
        self.given: dict[str, list[str]] = {}
        self.stock = stock

    def template(self, template_id):
        return self.templates[template_id]

    def grant(self, template_id, customer_ids, batch, now=None):
        if batch in self.given:
            return dict.fromkeys(customer_ids, "issued")
        if self.stock <= 0:
            return dict.fromkeys(customer_ids, "out_of_stock")
        self.stock -= 1
        self.given[batch] = [template_id, *customer_ids]
        return dict.fromkeys(customer_ids, "issued")


class Risk:
    def __init__(self, verdict: Verdict = Verdict.ALLOW) -> None:
        self.verdict, self.asked = verdict, []

    def assess(self, query):
        self.asked.append(query)
        return ALLOWED if self.verdict is Verdict.ALLOW else RiskDecision(self.verdict, "t")


def _desk(left: int = 10**9, verdict: Verdict = Verdict.ALLOW, stock: int = 100):
    store, grants, risk = FakeAcquisitionStore(), Grants(stock), Risk(verdict)
    return RewardDesk(store, grants, risk, lambda _: left), store, grants, risk


def _welcome(campaign, customer: str = "u-1", budget: int = 0) -> Ask:
    return Ask(
        Mechanic.WELCOME,
        campaign,
        "welcome-red-20",
        budget,
        customer,
        customer,
        Action.REGISTRATION_REWARD,
    )


def test_the_launch_file_carries_plan_000s_welcome_and_invites():
    growth = _launch().growth
    assert growth.welcome == Welcome(coupon="welcome-red-20")
    assert growth.invites is not None
    assert (growth.invites.coupon, growth.invites.coins) == ("invite-red-5", 2)
    assert growth.invites.share_coupon == "share-red-3"
    welcome = next(c for c in _launch().coupons if c.id == "welcome-red-20")
    assert (welcome.off, welcome.threshold, welcome.not_first_order) == (2000, 3000, True)


def test_an_invites_section_that_gives_nothing_is_refused_naming_it():
    with pytest.raises(InvalidRule) as refused:
        _launch(invites={"max_rewarded": 3})
    assert refused.value.field == "growth.invites.coupon"
    with pytest.raises(InvalidRule):
        Invites(coupon="x", coins=-1)


def test_codes_are_read_without_regard_to_case_spaces_or_dashes():
    code = random_code(INVITE_CODE_LENGTH)
    assert well_formed(code, INVITE_CODE_LENGTH)
    assert set(code) <= set(CODE_ALPHABET)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert normal_code(typed) == code
    assert read_code(typed, INVITE_CODE_LENGTH, "invite_code") == code
    with pytest.raises(InvalidRule) as refused:
        read_code("O0I1", INVITE_CODE_LENGTH, "invite_code")
    assert refused.value.field == "invite_code"


def test_a_reward_key_is_one_per_mechanic_campaign_and_new_member():
    assert reward_key(Mechanic.INVITE, "c", "u-2") == "invite:c:u-2"
    assert face_value(2000, None) == 2000
    assert face_value(None, 500) == 500
    assert SignUpCodes(invite_code="A", share="").given() == {"invite_code": "A"}


def test_the_desk_gives_once_however_often_asked():
    desk, _store, grants, risk = _desk()
    campaign = _launch()
    first = desk.reward(_welcome(campaign), NOW)
    again = desk.reward(_welcome(campaign), NOW)
    assert (first.outcome, again.outcome) == (Outcome.ISSUED, Outcome.ISSUED)
    assert len(grants.given) == 1
    assert risk.asked[0].action is Action.REGISTRATION_REWARD
    assert risk.asked[0].amount == 2000


@pytest.mark.parametrize(
    ("verdict", "outcome"), [(Verdict.REVIEW, Outcome.HELD), (Verdict.BLOCK, Outcome.BLOCKED)]
)
def test_review_holds_and_block_refuses_the_reward(verdict, outcome):
    desk, _store, grants, _ = _desk(verdict=verdict)
    assert desk.reward(_welcome(_launch()), NOW).outcome is outcome
    assert grants.given == {}


def test_a_campaign_budget_short_of_the_face_value_gives_nothing():
    desk, _store, grants, _ = _desk(left=1999)
    assert desk.reward(_welcome(_launch()), NOW).outcome is Outcome.BUDGET_SPENT
    assert grants.given == {}


def test_a_line_stops_the_reward_once_spent():
    desk, store, _, _ = _desk()
    campaign = _launch()
    outcomes = [desk.reward(_welcome(campaign, f"u-{n}", 4000), NOW).outcome for n in range(3)]
    assert outcomes == [Outcome.ISSUED, Outcome.ISSUED, Outcome.BUDGET_SPENT]
    assert store.drawn["launch-2026-09:welcome"] == 4000


def test_a_coupon_out_of_stock_gives_its_draw_back():
    desk, store, _, _ = _desk(stock=1)
    campaign = _launch()
    outcomes = [desk.reward(_welcome(campaign, f"u-{n}", 5000), NOW).outcome for n in range(3)]
    assert outcomes == [Outcome.ISSUED, Outcome.OUT_OF_STOCK, Outcome.OUT_OF_STOCK]
    assert store.drawn["launch-2026-09:welcome"] == 2000


def test_a_cap_counts_only_rewards_given():
    desk, _store, _, _ = _desk()
    campaign = _launch()
    ask = replace(_welcome(campaign), mechanic=Mechanic.INVITE, cap=Cap("invite:c:u-9", 1))
    given = [desk.reward(replace(ask, subject=f"u-{n}"), NOW).outcome for n in range(3)]
    assert given == [Outcome.ISSUED, Outcome.CAPPED, Outcome.CAPPED]


def _service(verdict: Verdict = Verdict.ALLOW):
    desk, store, grants, _ = _desk(verdict=verdict)
    earned: list[tuple] = []

    class Coins:
        def earn(self, *args):
            earned.append(args)
            return True

    campaign = _launch()
    service = AcquisitionService(
        store, desk, OpenCampaigns(lambda: [campaign]), Coins(), lambda: NOW
    )
    return service, store, grants, earned


def test_a_new_member_with_an_invite_code_rewards_the_inviter_and_notes_the_rest():
    service, _store, grants, earned = _service()
    code = service.invite("u-inviter").code
    notes = service.joined("u-new", True, SignUpCodes(invite_code=code, merchant_code="X"), NOW)
    assert notes == {"invite_code": "accepted", "merchant_code": "superseded"}
    referral = service.referral("u-new")
    assert referral is not None
    assert (referral.kind, referral.referrer) == (ReferralKind.INVITE, "u-inviter")
    assert sorted(g[0] for g in grants.given.values()) == ["invite-red-5", "welcome-red-20"]
    assert earned == [("u-inviter", 2, "invite", "invite:u-new", NOW, "launch-2026-09")]
    asked = service_risk(service).asked
    invite = next(q for q in asked if q.action is Action.INVITE_REWARD)
    assert (invite.customer_id, invite.subject, invite.amount) == ("u-inviter", "u-new", 500)
    assert invite.context == {"invitee": "u-new", "invitees": "1"}
    assert service.joined("u-old", False, SignUpCodes(invite_code=code), NOW) == {
        "invite_code": "not_new"
    }


def test_a_held_invite_earns_no_coins():
    service, _, grants, earned = _service(Verdict.REVIEW)
    code = service.invite("u-inviter").code
    service.joined("u-new", True, SignUpCodes(invite_code=code), NOW)
    assert earned == []
    assert grants.given == {}


def test_an_unknown_share_token_is_noted_and_ones_own_is_not_rewarded():
    service, _, _grants, _ = _service()
    assert service.joined("u-a", True, SignUpCodes(share="nope"), NOW) == {"share": "unknown"}
    link = service.share("u-b", ShareTarget.VENUE, "venue-1")
    assert service.joined("u-b", True, SignUpCodes(share=link.token), NOW) == {"share": "own"}


def service_risk(service: AcquisitionService) -> Risk:
    return service._desk._risk  # the fake this test built the service over


def test_a_reward_left_half_given_is_issued_by_the_sweep():
    desk, store, grants, _ = _desk()
    campaign = _launch()
    earlier = NOW - timedelta(seconds=90)
    record = RewardRecord(
        "welcome:launch-2026-09:u-crash",
        Mechanic.WELCOME,
        campaign.id,
        "u-crash",
        "u-crash",
        Outcome.GRANTING,
        "welcome-red-20",
        2000,
        earlier,
    )
    store.decide(record, None, None)  # decided, then the process died before the grant
    assert desk.finish_stuck(NOW - timedelta(seconds=60)) == 0  # not yet a minute old
    assert desk.finish_stuck(NOW) == 1
    assert store.rewards[record.key].outcome is Outcome.ISSUED
    assert list(grants.given) == [record.key]
    assert desk.finish_stuck(NOW) == 0
