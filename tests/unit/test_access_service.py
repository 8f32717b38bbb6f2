"""Getting in, on fakes: tokens expire and are revoked everywhere; a console session ends
at sign-out, after a shift, at its token's expiry, or when its token is revoked."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.access import SESSION_TTL, TOKEN_TTL, Role
from dacu.services.access import AccessService
from tests.fakes.access import FakeSessions, FakeTokens, token_id

NOW = datetime(2026, 11, 11, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Rig:
    def __init__(self) -> None:
        self.now = NOW
        self.tokens = FakeTokens()
        self.forgotten: list[str] = []
        self.access = AccessService(
            self.tokens,
            FakeSessions(self.tokens),
            self.forgotten.append,
            lambda: self.now,
            token_id,
        )


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_token_lives_thirty_days_unless_issued_for_less(rig):
    issued = rig.access.issue("ops-lihua", Role.OPERATOR)
    assert issued.expires_at == NOW + TOKEN_TTL
    assert issued.id == token_id(issued.token)
    short = rig.access.issue("u-1", Role.CONSUMER, ttl=timedelta(hours=1))
    rig.now = NOW + timedelta(hours=1)
    assert rig.access.find(short.token) is None
    assert rig.access.find(issued.token) is not None


def test_revoking_by_id_tells_every_cache_and_ends_the_tokens_sessions(rig):
    issued = rig.access.issue("ops-lihua", Role.OPERATOR)
    opened = rig.access.sign_in(issued.token)
    assert opened is not None
    session_id, _ = opened
    assert rig.access.revoke(issued.id)
    assert len(rig.forgotten) == 1
    assert rig.access.find(issued.token) is None
    assert rig.access.session(session_id) is None
    assert not rig.access.revoke("0123456789abcdef")
    assert len(rig.forgotten) == 1


def test_a_session_lasts_a_shift_or_until_its_token_expires_whichever_is_first(rig):
    long = rig.access.issue("ops-lihua", Role.OPERATOR)
    opened = rig.access.sign_in(long.token)
    assert opened is not None
    session_id, who = opened
    assert who.expires_at == NOW + SESSION_TTL
    rig.now = NOW + SESSION_TTL
    assert rig.access.session(session_id) is None

    rig.now = NOW
    brief = rig.access.issue("risk-wang", Role.RISK, ttl=timedelta(hours=2))
    opened = rig.access.sign_in(brief.token)
    assert opened is not None
    assert opened[1].expires_at == NOW + timedelta(hours=2)


def test_signing_out_ends_the_session_and_no_unknown_token_opens_one(rig):
    issued = rig.access.issue("ops-lihua", Role.OPERATOR)
    opened = rig.access.sign_in(issued.token)
    assert opened is not None
    rig.access.sign_out(opened[0])
    assert rig.access.session(opened[0]) is None
    assert rig.access.sign_in("not-a-token") is None
