"""The risk check on 抢购 attempts: a buyer's first attempt in this process is checked in
full (links, counters, clusters: a ring's accounts are refused at their first grab);
after it the hot path answers from memory and never waits on the check.

A buyer's later attempt is looked up in this process's memory: the last answer of
the full check for this buyer, device and address (kept `keep` seconds, then asked
again behind while the old answer still stands), a buyer the full check refused
lately, and what the check tells from memory alone (`known`: the blacklist as the
process holds it; all there is to tell when the attempt's rules are blacklists). What
memory cannot tell is let through, and the full check (`assess`: links, counters,
clusters) runs behind on one thread of this process, its answer kept for the buyer's
next attempt — and once a second at least, so the rules and the lists are re-read.

Where the gate's own step can carry the check (`checked`: the attempt's rules weigh
windows, identifiers' accounts and the blacklist, on the gate's Redis server), every
attempt is checked in full in that step instead (`services/risk_checked.py`): no round
trip of its own, no answer from memory but the blacklist's, nothing left behind. A
buyer's terms on one identity serve their later attempts, in any sale, as they are (up
to `CARRIED_SECONDS`, renewed every `RENEWED_SECONDS`: their floors looked at) while
the rules version and the blacklist's stand (`stamp`): one look-up an attempt. Both
are read again behind once a second (`REREAD_SECONDS`), and when either moved every
buyer's terms are made again at their next attempt: a process that only serves
attempts still follows a new version or a listed device within about a second. The
step weighs the accounts behind identifiers only on an attempt that could take stock:
a storm on a sale sold out costs the check its windows alone.

A block refuses the attempt (403 `risk_blocked`); review lets it through: the units
are the gate's to give, and what a held buyer earns from the order is held as for
any order under review.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from functools import partial

from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.services.ports.flash import CheckedTerms
from dacu.services.ports.risk import RiskCheck

log = logging.getLogger(__name__)
KEEP_SECONDS = 5.0
CARRIED_SECONDS = 60.0  # a buyer's terms carried again for this long at most
RENEWED_SECONDS = 5.0  # … and renewed this often meanwhile: their floors looked at
MOST_KEPT = 100_000  # answers kept at once; forgotten all together beyond it
REREAD_SECONDS = 1.0  # the full check at least this often: the rules and lists re-read
MOST_WAITING = 10_000  # attempts waiting for the full check; past it, not asked
THREAD = "dacu-behind-flash-risk"  # named as every thread working behind the callers
Key = tuple[str, str, str]  # buyer, device, address
Carried = tuple[object, float, CheckedTerms, float]  # the stamp's token, until when
# (renewed then), the terms, until when at most


class FlashScreen:
    def __init__(
        self,
        risk: RiskCheck,
        clock: Callable[[], datetime],
        keep: float = KEEP_SECONDS,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self._risk, self._clock, self._keep, self._ticks = risk, clock, keep, ticks
        self._known: Callable[[RiskQuery], RiskDecision | None] | None = getattr(
            risk, "known", None
        )
        self._terms: Callable[..., CheckedTerms | None] | None = getattr(risk, "checked", None)
        self._stamp: Callable[[], tuple[object, int]] | None = getattr(risk, "stamp", None)
        self._reread: Callable[[], None] | None = getattr(risk, "reread", None)
        self._seen: dict[Key, tuple[bool, float]] = {}
        self._refused: dict[str, float] = {}  # buyers the full check refused, until when
        self._carried: dict[tuple[str, ...], Carried] = {}
        self._stamped: tuple[object, int] | None = None  # the stamp the reread behind saw
        self._token = object()  # … which the carried terms stand on: new when it moves
        self._waiting: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._due = 0.0  # when the full check next runs though memory tells it all
        self._reread_due = 0.0  # when the rules and the list are next read again behind

    def checked(
        self, customer_id: str, identity: Identity, sale_id: str
    ) -> tuple[bool, CheckedTerms | None]:
        """Whether the attempt is blocked now; if not, the check the gate's step carries
        (None: there is none to carry, `blocked` answered)."""
        now, token = self._ticks(), self._token
        carrying = self._stamp is not None
        if carrying:
            if now >= self._reread_due:
                self._reread_due = now + REREAD_SECONDS
                self._later(self._restamped)
            i = identity  # its fields as the key: str hashes are kept, a dataclass's not
            key = (customer_id, i.device, i.ip, i.address, i.payment_account, i.phone)
            carried = self._carried.get(key)
            if carried is not None and carried[0] is token:
                if carried[1] > now:
                    return False, carried[2]
                if carried[3] > now:
                    carried[2].renewed()  # their floors read again behind, where due
                    self._carried[key] = (token, now + RENEWED_SECONDS, carried[2], carried[3])
                    return False, carried[2]
        query = RiskQuery(
            Action.FLASH_ATTEMPT, customer_id, self._clock(), subject=sale_id, identity=identity
        )
        known = None if self._known is None else self._known(query)
        if known is not None:  # the blacklist, or rules that are all blacklists
            return known.verdict is Verdict.BLOCK, None
        found = None if self._terms is None else self._terms(query, self._clock)
        if found is None:
            return self.blocked(customer_id, identity, sale_id), None
        if carrying:
            if len(self._carried) >= MOST_KEPT:
                self._carried.clear()
            self._carried[key] = (token, now + RENEWED_SECONDS, found, now + CARRIED_SECONDS)
        return False, found

    def _restamped(self) -> None:
        """The rules and the blacklist read again (when due); when what the terms stand on
        moved — read here or by any other check of the process — a new token: every
        buyer's terms made again at their next attempt."""
        if self._reread is not None:
            self._reread()
        stamp = self._stamp() if self._stamp is not None else None
        seen = self._stamped
        if stamp is not None and (seen is None or stamp[0] is not seen[0] or stamp[1] != seen[1]):
            self._stamped, self._token = stamp, object()

    def blocked(self, customer_id: str, identity: Identity, sale_id: str) -> bool:
        """Whether the check blocks this buyer's attempts now (from memory)."""
        key = (customer_id, identity.device, identity.ip)
        now = self._ticks()
        kept = self._seen.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        query = RiskQuery(
            Action.FLASH_ATTEMPT, customer_id, self._clock(), subject=sale_id, identity=identity
        )
        if self._known is None or kept is None:  # a buyer new to this process: asked now
            return self._keep_answer(key, self._refuses(query), now)
        refused = self._refused.get(customer_id, 0.0) > now or (kept is not None and kept[0])
        found = None if refused else self._known(query)
        if found is not None:  # memory told it all
            refused = found.verdict is Verdict.BLOCK
        self._keep_answer(key, refused, now)  # stands until the full check answers
        if found is None or now >= self._due:  # and the rules and lists re-read behind
            self._due = now + REREAD_SECONDS
            self._later(partial(self._check, key, query))
        return refused

    def _refuses(self, query: RiskQuery) -> bool:
        return self._risk.assess(query).verdict is Verdict.BLOCK

    def _keep_answer(self, key: Key, refused: bool, now: float) -> bool:
        if len(self._seen) >= MOST_KEPT:
            self._seen.clear()
            self._refused.clear()
        self._seen[key] = (refused, now + self._keep)
        if refused:
            self._refused[key[0]] = now + self._keep
        return refused

    def _check(self, key: Key, query: RiskQuery) -> None:
        self._keep_answer(key, self._refuses(query), self._ticks())

    def _later(self, work: Callable[[], None]) -> None:
        with self._lock:
            if len(self._waiting) >= MOST_WAITING:
                return  # a storm past the check's pace: memory answers meanwhile
            self._waiting.append(work)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while self._next():
            time.sleep(0)  # the GIL back to the hot path between two checks

    def _next(self) -> bool:
        with self._lock:
            if not self._waiting:
                self._thread = None
                return False
            work = self._waiting.popleft()
        try:
            work()
        except Exception:  # the engine never raises; a bug here must not stop the thread
            log.exception("flash risk check failed")
        return True

    def flush(self, seconds: float = 30.0) -> None:
        """Wait (up to `seconds`) until every attempt waiting was checked (tests, shutdown)."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            with self._lock:
                if self._thread is None:
                    return
            time.sleep(0.005)
