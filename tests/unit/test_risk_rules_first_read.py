"""The rules and the blacklist as a process first reads them: a check asking while that
first read is in flight on another thread (the flash screen's, behind) waits for it,
never answering from the empty copy the process started with."""

import threading
import time
from datetime import UTC, datetime

from dacu.domain.risk import Identity
from dacu.domain.risk_lists import ListEntry
from dacu.domain.risk_rules import ListKind
from dacu.schemas.risk_rules import default_rules
from dacu.services.risk_rules import ActiveRules, ListedCache

NOW = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)


class SlowList:
    """A blacklist whose version takes a while to read, with one device listed."""

    def __init__(self) -> None:
        self.reading = threading.Event()

    def version(self) -> int:
        self.reading.set()
        time.sleep(0.2)
        return 1

    def entries(self, kind=None, limit=500):
        return [ListEntry(ListKind.DEVICE, "farm-1", "farm", "risk-1", NOW)]


class SlowVersions:
    def __init__(self, rules) -> None:
        self.reading, self.rules = threading.Event(), rules

    def active_version(self) -> int:
        self.reading.set()
        time.sleep(0.2)
        return 7

    def active(self):
        return type("Version", (), {"document": None, "version": 7})()


def test_a_listed_device_asked_while_the_list_is_first_read_is_listed():
    store = SlowList()
    cache = ListedCache(store, every_s=60)  # type: ignore[arg-type]
    first = threading.Thread(target=cache.reread)
    first.start()
    store.reading.wait()
    # when: a check asks from memory while the first read is in flight
    found = cache.listed("u1", Identity(device="farm-1"), NOW, reread=False)
    first.join()
    assert found == frozenset({ListKind.DEVICE})
    assert cache.version == 1


def test_rules_asked_while_first_read_are_the_active_version():
    active = default_rules()
    versions = SlowVersions(active)
    rules = ActiveRules(versions, lambda document, version: active, default_rules(), 60)  # type: ignore[arg-type]
    first = threading.Thread(target=rules.current)
    first.start()
    versions.reading.wait()
    assert rules.kept() is active  # waited for the read: not the packaged defaults
    first.join()
