"""The slower facts kept warm (`KeptFacts`) and the decision log written behind, on
SQLite and PostgreSQL: an answer served fresh, then while it is read again behind; a
change read again at once, never behind a batch that lingers; the log's rows whole."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from dacu.adapters.risk_decisions import SqlDecisionLog
from dacu.adapters.risk_facts_kept import KeptFacts
from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict

pytestmark = pytest.mark.integration
AT = datetime(2026, 11, 11, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
KEY = ("standing", "c1")


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Stored:
    """A fact as the database answers it: the value read back through SQL."""

    def __init__(self, value: int) -> None:
        self.value, self.reads = value, 0

    def __call__(self, connection: Connection) -> int:
        self.reads += 1
        return int(connection.execute(text("SELECT :v"), {"v": self.value}).scalar_one())


def _until(seen: "KeptFacts", wanted: int, seconds: float) -> float:
    """Seconds until the kept answer is `wanted` (the test fails past `seconds`)."""
    began = time.monotonic()
    while seen.peek(KEY) != wanted:
        assert time.monotonic() - began < seconds, f"still {seen.peek(KEY)}, not {wanted}"
        time.sleep(0.01)
    return time.monotonic() - began


def test_a_fresh_answer_is_served_an_aged_one_while_it_is_read_again(engine: Engine) -> None:
    ticks, fact = Ticks(), Stored(1)
    kept = KeptFacts(engine, fresh_s=2.0, stale_s=60.0, now=ticks, due_linger=0.0)
    assert kept.get(KEY, fact) == 1  # never read: read now
    fact.value = 2
    ticks.now += 1.9
    assert kept.get(KEY, fact) == 1
    assert fact.reads == 1
    ticks.now += 0.2
    assert kept.get(KEY, fact) == 1  # aged: the kept answer, read again behind
    kept.flush()
    assert kept.get(KEY, fact) == 2
    assert fact.reads == 2
    fact.value = 3
    ticks.now += 61
    assert kept.get(KEY, fact) == 3  # past stale: read now, nothing served old


def test_a_change_is_read_again_at_once_not_behind_a_lingering_batch(engine: Engine) -> None:
    ticks, fact = Ticks(), Stored(1)
    kept = KeptFacts(engine, fresh_s=2.0, now=ticks, due_linger=30.0)
    assert kept.get(KEY, fact) == 1
    ticks.now += 3
    fact.value = 2
    assert kept.get(KEY, fact) == 1  # due by age: waits (30 s here) for others to go with
    time.sleep(0.1)
    assert kept.peek(KEY) == 1
    fact.value = 3
    kept.refresh(KEY)  # a deed changed it: its own queue, within milliseconds
    assert _until(kept, 3, seconds=10.0) < 10.0
    kept.refresh(("standing", "never-kept"))  # nothing kept: nothing to read again
    assert kept.peek(("standing", "never-kept")) is None


def test_the_decision_log_keeps_every_field_of_what_it_was_given(engine: Engine) -> None:
    log = SqlDecisionLog(engine)
    identity = Identity(device="d-1", ip="10.0.0.1", phone="+8613800000001")
    for n, verdict in enumerate((Verdict.REVIEW, Verdict.BLOCK, Verdict.REVIEW)):
        query = RiskQuery(
            Action.INVITE_REWARD, "c-7", AT, "cmp-1111", 500 + n, f"invitee-{n}",
            {"member": "c-7", "shop": "店铺-1"}, identity,
        )  # fmt: skip
        log.record(query, RiskDecision(verdict, "cluster_size", 300 + n), ["cluster", "fan_out"])
    log.record(RiskQuery(Action.LOGIN, "c-8", AT), RiskDecision(Verdict.REVIEW, "x", 1), [])
    found = log.recent("c-7")  # flushes what waits behind first
    assert [row["subject"] for row in found] == ["invitee-2", "invitee-1", "invitee-0"]
    newest = found[0]
    assert newest["verdict"] == "review"
    assert newest["score"] == 302
    assert newest["amount"] == 502
    assert newest["campaign_id"] == "cmp-1111"
    assert newest["rules"] == ["cluster", "fan_out"]
    assert newest["context"] == {"member": "c-7", "shop": "店铺-1"}
    assert newest["identity"]["device"] == "d-1"
    assert newest["identity"]["address"] == ""
    assert newest["at"] == AT
    assert [row["customer_id"] for row in log.recent()] == ["c-8", "c-7", "c-7", "c-7"]
