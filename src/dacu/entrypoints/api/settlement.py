"""Settlement routes (补贴结算单): run a campaign's settlement, list its statements,
read one with its lines (paged), download it as CSV or XLSX, and reconcile the
statements with the ledger. Finance and operators see every shop; a merchant
only its own shops' statements."""

import re
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dacu.domain.settlement import Statement, StatementLine
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.settlement_statement import statement_csv, statement_xlsx
from dacu.entrypoints.statement_access import (
    RUNNERS,
    shops_of,
    visible_statement,
    visible_statements,
)
from dacu.schemas.bounds import PRINTABLE, Id

router = APIRouter(tags=["settlement"])
SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        pattern=PRINTABLE,
        description="the same key runs once and answers the same statements",
    ),
]


class RunIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    shop: Id | None = Field(default=None, description="settle this shop only")


class StatementOut(BaseModel):
    id: str
    campaign_id: str
    shop: str
    seq: int
    issued_at: datetime
    due_on: date
    total: int = Field(description="fen owed to the shop (negative: the shop owes)")
    status: str
    prepared_by: str


class LineOut(BaseModel):
    no: int
    kind: str
    entry_key: str
    amount: int = Field(description="fen: + owed to the shop, − taken from it")
    at: datetime
    refs: dict[str, str]


class RunOut(BaseModel):
    key: str
    campaign_id: str
    shop: str
    replayed: bool
    statements: list[StatementOut]


class DetailOut(StatementOut):
    line_count: int
    offset: int
    lines: list[LineOut]


class ReconcileOut(BaseModel):
    shop: str
    statements: int
    statements_total: int = Field(description="fen, the sum of the shop's statements")
    wallet_credits: int = Field(description="fen the statements' entries moved to its wallet")
    unsettled: int = Field(description="fen of due postings on no statement yet")
    due_balance: int = Field(description="fen, the due accounts' balance in the ledger")
    balanced: bool


def statement_out(s: Statement) -> StatementOut:
    return StatementOut(
        id=s.id,
        campaign_id=s.campaign_id,
        shop=s.shop,
        seq=s.seq,
        issued_at=s.issued_at,
        due_on=s.due_on,
        total=s.total,
        status=s.status.value,
        prepared_by=s.prepared_by,
    )


def _line(line: StatementLine) -> LineOut:
    return LineOut(
        no=line.no,
        kind=line.kind.value,
        entry_key=line.entry_key,
        amount=line.amount,
        at=line.at,
        refs=dict(line.refs),
    )


@router.post("/v1/campaigns/{campaign_id}/settlement-runs", response_model=RunOut, status_code=201)
def run_settlement(
    campaign_id: str,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    body: RunIn | None = None,
) -> RunOut:
    """Issue every shop's (or one shop's) next statement of what is unsettled, once the
    campaign has ended; the same key answers the same statements."""
    who.require(*RUNNERS)
    shop = body.shop if body is not None else None
    run = backend.settlement.run(campaign_id, who.subject, key, shop)
    return RunOut(
        key=run.key,
        campaign_id=run.campaign_id,
        shop=run.shop,
        replayed=run.replayed,
        statements=[statement_out(s) for s in run.statements],
    )


@router.get("/v1/campaigns/{campaign_id}/statements", response_model=list[StatementOut])
def campaign_statements(
    campaign_id: str, backend: PlatformDep, who: PrincipalDep
) -> list[StatementOut]:
    """The campaign's statements, newest first; a merchant's own shops only."""
    return [statement_out(s) for s in visible_statements(backend, who, campaign_id)]


@router.get("/v1/statements/{statement_id}", response_model=DetailOut)
def get_statement(
    statement_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DetailOut:
    """The statement and a page of its lines, each traceable to its order or refund."""
    found = visible_statement(backend, who, statement_id)
    lines = backend.settlement.lines(statement_id, offset, limit)
    count = backend.settlement.line_count(found.id)
    return DetailOut(
        **statement_out(found).model_dump(),
        line_count=count,
        offset=offset,
        lines=[_line(line) for line in lines],
    )


@router.get("/v1/statements/{statement_id}/csv")
async def statement_as_csv(statement_id: str, backend: PlatformDep, who: PrincipalDep) -> Response:
    """The statement as CSV (UTF-8 with a BOM), money in yuan to the fen."""
    full = await run_in_threadpool(_full, backend, who, statement_id)
    body = statement_csv(full, SHANGHAI)
    return Response(body, media_type="text/csv; charset=utf-8", headers=_named(full, "csv"))


@router.get("/v1/statements/{statement_id}/xlsx")
async def statement_as_xlsx(statement_id: str, backend: PlatformDep, who: PrincipalDep) -> Response:
    """The statement as a workbook: its lines, and its header and total apart."""
    full = await run_in_threadpool(_full, backend, who, statement_id)
    body = await run_in_threadpool(statement_xlsx, full, SHANGHAI)
    return Response(body, media_type=XLSX, headers=_named(full, "xlsx"))


@router.get("/v1/campaigns/{campaign_id}/settlement/reconcile", response_model=list[ReconcileOut])
def reconcile(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> list[ReconcileOut]:
    """Per shop: its statements' total against the ledger's wallet credits, and what is
    unsettled against its due balance — equal to the fen when `balanced`."""
    shops = shops_of(backend, who)
    return [
        ReconcileOut(
            shop=r.shop,
            statements=r.statements,
            statements_total=r.statements_total,
            wallet_credits=r.wallet_credits,
            unsettled=r.unsettled,
            due_balance=r.due_balance,
            balanced=r.balanced,
        )
        for r in backend.settlement.reconcile(campaign_id, shops)
    ]


def _full(backend: PlatformDep, who: PrincipalDep, statement_id: str) -> Statement:
    visible_statement(backend, who, statement_id)
    return backend.settlement.full(statement_id)


def _named(statement: Statement, extension: str) -> dict[str, str]:
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"statement-{statement.id}.{extension}")
    return {"Content-Disposition": f'attachment; filename="{name}"'}
