"""Registration and sign-in by phone, on fakes: codes are stored only as digests, expire,
are used up by wrong tries, are limited per phone and per address, and signing in gives
a consumer token whose principal is the customer of that phone."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.access import Role
from dacu.domain.errors import InvalidRule
from dacu.domain.registration import (
    CODE_TTL,
    CONSUMER_TOKEN_TTL,
    CodeExpired,
    RateLimited,
    UnknownCustomer,
    WrongCode,
    masked,
)
from dacu.services.access import AccessService
from dacu.services.registration import RegistrationService, mainland_mobile
from tests.fakes.access import FakeSessions, FakeTokens, token_id
from tests.fakes.registration import FakeCodes, FakeMessages, FakeRegistry

NOW = datetime(2026, 11, 11, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13800138000"
E164 = "+8613800138000"


class Rig:
    def __init__(self) -> None:
        self.now = NOW
        self.tokens = FakeTokens()
        self.codes, self.registry, self.messages = FakeCodes(), FakeRegistry(), FakeMessages()
        access = AccessService(
            self.tokens, FakeSessions(self.tokens), lambda _: None, self.clock, token_id
        )
        self.ids = iter(f"c-{n}" for n in range(1000))
        self.service = RegistrationService(
            self.codes,
            self.registry,
            self.messages,
            access,
            self.clock,
            lambda: next(self.ids),
            b"test-secret",
        )

    def clock(self) -> datetime:
        return self.now

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def last_code(self, phone: str = E164) -> str:
        text = next(text for to, text in reversed(self.messages.sent) if to == phone)
        found = re.search(r"\d{6}", text)
        assert found is not None
        return found.group()

    def ask(self, phone: str = PHONE, address: str = "10.0.0.1") -> str:
        self.service.request_code(phone, address)
        return self.last_code(mainland_mobile(phone))


@pytest.fixture
def rig() -> Rig:
    return Rig()


@pytest.mark.parametrize("typed", ["13800138000", "+86 138 0013 8000", "138-0013-8000"])
def test_a_mainland_mobile_is_kept_in_e164(typed):
    assert mainland_mobile(typed) == E164


@pytest.mark.parametrize(
    "typed", ["", "12345", "01012345678", "+14155552671", "+85291234567", "phone", "1380013800"]
)
def test_anything_but_a_mainland_mobile_is_refused_naming_the_phone(rig, typed):
    with pytest.raises(InvalidRule) as refused:
        rig.service.request_code(typed, "10.0.0.1")
    assert refused.value.field == "phone"
    assert not rig.messages.sent


def test_the_code_is_sent_as_six_digits_and_stored_only_as_a_keyed_digest(rig):
    sent = rig.service.request_code(PHONE, "10.0.0.1")
    code = rig.last_code()
    assert sent.phone == E164
    assert sent.expires_at == NOW + CODE_TTL
    stored = rig.codes.codes[E164]
    assert code not in stored.digest
    assert stored.digest == rig.service.digest(E164, code)
    assert stored.digest != rig.service.digest("+8613900139000", code)


def test_a_new_phone_registers_and_gets_a_consumer_token_of_its_own(rig):
    code = rig.ask()
    signed = rig.service.verify(PHONE, code)
    assert signed.new
    assert signed.expires_at == NOW + CONSUMER_TOKEN_TTL
    principal = rig.tokens.find(signed.token)
    assert principal is not None
    assert (principal.subject, principal.role) == (signed.customer_id, Role.CONSUMER)
    profile = rig.service.profile(signed.customer_id)
    assert (profile.phone, profile.phone_verified, profile.registered_at) == (E164, True, NOW)
    assert profile.member_tier is None


def test_a_known_phone_signs_in_as_the_same_customer(rig):
    first = rig.service.verify(PHONE, rig.ask())
    rig.later(minutes=2)
    again = rig.service.verify("+86 138 0013 8000", rig.ask())
    assert not again.new
    assert again.customer_id == first.customer_id
    assert again.token != first.token


def test_a_code_is_used_once(rig):
    code = rig.ask()
    rig.service.verify(PHONE, code)
    with pytest.raises(CodeExpired) as refused:
        rig.service.verify(PHONE, code)
    assert refused.value.field == "code"


def test_a_code_expires_after_five_minutes(rig):
    code = rig.ask()
    rig.later(seconds=CODE_TTL.total_seconds())
    with pytest.raises(CodeExpired):
        rig.service.verify(PHONE, code)


def test_five_wrong_tries_use_the_code_up(rig):
    code = rig.ask()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(WrongCode) as refused:
            rig.service.verify(PHONE, wrong)
        assert refused.value.field == "code"
    with pytest.raises(CodeExpired):
        rig.service.verify(PHONE, code)  # the right one, too late


def test_a_code_that_is_not_six_digits_is_refused_without_a_try(rig):
    code = rig.ask()
    for bad in ["12345", "1234567", "abcdef", "１２３４５６"]:
        with pytest.raises(InvalidRule) as refused:
            rig.service.verify(PHONE, bad)
        assert refused.value.field == "code"
    assert rig.service.verify(PHONE, code).new


def test_a_phone_gets_one_code_a_minute(rig):
    rig.ask()
    rig.later(seconds=59)
    with pytest.raises(RateLimited) as refused:
        rig.ask()
    assert refused.value.field == "phone"
    assert len(rig.messages.sent) == 1
    rig.later(seconds=1)
    rig.ask()
    assert len(rig.messages.sent) == 2


def test_a_new_code_replaces_the_last(rig):
    first = rig.ask()
    rig.later(minutes=1)
    second = rig.ask()
    if first != second:
        with pytest.raises(WrongCode):
            rig.service.verify(PHONE, first)
    assert rig.service.verify(PHONE, second).new


def test_a_phone_gets_ten_codes_a_day(rig):
    for _ in range(10):
        rig.ask()
        rig.later(minutes=2)
    with pytest.raises(RateLimited):
        rig.ask()
    rig.now = NOW.replace(hour=0) + timedelta(days=1)  # the next calendar day
    rig.ask()


def test_an_address_gets_twenty_codes_an_hour_whatever_the_phones(rig):
    phones = [f"1390013{n:04d}" for n in range(21)]
    for phone in phones[:20]:
        rig.ask(phone, "10.0.0.9")
    with pytest.raises(RateLimited) as refused:
        rig.ask(phones[20], "10.0.0.9")
    assert refused.value.retry_after > 0
    rig.ask(phones[20], "10.0.0.10")  # another address is not held back


def test_a_refused_request_counts_against_nothing(rig):
    rig.ask(address="10.0.0.9")
    for _ in range(30):  # all refused: a minute has not passed
        with pytest.raises(RateLimited):
            rig.ask(address="10.0.0.9")
    for n in range(19):
        rig.ask(f"1390013{n:04d}", "10.0.0.9")


def test_an_operator_sets_a_tier_and_it_is_audited(rig):
    signed = rig.service.verify(PHONE, rig.ask())
    profile = rig.service.set_tier(signed.customer_id, "gold", "ops-lihua")
    assert profile.member_tier == "gold"
    assert rig.registry.audit == [("ops-lihua", signed.customer_id, "gold")]
    assert rig.service.set_tier(signed.customer_id, None, "ops-lihua").member_tier is None
    with pytest.raises(UnknownCustomer):
        rig.service.set_tier("nobody", "gold", "ops-lihua")


def test_a_consumer_known_only_by_a_token_has_an_unverified_profile(rig):
    profile = rig.service.profile("u-demo")
    assert (profile.phone, profile.phone_verified, profile.registered_at) == (None, False, None)


def test_the_phone_is_shown_masked():
    assert masked(E164) == "138****8000"
    assert masked(None) is None


def test_a_sweep_forgets_old_codes_and_closed_windows_only(rig):
    rig.ask()
    rig.ask("13900139000", "10.0.0.2")
    assert rig.service.prune() == 0  # nothing old yet
    rig.later(hours=2)
    assert rig.service.prune() == 2  # the two addresses' hours have closed
    rig.later(days=1)
    assert rig.service.prune() == 4  # both codes, both phones' days
    assert not rig.codes.codes
    assert not rig.codes.asked
