"""A campaign's domain objects as compact JSON, written once at apply time.

Loading a live catalog must not run every promotion back through the campaign
file's pydantic schema: the `compiled` column keeps the `Campaign` exactly as
the domain holds it, and reading it back only calls the dataclasses' own
constructors. The promotions — nearly all of a big campaign — are rows of
plain values, their windows kept once in a table; everything else is a JSON
object tagged `"@"` with its class, fields left at their default left out.
`FORMAT` changes whenever this layout does; a row compiled in another format
is compiled again from its document.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from dacu.domain import benefits, thresholds
from dacu.domain.campaigns import (
    Budget,
    Campaign,
    CampaignPromotion,
    CampaignStatus,
    Eligibility,
    Participation,
    Phase,
    PhaseWindow,
    Target,
)
from dacu.domain.coupons import Audience, CouponTemplate, Validity
from dacu.domain.growth import COMPILED_CLASSES, COMPILED_ENUMS
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level, Scope, Window
from dacu.domain.settlement_policy import CLASSES as SETTLEMENT_CLASSES
from dacu.domain.wallet import WalletKind

FORMAT = 5

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Campaign,
        PhaseWindow,
        Window,
        Target,
        Budget,
        Participation,
        Eligibility,
        CampaignPromotion,
        Promotion,
        Scope,
        CouponTemplate,
        Validity,
        benefits.FlashPrice,
        benefits.PercentOff,
        benefits.DirectOff,
        benefits.MemberPrice,
        benefits.GroupPrice,
        benefits.Bundle,
        benefits.Gift,
        thresholds.ThresholdOff,
        thresholds.ThresholdDiscount,
        thresholds.FirstOrderOff,
        thresholds.OffTier,
        thresholds.RateTier,
        thresholds.Step,
        *COMPILED_CLASSES,
        *SETTLEMENT_CLASSES,
    )
}
_ENUMS: dict[str, type[StrEnum]] = {
    cls.__name__: cls
    for cls in (CampaignStatus, Phase, Level, WalletKind, Audience, *COMPILED_ENUMS)
}
_FIELDS: dict[type[Any], tuple[tuple[str, Any], ...]] = {
    cls: tuple(
        (f.name, f.default if f.default is not dataclasses.MISSING else dataclasses.MISSING)
        for f in dataclasses.fields(cls)
    )
    for cls in _CLASSES.values()
}


_LEVELS = {level.value: level for level in Level}
_PHASES = {phase.value: phase for phase in Phase}


class UnknownLayout(ValueError):
    """The compiled JSON names a class or format this code does not know."""


def encode_campaign(campaign: Campaign) -> dict[str, Any]:
    """The campaign as the `compiled` column keeps it."""
    windows: dict[Window, int] = {}
    rows = [_promotion_row(held, windows) for held in campaign.promotions]
    return {
        "format": FORMAT,
        "campaign": _encode(replace(campaign, promotions=())),
        "windows": [[_time(w.starts_at), _time(w.ends_at)] for w in windows],
        "promotions": rows,
    }


def decode_campaign(compiled: Mapping[str, Any]) -> Campaign:
    """The campaign back from `encode_campaign`'s JSON; UnknownLayout if it is not that."""
    if compiled.get("format") != FORMAT:
        raise UnknownLayout(f"compiled format {compiled.get('format')!r}, not {FORMAT}")
    campaign = _decode(compiled["campaign"])
    if not isinstance(campaign, Campaign):
        raise UnknownLayout("the compiled JSON is not a campaign")
    windows = [Window(_parse(start), _parse(end)) for start, end in compiled["windows"]]
    promotions = tuple(_held(row, windows) for row in compiled["promotions"])
    return replace(campaign, promotions=promotions)


def _promotion_row(held: CampaignPromotion, windows: dict[Window, int]) -> list[Any]:
    p = held.promotion
    scope = p.scope
    return [
        p.id,
        p.level.value,
        _encode(p.benefit),
        None if scope == EVERYTHING else [_sorted(scope.skus), _sorted(scope.categories),
                                          _sorted(scope.shops)],
        p.shop,
        p.group,
        p.exclusive,
        p.funding_bp,
        windows.setdefault(p.window, len(windows)),
        held.phase.value if held.phase is not None else None,
        held.killed,
        *((held.department, held.budget) if held.department or held.budget else ()),
    ]  # fmt: skip


def _held(row: list[Any], windows: list[Window]) -> CampaignPromotion:
    pid, level, benefit, scope, shop, group, exclusive, funding_bp, window, phase, killed = row[:11]
    department, cap = row[11:13] if len(row) > 11 else (None, None)
    promotion = Promotion(
        id=pid,
        level=_LEVELS[level],
        benefit=_decode(benefit),
        scope=EVERYTHING if scope is None else _scope(*scope),
        shop=shop,
        group=group,
        exclusive=exclusive,
        funding_bp=funding_bp,
        window=windows[window],
    )
    return CampaignPromotion(promotion, _PHASES[phase] if phase else None, killed, department, cap)


def _scope(skus: Any, categories: Any, shops: Any) -> Scope:
    return Scope(
        frozenset(skus) if skus is not None else None,
        frozenset(categories) if categories is not None else None,
        frozenset(shops) if shops is not None else None,
    )


def _sorted(values: frozenset[str] | None) -> list[str] | None:
    return sorted(values) if values is not None else None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return _plain(value)  # an enum is a str too: tagged with its class
    if isinstance(value, datetime):
        return {"@": "dt", "v": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, frozenset | set):
        return {"@": "set", "v": sorted(_encode(item) for item in value)}
    if isinstance(value, Mapping):
        return {"@": "map", "v": {key: _encode(item) for key, item in value.items()}}
    cls = type(value)
    if cls not in _FIELDS:
        raise UnknownLayout(f"{cls.__name__} has no compiled form")
    encoded: dict[str, Any] = {"@": cls.__name__}
    for name, default in _FIELDS[cls]:
        item = getattr(value, name)
        if default is dataclasses.MISSING or item != default:
            encoded[name] = _encode(item)
    return encoded


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return {"@": type(value).__name__, "v": value.value}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    tag = value["@"]
    cls = _CLASSES.get(tag)
    if cls is not None:
        return cls(**{key: _decode(item) for key, item in value.items() if key != "@"})
    if tag == "dt":
        return datetime.fromisoformat(value["v"])
    if tag == "set":
        return frozenset(_decode(item) for item in value["v"])
    if tag == "map":
        return {key: _decode(item) for key, item in value["v"].items()}
    enum = _ENUMS.get(tag)
    if enum is None:
        raise UnknownLayout(f"no class {tag}")
    return enum(value["v"])
