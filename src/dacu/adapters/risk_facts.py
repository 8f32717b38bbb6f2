"""The slower facts risk rules read (`RiskFacts`), from SQL, kept warm in the process
(`adapters/risk_facts_kept.py`: fresh 2 s, then served up to 60 s while read again
behind; `changed` reads a customer's again behind at once).

- `invite_shape`: the invite tree below a customer from `referrals` (kind "invite"):
  members invited directly, levels below (followed to `MAX_DEPTH`), how many of those
  invited directly never paid an order (no order paid or refunded), and how many were
  invited within the day before `at`.
- `standing`: when the customer registered (`customers`), their orders paid (paid or
  refunded since) and those refunded whole or in part.
- `linked_to_shop`: a shop's own people are the principals of role merchant whose
  shops include it (`principals`, `adapters/principals.py`), by subject, revoked
  tokens too (the person is the same). Their identifiers are those linked under their
  subject, as the merchant console and API link them. A customer is linked to the shop
  when they are one of those people, or share an identifier of a merging kind (a
  device, a payment account, a delivery address, a phone — not an IP) with one.
- `shared_accounts`: how many accounts were seen with the query's device, paying
  account or phone (`risk_values`, hashed as the links hash them), read fresh: one
  primary-key read, and a farm's next account must count the one before.
- `shared_live` (with Redis, `adapters/risk_shared.py`): the same counts live in Redis,
  the asking account added in the same round trip; SQL's count is the floor, read
  behind (when Redis has none, and every `FLOOR_SECONDS`) with the accounts SQL linked
  to the identifier when few, which Redis then holds with its own.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from dacu.adapters.behind import Behind
from dacu.adapters.redis_connect import run_calls
from dacu.adapters.risk_fact_reads import (
    TreeRead,
    accounts_counted,
    floors_of,
    hour_of,
    people,
    shapes_many,
    shares,
    standing,
    standing_many,
)
from dacu.adapters.risk_facts_kept import FRESH_SECONDS, KeptFacts, Key, Read
from dacu.adapters.risk_links import MERGING
from dacu.adapters.risk_shared import RedisSharedAccounts
from dacu.adapters.risk_values import stored
from dacu.domain.risk import Identity, LinkKind
from dacu.services.ports.risk_links import InviteShape, Standing

FACTS_SECONDS = FRESH_SECONDS  # short: a farm acts within seconds
FLOOR_SECONDS = 30.0  # SQL's count of an identifier's accounts read again at least this often
UNFLOORED_SECONDS = 1.0  # an identifier Redis holds no floor of: asked again after this
_LOCAL_MAX = 100_000

T = TypeVar("T")


class SharedAsk:
    """Script calls counting a check's identifiers (`calls`, each identifier's `kinds`),
    and how their replies answer (`answer`); `floored` when every identifier is known
    floored: the floors read again behind where due (SQL's counts, `FLOOR_SECONDS`).
    One object a check, kept with a buyer's prepared check: slots, no closures."""

    __slots__ = ("_facts", "_shared", "_wanted", "calls", "client", "kinds")

    def __init__(
        self,
        facts: "SqlRiskFacts",
        shared: RedisSharedAccounts,
        member: str,
        wanted: tuple[tuple[str, str], ...],  # each identifier's (kind, stored value)
    ) -> None:
        self._facts, self._shared, self._wanted = facts, shared, wanted
        self.client = shared.client
        self.calls = shared.calls(member, [value for _, value in wanted])
        self.kinds = tuple(kind for kind, _ in wanted)

    def answer(self, replies: list[Any]) -> dict[str, int]:
        found: dict[str, int] = {}
        pairs = zip(self._wanted, self._shared.answers(replies), strict=True)
        for (kind, value), (n, floored) in pairs:
            self._facts.floor_when_due(kind, value, floored)
            found[kind] = max(n, found.get(kind, 0))
        return found

    def floored(self) -> None:
        for kind, value in self._wanted:
            self._facts.floor_when_due(kind, value, True)


class SqlRiskFacts:
    def __init__(
        self,
        engine: Engine,
        ttl_s: float = FACTS_SECONDS,
        merging: Iterable[LinkKind] = MERGING,
        now: Callable[[], float] = time.monotonic,
        key: bytes = b"",
        shared: RedisSharedAccounts | None = None,
    ) -> None:
        self._engine, self._now, self._key, self._shared = engine, now, key, shared
        self._merging = sorted(kind.value for kind in merging)
        self._kept = KeptFacts(engine, fresh_s=ttl_s, now=now)
        self._kept.many("standing", _standings)  # the standings read behind, in one go
        self._kept.many("shape", _shapes)  # and the invite trees
        self._floored: dict[str, float] = {}  # identifiers whose floor was asked, when
        self._floors: Behind[tuple[str, str]] = Behind(
            engine, self._read_floors, most=500, name="risk-floors", linger=0.5
        )  # (kind, value) whose floor is read again: many in one read, at most twice a second
        self._hashes: dict[tuple[str, str], str] = {}  # (kind, raw) → stored
        self._aged = 0  # the invite rules' age of an invitee that tells (last asked)
        self.counts_live = shared is not None  # `shared_live` needs no wait on the links

    def _cached(self, key: tuple[str, ...], read: Callable[[Connection], T]) -> T:
        return self._kept.get(key, read)

    def changed(
        self, customer_id: str, at: datetime, standing: bool = True, tree: bool = True
    ) -> None:
        """The customer's standing and (or) invite tree read again behind (a deed changed
        them); the kept answers served meanwhile."""
        if standing:
            self._kept.refresh(("standing", customer_id))
        if tree:
            self._kept.refresh(("shape", customer_id, hour_of(at), str(self._aged)))

    def prefetch(self, customer_id: str, at: datetime, tree: bool = True) -> None:
        """The customer's standing and (with `tree`) invite tree read behind when none is
        kept (the first sight of them): the rules that weigh them later find them warm."""
        self._kept.ahead(("standing", customer_id), lambda c: standing(c, customer_id))
        if tree:
            aged = self._aged
            key = ("shape", customer_id, hour_of(at), str(aged))
            self._kept.ahead(key, TreeRead(customer_id, at, aged))

    def flush(self) -> None:
        """Every read queued behind done now (tests, shutdown)."""
        self._floors.flush()
        self._kept.flush()

    def invite_shape(self, customer_id: str, at: datetime, aged_days: int = 0) -> InviteShape:
        self._aged = aged_days  # the rules' age, for the reads queued by `changed`/`prefetch`
        return self._cached(
            ("shape", customer_id, hour_of(at), str(aged_days)),
            TreeRead(customer_id, at, aged_days),
        )

    def standing(self, customer_id: str) -> Standing:
        return self._cached(("standing", customer_id), lambda c: standing(c, customer_id))

    def shared_accounts(self, identity: Identity, kinds: frozenset[str]) -> dict[str, int]:
        wanted = {
            stored(LinkKind(kind), raw, self._key): kind
            for kind in sorted(kinds)
            if (raw := str(getattr(identity, kind, "") or ""))
        }
        wanted.pop("", None)
        if not wanted:
            return {}
        with self._engine.connect() as connection:
            found = accounts_counted(connection, wanted)
        return {wanted[value]: n for value, n in found.items()}

    def shared_live(
        self, customer_id: str, identity: Identity, kinds: frozenset[str]
    ) -> dict[str, int]:
        """`shared_accounts` counted in Redis, the customer added: one round trip."""
        ask = self.shared_ask(customer_id, identity, kinds)
        if ask is None:
            return self.shared_accounts(identity, kinds)
        return ask.answer(run_calls(ask.client, ask.calls)) if ask.calls else {}

    def shared_ask(
        self, customer_id: str, identity: Identity, kinds: frozenset[str]
    ) -> "SharedAsk | None":
        """`shared_live` as script calls, to be sent in the counters' round trip; None
        without Redis."""
        shared = self._shared
        if shared is None:
            return None
        wanted = tuple(
            (kind, value) for kind in sorted(kinds) if (value := self._stored(identity, kind))
        )
        return SharedAsk(self, shared, customer_id, wanted)

    def floor_when_due(self, kind: str, value: str, floored: bool) -> None:
        """SQL's count of the identifier read again behind, when due: every
        `FLOOR_SECONDS` while Redis holds a floor, after `UNFLOORED_SECONDS` when not."""
        now = self._now()
        every = FLOOR_SECONDS if floored else UNFLOORED_SECONDS
        if self._floored.get(value, float("-inf")) + every <= now:
            self._floor_behind(kind, value, now)

    def _stored(self, identity: Identity, kind: str) -> str:
        raw = str(getattr(identity, kind, "") or "")
        if not raw:
            return ""
        found = self._hashes.get((kind, raw))
        if found is None:
            if len(self._hashes) >= _LOCAL_MAX:
                self._hashes.clear()
            found = self._hashes[(kind, raw)] = stored(LinkKind(kind), raw, self._key)
        return found

    def _floor_behind(self, kind: str, value: str, now: float) -> None:
        if len(self._floored) >= _LOCAL_MAX:
            self._floored.clear()
        self._floored[value] = now
        self._floors.put((kind, value))

    def _read_floors(self, asked: Sequence[tuple[str, str]]) -> None:
        """SQL's counts of the identifiers asked, in one read, as their floors in Redis
        (0 for one SQL never saw), and the accounts SQL linked to those it counts few of,
        added to Redis's (`floors_of`)."""
        shared, wanted = self._shared, {value: kind for kind, value in asked}
        if shared is None or not wanted:
            return
        with self._engine.connect() as connection:
            counts, accounts = floors_of(connection, wanted)
        shared.floor(counts, accounts)

    def linked_to_shop(self, customer_id: str, shop: str) -> bool:
        own = self._cached(("people", shop), lambda c: people(c, shop))
        if not own:
            return False
        if customer_id in own:
            return True
        key = ("linked", customer_id, shop)
        if self._kept.peek(key):  # links are never undone: a link seen stays
            return True

        def read(connection: Connection) -> bool:
            return shares(connection, customer_id, own, self._merging)

        # "not linked" is never kept: a block rule weighs it, and the shop's merchant may
        # have been seen on the buyer's device a moment ago, by another process
        with self._engine.connect() as connection:
            linked = read(connection)
        if linked:
            self._kept.put(key, read, True)
        return linked


def _standings(connection: Connection, asked: list[tuple[Key, Read]]) -> dict[Key, Any]:
    """The standings of the keys ("standing", id) asked, in one read."""
    found = standing_many(connection, [key[1] for key, _ in asked])
    return {key: found[key[1]] for key, _ in asked if key[1] in found}


def _shapes(connection: Connection, asked: list[tuple[Key, Read]]) -> dict[Key, Any]:
    """The invite trees of the keys ("shape", …) asked, in one read; a key read another
    way (none is, but a read is any callable) read alone."""
    trees = {key: read for key, read in asked if isinstance(read, TreeRead)}
    found = shapes_many(connection, list(trees.values()))
    answers = {key: found[read] for key, read in trees.items()}
    return answers | {key: read(connection) for key, read in asked if key not in trees}
