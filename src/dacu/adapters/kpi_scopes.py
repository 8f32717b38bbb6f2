"""The distinct-people scopes as `kpi_seen` stores them: small integers, not text.

A scope of `dacu.domain.kpis` (`uv`, `payers`, `uv_hour:2026110813`…) is stored as a
code: each distinct counter has a fixed one, and the hourly-UV scope of an hour is
`HOURS` plus the hours from 1970 to it (UTC). A key of four bytes instead of up to
nineteen makes the table and its primary key smaller, and comparing keys cheaper, on
the writers' hottest statement. The codes are stored: they never change.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache

from dacu.domain.events import VIEWS
from dacu.domain.kpis import DISTINCT, HOURLY_UV

CODES: Mapping[str, int] = {
    "uv": 1,
    "active": 2,
    "carters": 3,
    "orderers": 4,
    "payers": 5,
    "claimers": 6,
    "new_users": 7,
}
REPEAT_BUYERS = 0
"""Not a scope of `kpi_seen`: the code repeat buyers are counted under beside the scopes'
firsts, in the set-based fold."""
HOURS = 1000
"""The hourly-UV scope of an hour: `HOURS` + the whole hours from 1970 (UTC) to it."""
_NAMES = {code: name for name, code in CODES.items()}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)

SCOPES = ", ".join(
    f"('{kind.value}', {CODES[scope]})"
    for scope, kinds in DISTINCT.items()
    for kind in sorted(kinds)
) + "".join(f", ('{kind.value}', {HOURS})" for kind in sorted(VIEWS))
"""(kind, code) pairs for SQL `VALUES`: the scopes an event of each kind counts its
person in; `HOURS` stands for the hourly-UV scope of the event's own hour."""


@cache
def code_of(scope: str) -> int:
    """The stored code of a scope of `dacu.domain.kpis.scopes_of`."""
    counter, _, hour = scope.partition(":")
    if counter == HOURLY_UV:
        began = datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)
        return HOURS + (began - _EPOCH) // _HOUR
    return CODES[counter]


@cache
def scope_of(code: int) -> str:
    """The scope a stored code stands for."""
    if code >= HOURS:
        return f"{HOURLY_UV}:{_EPOCH + (code - HOURS) * _HOUR:%Y%m%d%H}"
    return _NAMES[code]


def counter_of(code: int) -> str:
    """The counter of `Figures` a person first seen in the scope adds one to."""
    return HOURLY_UV if code >= HOURS else _NAMES[code]


def scope_sql(code: str, at: str) -> str:
    """SQL: the stored code of a person's scope, from a `SCOPES` code and the event's time."""
    hours = f"CAST(floor(extract(epoch FROM {at}) / 3600) AS integer)"
    return f"CASE WHEN {code} = {HOURS} THEN {HOURS} + {hours} ELSE {code} END"


def counter_sql(scope: str, counter: str) -> str:
    """SQL: whether the stored code `scope` counts in `counter`."""
    if counter == HOURLY_UV:
        return f"{scope} >= {HOURS}"
    if counter == "repeat_buyers":
        return f"{scope} = {REPEAT_BUYERS}"
    return f"{scope} = {CODES[counter]}"
