"""The risk rules file (`examples/risk.yaml`): a list of rules, each with its `kind`,
a unique `code` (the reason code it gives), the `actions` it applies to, the `verdict`
and `score` it yields, and the thresholds of its kind. Checked here; a bad field is an
`InvalidRule` naming it (`rules[2].window_s`)."""

import json
from importlib.resources import files
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from dacu.domain import risk_rules as r
from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Action, Verdict
from dacu.schemas.bounds import Bp, Count, Fen
from dacu.schemas.promotions import field_path
from dacu.schemas.yamlfile import load_yaml

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Score = Annotated[int, Field(ge=0, le=r.MAX_SCORE)]
Window = Annotated[int, Field(ge=1, le=90 * 86_400, description="seconds")]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    actions: Annotated[list[Action], Field(min_length=1, max_length=32)]
    verdict: Literal["review", "block"] = "review"
    score: Score = 100
    note: Annotated[str, Field(max_length=500)] = ""

    def common(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "actions": frozenset(self.actions),
            "verdict": Verdict(self.verdict),
            "score": self.score,
        }


class VelocityIn(_Rule):
    kind: Literal["velocity"]
    scope: r.Scope
    window_s: Window
    limit: Count

    def to_domain(self) -> r.Rule:
        return r.Velocity(
            **self.common(), scope=self.scope, window_s=self.window_s, limit=self.limit
        )


class ClusterIn(_Rule):
    kind: Literal["cluster"]
    min_size: Annotated[int, Field(ge=2, le=1_000_000)]
    max_age_days: Annotated[int, Field(ge=0, le=3_650)] = 0

    def to_domain(self) -> r.Rule:
        return r.ClusterSize(
            **self.common(), min_size=self.min_size, max_age_days=self.max_age_days
        )


class SharedIn(_Rule):
    kind: Literal["shared"]
    kinds: Annotated[list[Literal["device", "payment_account", "phone"]], Field(min_length=1)]
    min_accounts: Annotated[int, Field(ge=2, le=1_000_000)]

    def to_domain(self) -> r.Rule:
        return r.SharedIdentifier(
            **self.common(), kinds=frozenset(self.kinds), min_accounts=self.min_accounts
        )


class InviteTreeIn(_Rule):
    kind: Literal["invite_tree"]
    fan_out: Count = 0
    depth: Annotated[int, Field(ge=0, le=1_000)] = 0
    never_ordered_bp: Bp = 0
    min_invites: Count = 5
    recent: Count = 0
    min_age_days: Annotated[int, Field(ge=0, le=90)] = 0

    def to_domain(self) -> r.Rule:
        return r.InviteTree(
            **self.common(),
            fan_out=self.fan_out,
            depth=self.depth,
            never_ordered_bp=self.never_ordered_bp,
            min_invites=self.min_invites,
            min_age_days=self.min_age_days,
            recent=self.recent,
        )


class NewAccountIn(_Rule):
    kind: Literal["new_account"]
    max_age_hours: Annotated[int, Field(ge=1, le=87_600)]
    min_amount: Fen = 0

    def to_domain(self) -> r.Rule:
        return r.NewAccount(
            **self.common(), max_age_hours=self.max_age_hours, min_amount=self.min_amount
        )


class ShopLinkIn(_Rule):
    kind: Literal["shop_link"]

    def to_domain(self) -> r.Rule:
        return r.ShopLink(**self.common())


class RefundRatioIn(_Rule):
    kind: Literal["refund_ratio"]
    max_ratio_bp: Annotated[int, Field(ge=1, le=10_000)]
    min_paid: Annotated[int, Field(ge=1, le=1_000_000)] = 3

    def to_domain(self) -> r.Rule:
        return r.RefundRatio(
            **self.common(), max_ratio_bp=self.max_ratio_bp, min_paid=self.min_paid
        )


class BlacklistIn(_Rule):
    kind: Literal["blacklist"]
    kinds: Annotated[list[r.ListKind], Field(min_length=1)]

    def to_domain(self) -> r.Rule:
        return r.Blacklisted(**self.common(), kinds=frozenset(self.kinds))


RuleIn = Annotated[
    VelocityIn
    | ClusterIn
    | SharedIn
    | InviteTreeIn
    | NewAccountIn
    | ShopLinkIn
    | RefundRatioIn
    | BlacklistIn,
    Field(discriminator="kind"),
]


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: Annotated[list[RuleIn], Field(max_length=200)]


_FILE = TypeAdapter(RulesFile)
KINDS = frozenset(
    {
        "velocity",
        "cluster",
        "shared",
        "invite_tree",
        "new_account",
        "shop_link",
        "refund_ratio",
        "blacklist",
    }
)


def load_rules(data: Any, version: int = 0) -> r.RuleSet:
    """Check a rules document (as read from YAML or JSON) and build the rule set.
    Raises InvalidRule naming the first bad field."""
    try:
        text = json.dumps(data, default=str)
        parsed = _FILE.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidRule(field_path(first["loc"], KINDS) or "rules", first["msg"]) from None
    except (TypeError, ValueError):
        raise InvalidRule("rules", "is not a rules document") from None
    seen: set[str] = set()
    for index, rule in enumerate(parsed.rules):
        if rule.code in seen:
            raise InvalidRule(f"rules[{index}].code", f"{rule.code} is used twice")
        seen.add(rule.code)
    return r.RuleSet(tuple(rule.to_domain() for rule in parsed.rules), version)


def default_document() -> Any:
    """The packaged default rules (`examples/risk.yaml`) as data."""
    return load_yaml(files("dacu.examples").joinpath("risk.yaml").read_text("utf-8"))


def default_rules() -> r.RuleSet:
    return load_rules(default_document(), 0)
