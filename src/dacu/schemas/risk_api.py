"""What the risk rules' routes take and give: rule versions and blacklist entries."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dacu.domain.risk_lists import ListEntry, RuleVersion
from dacu.domain.risk_rules import ListKind
from dacu.schemas.bounds import PRINTABLE, Moment

ListValue = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE)]


class VersionOut(BaseModel):
    version: int  # 0: the packaged defaults, never applied
    by: str
    at: datetime
    active: bool
    document: Any = None

    @classmethod
    def of(cls, found: RuleVersion, document: bool = False) -> "VersionOut":
        return cls(
            version=found.version,
            by=found.by,
            at=found.at,
            active=found.active,
            document=found.document if document else None,
        )


class RulesOut(BaseModel):
    active: VersionOut
    history: list[VersionOut]


class ListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ListKind
    value: ListValue
    reason: Annotated[str, Field(max_length=500, pattern=PRINTABLE)] = ""
    expires_at: Moment | None = None


class ListOut(BaseModel):
    kind: ListKind
    value: str
    reason: str
    by: str
    at: datetime
    expires_at: datetime | None

    @classmethod
    def of(cls, entry: ListEntry) -> "ListOut":
        return cls(
            kind=entry.kind,
            value=entry.value,
            reason=entry.reason,
            by=entry.by,
            at=entry.at,
            expires_at=entry.expires_at,
        )


class Unlisted(BaseModel):
    kind: ListKind
    value: str
    removed: bool  # False: it was not listed (a retry answers the same)
