"""Settlement runs and statements (补贴结算单, plan 004).

A run settles an ended campaign: for each shop (or the one named) every posting
on its due accounts not yet on a statement becomes a line of its next statement,
issued with its SETTLEMENT entry in one transaction. A run key (the
Idempotency-Key) answers a retry with the statements its first call issued; a
run with nothing new issues nothing. `sweep` is the workers' part: it runs
settlement for ended campaigns with something unsettled, and raises an alert
when a campaign's statements are not issued by their due day.
"""

import time
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign, CampaignStatus
from dacu.domain.errors import ConcurrentChange, DomainError, IdempotencyConflict, InvalidRule
from dacu.domain.ledger import (
    DUE_KINDS,
    EntryKind,
    MerchantAccount,
    kind_of,
    shop_of,
)
from dacu.domain.settlement import Statement, StatementLine
from dacu.domain.settlement_run import UnknownStatement, due_on, settle
from dacu.domain.types import Fen
from dacu.domain.workdays import SHANGHAI
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.ledger import Ledger
from dacu.services.ports.settlement_runs import StatementStore

OVERDUE = "statement_overdue"
MAX_KEY = 120


class RebateSettler(Protocol):
    def settle(self, campaign_id: str, shop: str, now: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class RunResult:
    key: str
    campaign_id: str
    shop: str  # "" for every shop
    statements: tuple[Statement, ...]
    replayed: bool  # the key was run before: these are its statements


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One shop's statements against the ledger (all fen, owed to the shop)."""

    shop: str
    statements: int
    statements_total: Fen  # the sum of the shop's statements
    wallet_credits: Fen  # what SETTLEMENT entries moved into its wallet for the campaign
    unsettled: Fen  # due postings on no statement yet
    due_balance: Fen  # the due accounts' balance in the ledger

    @property
    def balanced(self) -> bool:
        return self.statements_total == self.wallet_credits and self.unsettled == self.due_balance


class SettlementService:
    def __init__(
        self,
        store: StatementStore,
        ledger: Ledger,
        campaigns: CampaignDirectory,
        rebates: RebateSettler,
        alerts: Alerts,
        is_workday: Callable[[date], bool],
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._ledger, self._campaigns = store, ledger, campaigns
        self._rebates, self._alerts = rebates, alerts
        self._is_workday, self._clock = is_workday, clock

    def due_on(self, campaign: Campaign, now: datetime) -> date:
        """The last working day to pay the campaign's statements (STATEMENT_STATE before
        the campaign has ended)."""
        return due_on(campaign, now, self._is_workday)

    def run(self, campaign_id: str, by: str, key: str, shop: str | None = None) -> RunResult:
        """Issue every shop's (or `shop`'s) next statement of what is unsettled."""
        if not key or len(key) > MAX_KEY:
            raise InvalidRule("idempotency_key", f"is required, at most {MAX_KEY} characters")
        if shop is not None and not (0 < len(shop) <= 64):
            raise InvalidRule("shop", "must be 1 to 64 characters")
        now = self._clock()
        campaign = self._campaigns.campaign(campaign_id)  # UNKNOWN_CAMPAIGN
        due_on = self.due_on(campaign, now)
        scoped = f"{campaign_id}:{key}"
        claimed = self._store.claim_run(scoped, campaign_id, shop or "", by, now)
        if claimed[:2] != (campaign_id, shop or ""):
            raise IdempotencyConflict("the Idempotency-Key was used for another run")
        if claimed[2]:
            for each in [shop] if shop else self._store.due_shops(campaign_id):
                self._issue(campaign_id, each, due_on, by, scoped, now)
        issued = tuple(self._store.of_run(scoped))
        return RunResult(key, campaign_id, shop or "", issued, not claimed[2])

    def _issue(
        self, campaign_id: str, shop: str, due_on: date, by: str, key: str, now: datetime
    ) -> Statement | None:
        for attempt in range(5):
            try:
                with self._store.book() as book:
                    book.lock(campaign_id, shop)
                    dues = book.unsettled(campaign_id, shop)
                    seq = book.last_seq(campaign_id, shop) + 1
                    made = settle(campaign_id, shop, seq, dues, now, due_on, by)
                    if made is None:
                        return None
                    statement, entry = made
                    book.add(statement, dues, key)
                    if entry is not None:
                        book.post(entry)
                break
            except ConcurrentChange:
                if attempt == 4:
                    raise
                time.sleep(0.02 * (attempt + 1))  # another run of the shop: let it finish
        if any(line.kind is MerchantAccount.REBATE for line in statement.lines):
            self._rebates.settle(campaign_id, shop, now)  # the 商家返利 statement says settled
        return statement

    # --- reading -----------------------------------------------------------------------

    def statements(self, campaign_id: str, shops: Collection[str] | None = None) -> list[Statement]:
        """The campaign's statements (of `shops`, when named), newest first."""
        self._campaigns.campaign(campaign_id)  # UNKNOWN_CAMPAIGN
        found = self._store.statements(campaign_id)
        return found if shops is None else [s for s in found if s.shop in shops]

    def statement(self, statement_id: str) -> Statement:
        found = self._store.header(statement_id)
        if found is None:
            raise UnknownStatement(statement_id)
        return found

    def lines(self, statement_id: str, offset: int = 0, limit: int = 100) -> list[StatementLine]:
        if offset < 0:
            raise InvalidRule("offset", "must be at least 0")
        if not 0 < limit <= 1000:
            raise InvalidRule("limit", "must be 1 to 1000")
        return self._store.lines(statement_id, offset, limit)

    def line_count(self, statement_id: str) -> int:
        return self._store.line_count(statement_id)

    def full(self, statement_id: str) -> Statement:
        """The statement with every line."""
        found = self._store.statement(statement_id)
        if found is None:
            raise UnknownStatement(statement_id)
        return found

    def reconcile(
        self, campaign_id: str, shops: Collection[str] | None = None
    ) -> list[Reconciliation]:
        """Per shop: its statements' total against the wallet credits of their entries,
        and the unsettled due postings against the due accounts' balance — equal to the fen."""
        self._campaigns.campaign(campaign_id)
        totals: dict[str, list[Fen]] = {}
        for s in self._store.statements(campaign_id):
            totals.setdefault(s.shop, []).append(s.total)
        credits: dict[str, Fen] = {}
        for line in self._ledger.lines("merchant:", campaign_id, (EntryKind.SETTLEMENT,)):
            if kind_of(line.account) is MerchantAccount.WALLET:
                shop = shop_of(line.account) or ""
                credits[shop] = credits.get(shop, 0) - line.amount
        due: dict[str, Fen] = {}
        for account, amount in self._ledger.balances("merchant:", campaign_id).items():
            if kind_of(account) in DUE_KINDS:
                shop = shop_of(account) or ""
                due[shop] = due.get(shop, 0) - amount
        every = sorted(set(totals) | set(credits) | set(due))
        return [
            Reconciliation(
                shop,
                len(totals.get(shop, [])),
                sum(totals.get(shop, [])),
                credits.get(shop, 0),
                -sum(d.amount for d in self._store.unsettled(campaign_id, shop)),
                due.get(shop, 0),
            )
            for shop in every
            if shops is None or shop in shops
        ]

    # --- the workers' part -------------------------------------------------------------

    def sweep(self, now: datetime) -> list[str]:
        """Settle every ended campaign with something unsettled; alert on any whose due
        day has passed with something still unsettled. Returns the statements issued."""
        issued: list[str] = []
        for record in self._campaigns.list():
            if record.status is not CampaignStatus.ENDED:
                continue
            if not self._store.due_shops(record.id):
                self._alerts.clear_alert(record.id, OVERDUE, now)
                continue
            campaign = self._campaigns.campaign(record.id)
            key = f"auto:{now.astimezone(SHANGHAI):%Y%m%dT%H%M%S}"
            with suppress(DomainError):  # a lost race or a refusal: the next sweep looks again
                issued += [s.id for s in self.run(record.id, "settlement-sweeper", key).statements]
            self._overdue(campaign, now)
        return issued

    def _overdue(self, campaign: Campaign, now: datetime) -> None:
        left = self._store.due_shops(campaign.id)
        if left and now.astimezone(SHANGHAI).date() > self.due_on(campaign, now):
            message = f"{len(left)} shop(s) of {campaign.id} have no statement past their due day"
            self._alerts.raise_alert(campaign.id, OVERDUE, "critical", message, now)
        elif not left:
            self._alerts.clear_alert(campaign.id, OVERDUE, now)
