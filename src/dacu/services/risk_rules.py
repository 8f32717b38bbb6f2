"""The rules in force and the blacklist, as every process sees them: applied as
versions (who, when), re-read when the active version changes — each process checks
the version number at most every `every_s` seconds, a one-row read — and the
blacklist's entries cached in process the same way (`docs/risk.md`)."""

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Identity
from dacu.domain.risk_lists import ListEntry, RuleVersion
from dacu.domain.risk_rules import ListKind, RuleSet
from dacu.services.ports.risk_rules import Blacklist, RuleVersions

log = logging.getLogger(__name__)
Parse = Callable[[Any, int], RuleSet]  # a rules document and its version → the rules
RELOAD_S = 1.0  # every process sees a new version or list entry within about this


class ActiveRules:
    """The active version's rules; the packaged defaults while none was applied."""

    def __init__(
        self, versions: RuleVersions, parse: Parse, defaults: RuleSet, every_s: float = RELOAD_S
    ) -> None:
        self._versions, self._parse, self._defaults = versions, parse, defaults
        self._every_s = every_s
        self._rules, self._checked, self._refused = defaults, float("-inf"), -1
        self._read = False  # the first read done (a read in flight is waited for)
        self._lock = threading.Lock()

    def kept(self) -> RuleSet:
        """The rules as this process holds them, not re-read (the hot path's); read once
        when the process never read them."""
        return self._rules if self._read else self.current()

    def current(self) -> RuleSet:
        if self._read and time.monotonic() - self._checked < self._every_s:
            return self._rules
        with self._lock:
            if not self._read or time.monotonic() - self._checked >= self._every_s:
                try:
                    self._reload()
                finally:
                    self._read = True
        return self._rules

    def _reload(self) -> None:
        """Re-read the rules when the active version moved; a version that no longer parses
        (or storage that does not answer) leaves the rules in force as they are."""
        self._checked = time.monotonic()
        version = self._versions.active_version()
        if version in (self._rules.version, self._refused):
            return
        found = self._versions.active() if version else None
        try:
            self._rules = (
                self._defaults if found is None else self._parse(found.document, found.version)
            )
        except InvalidRule as error:
            log.error("risk rules version %s not loaded: %s", version, error)
            self._refused = version


_NONE_LISTED: frozenset[ListKind] = frozenset()


class ListedCache:
    """The blacklist's live entries in process, re-read when its version moves."""

    def __init__(self, blacklist: Blacklist, every_s: float = RELOAD_S) -> None:
        self._list, self._every_s = blacklist, every_s
        self._entries: dict[tuple[ListKind, str], ListEntry] = {}
        self._version, self._checked = -1, float("-inf")
        self._read = False  # the first read done (a read in flight is waited for)
        self._lock = threading.Lock()

    def listed(
        self, customer_id: str, identity: Identity, at: datetime, reread: bool = True
    ) -> frozenset[ListKind]:
        """The kinds under which the customer or their identity is listed at `at` (as
        this process holds the list, not re-read, when not `reread`)."""
        entries = self._fresh() if reread or self._version == -1 else self._entries
        if not entries:  # nothing listed: the usual case, answered at once
            return _NONE_LISTED
        asked = (
            (ListKind.ACCOUNT, customer_id),
            (ListKind.DEVICE, identity.device),
            (ListKind.IP, identity.ip),
            (ListKind.ADDRESS, identity.address),
            (ListKind.PAYMENT_ACCOUNT, identity.payment_account),
            (ListKind.PHONE, identity.phone),
        )
        return frozenset(
            kind
            for kind, value in asked
            if value and (entry := entries.get((kind, value))) is not None and entry.live(at)
        )

    @property
    def version(self) -> int:
        """The list's version as this process holds it (-1: never read)."""
        return self._version

    def reread(self) -> None:
        """The list read again when its version moved (when due: every `every_s`)."""
        self._fresh()

    def _fresh(self) -> dict[tuple[ListKind, str], ListEntry]:
        if self._read and time.monotonic() - self._checked < self._every_s:
            return self._entries
        with self._lock:
            if not self._read or time.monotonic() - self._checked >= self._every_s:
                self._checked = time.monotonic()  # a failed read is tried again a second on
                try:
                    version = self._list.version()
                    if version != self._version:
                        found = self._list.entries(limit=1_000_000)
                        self._entries = {(e.kind, e.value): e for e in found}
                        self._version = version
                finally:
                    self._read = True
        return self._entries


class RiskRulesAdmin:
    """What the risk role does: apply a rules file, read its versions, keep the list."""

    def __init__(
        self,
        versions: RuleVersions,
        blacklist: Blacklist,
        parse: Parse,
        defaults: Callable[[], Any],
        clock: Callable[[], datetime],
    ) -> None:
        self._versions, self._list, self._parse = versions, blacklist, parse
        self._defaults, self._clock = defaults, clock

    def apply(self, document: Any, by: str) -> RuleVersion:
        """Check the document (InvalidRule naming the field) and make it the active version;
        the same document as the active one is not a new version."""
        self._parse(document, 0)
        document = json.loads(json.dumps(document, default=str))  # as storage keeps it
        current = self._versions.active()
        if current is not None and current.document == document:
            return current
        return self._versions.apply(document, by, self._clock())

    def active(self) -> RuleVersion:
        """The active version; version 0 (the packaged defaults) while none was applied."""
        found = self._versions.active()
        if found is None:
            return RuleVersion(0, self._defaults(), "defaults", self._clock(), True)
        return found

    def history(self, limit: int = 50) -> list[RuleVersion]:
        return self._versions.history(limit)

    def blacklist(
        self,
        kind: ListKind,
        value: str,
        reason: str,
        by: str,
        expires_at: datetime | None = None,
    ) -> ListEntry:
        at = self._clock()
        if not value.strip():
            raise InvalidRule("value", "must not be empty")
        if expires_at is not None and expires_at <= at:
            raise InvalidRule("expires_at", "must be in the future")
        return self._list.add(ListEntry(kind, value.strip(), reason, by, at, expires_at))

    def unlist(self, kind: ListKind, value: str, by: str) -> bool:
        return self._list.remove(kind, value.strip(), by, self._clock())

    def listed(self, kind: ListKind | None = None, live_only: bool = True) -> list[ListEntry]:
        at = self._clock()
        found = self._list.entries(kind)
        return [e for e in found if e.live(at)] if live_only else found
