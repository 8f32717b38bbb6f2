"""The risk wiring's pure parts: a delivery address as a link, the paying account in a
callback, and the flash attempts' check answered from memory."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.payments import Notice, read_notice
from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_deeds import DeliveryAddress
from dacu.services.ports.flash import CheckedTerms
from dacu.services.risk_flash import FlashScreen
from dacu.services.risk_gate import RiskGate
from tests.fakes.risk import FakeLinks

NOW = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_one_address_typed_two_ways_is_one_link_and_the_receiver_is_not_part_of_it():
    one = DeliveryAddress("李华", "13800138000", "上海市 浦东新区", "世纪大道100号 1号楼-101")
    two = DeliveryAddress("王芳", "13900139000", "上海市浦东新区", "世纪大道１００号１号楼101")
    assert one.normalised() == two.normalised() == "上海市浦东新区世纪大道100号1号楼101"


def test_the_paying_account_travels_in_the_signed_body_and_is_bounded():
    notice = Notice("p-1", "tx-1", 100, True, "simpay-payer-u-1")
    assert read_notice(notice.body()).payer == "simpay-payer-u-1"
    assert b"payer" not in Notice("p-1", "tx-1", 100, True).body()  # as before, without one
    for bad in (b'"x\\u0000"', b'"' + b"x" * 65 + b'"', b"7"):
        body = b'{"payment_id":"p","transaction_id":"t","amount":1,"status":"succeeded",'
        with pytest.raises(InvalidRule) as refused:
            read_notice(body + b'"payer":' + bad + b"}")
        assert refused.value.field == "payer"


class Recording:
    """A risk check that remembers what it was asked and blocks one device."""

    def __init__(self) -> None:
        self.asked: list[RiskQuery] = []

    def assess(self, query: RiskQuery) -> RiskDecision:
        self.asked.append(query)
        verdict = Verdict.BLOCK if query.identity.device == "bad" else Verdict.ALLOW
        return RiskDecision(verdict, "test")


def test_flash_attempts_are_asked_about_once_in_a_while_per_buyer_and_device():
    risk, ticks = Recording(), [0.0]
    screen = FlashScreen(risk, lambda: NOW, ticks=lambda: ticks[0])
    bad, good = Identity(device="bad", ip="10.0.0.1"), Identity(device="good", ip="10.0.0.1")
    assert screen.blocked("u1", bad, "fs-1")
    assert screen.blocked("u1", bad, "fs-1")  # from memory
    assert not screen.blocked("u2", good, "fs-1")
    assert [q.identity.device for q in risk.asked] == ["bad", "good"]
    assert risk.asked[0].action is Action.FLASH_ATTEMPT
    ticks[0] = 5.5  # the answer kept has run out: asked again
    screen.blocked("u1", bad, "fs-1")
    assert len(risk.asked) == 3


class Carried:
    """Terms the gate's step would carry: their keys and arguments, an answer ignored."""

    def __init__(self, customer_id: str) -> None:
        self.keys, self.args, self.renewals = ("k",), (customer_id,), 0

    def answered(self, part: object, sale_id: str) -> object:
        return None

    def renewed(self) -> None:
        self.renewals += 1


class Carrying(Recording):
    """A risk check whose rules the gate's step can carry, but for one listed device."""

    def known(self, query: RiskQuery) -> RiskDecision | None:
        if query.identity.device == "listed":
            return RiskDecision(Verdict.BLOCK, "blacklisted", 1000)
        return None

    def checked(self, query: RiskQuery, clock: object = None) -> CheckedTerms:
        self.asked.append(query)
        return Carried(query.customer_id)


class Stamped(Carrying):
    """… that tells what its answers stand on, and reads its rules again when asked."""

    def __init__(self) -> None:
        super().__init__()
        self.rules, self.version, self.reread_times = object(), 1, 0

    def stamp(self) -> tuple[object, int]:
        return self.rules, self.version

    def reread(self) -> None:
        self.reread_times += 1


def test_a_flash_attempt_carries_its_check_into_the_gate_unless_memory_refuses_it():
    risk = Carrying()
    screen = FlashScreen(risk, lambda: NOW)
    assert screen.checked("u1", Identity(device="listed"), "fs-1") == (True, None)
    blocked, terms = screen.checked("u2", Identity(device="d2"), "fs-1")
    assert not blocked
    assert terms is not None
    assert terms.args == ("u2",)
    blocked, terms = screen.checked("u2", Identity(device="d2"), "fs-1")  # nothing kept
    assert terms is not None
    assert len(risk.asked) == 2
    assert risk.asked[0].action is Action.FLASH_ATTEMPT
    # a check the step cannot carry is answered by the screen, as before
    plain = Recording()
    assert FlashScreen(plain, lambda: NOW).checked("u3", Identity(device="bad"), "fs-1") == (
        True,
        None,
    )


def test_a_buyers_terms_are_carried_again_until_the_rules_or_the_list_move():
    risk, ticks = Stamped(), [0.0]
    screen = FlashScreen(risk, lambda: NOW, ticks=lambda: ticks[0])
    phone = Identity(device="d2", ip="10.0.0.2")

    def terms(device: str = "d2") -> object:
        return screen.checked("u2", Identity(device=device, ip="10.0.0.2"), "fs-1")[1]

    terms()
    screen.flush()  # the rules and the list read behind at the first attempt
    first = terms()
    assert terms() is first  # carried: not asked again
    assert screen.checked("u2", phone, "fs-2")[1] is first  # in another sale too
    assert terms("d3") is not first  # another phone: its own
    assert len(risk.asked) == 3
    risk.version = 2  # the blacklist moved (memory may block now) ...
    assert terms() is first  # ... seen when it is read again behind, once a second
    ticks[0] = 1.5
    terms()
    screen.flush()
    second = terms()
    assert second is not first
    risk.rules = object()  # a new rules version: the same
    ticks[0] = 3.0
    terms()
    screen.flush()
    third = terms()
    assert third is not second
    assert risk.reread_times == 3
    asked = len(risk.asked)
    ticks[0] = 9.0  # carried on, renewed every few seconds (their floors looked at)
    assert (terms(), terms()) == (third, third)
    assert (third.renewals, len(risk.asked)) == (1, asked)  # type: ignore[attr-defined]
    ticks[0] = 64.0  # carried no longer than a minute
    asked = len(risk.asked)
    terms()
    assert len(risk.asked) == asked + 1


class Deeds:
    def keep(self, deed: object) -> bool:
        return True


def test_a_checkout_is_asked_with_its_cart_shops_and_a_merchant_is_seen_on_its_device():
    risk, links = Recording(), FakeLinks()
    gate = RiskGate(risk, Deeds(), lambda: NOW, links=links)  # type: ignore[arg-type]
    gate.checkout("u1", Identity(device="d1"), "k1", ["north-wear", "tea-house", "north-wear"])
    assert risk.asked[0].context == {"shop": "north-wear,tea-house"}
    gate.checkout("u1", Identity(device="d1"), "k2")
    assert risk.asked[1].context == {}
    gate.staff_seen("m-north", Identity(device="d1", ip="10.0.0.9"))
    assert links.cluster("m-north") is not None
