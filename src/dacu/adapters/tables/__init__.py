"""The relational schema as SQLAlchemy Core tables, one module per aggregate, all on
one explicit `metadata` (migrations in `adapters/migrations/`). Import a table from
here; importing this package declares every table."""

from dacu.adapters.tables.access import audit_log, console_sessions, principals
from dacu.adapters.tables.acquisition import (
    acquisition_counts,
    acquisition_rewards,
    invite_codes,
    merchant_codes,
    shares,
)
from dacu.adapters.tables.alert import alerts
from dacu.adapters.tables.appeals import appeals, payouts, subsidy_reviews
from dacu.adapters.tables.base import AwareDateTime, metadata
from dacu.adapters.tables.budget import budget_draws, budget_release_requests, budget_releases
from dacu.adapters.tables.campaign import campaigns
from dacu.adapters.tables.coins import coin_balances, coin_entries
from dacu.adapters.tables.coupon import activity_codes, coupon_holdings, coupon_templates, coupons
from dacu.adapters.tables.customer import customer_units, customers
from dacu.adapters.tables.flash import (
    flash_counts,
    flash_orders,
    flash_rates,
    flash_reminders,
    flash_reservations,
    flash_sales,
)
from dacu.adapters.tables.goods import goods_revision, shops, skus
from dacu.adapters.tables.journal import journal_entries, journal_postings
from dacu.adapters.tables.kpi import cases, events, kpi_buyers, kpi_hourly, kpi_seen, kpi_skus
from dacu.adapters.tables.lottery import (
    lottery_chances,
    lottery_draws,
    lottery_given,
    lottery_grants,
)
from dacu.adapters.tables.merchant import enrollments, merchants
from dacu.adapters.tables.notification import notifications
from dacu.adapters.tables.order import ledger, orders, refunds
from dacu.adapters.tables.outbox import event_outbox
from dacu.adapters.tables.payment import (
    payment_callbacks,
    payment_channel_errors,
    payment_refunds,
    payment_routing,
    payments,
)
from dacu.adapters.tables.rebates import rebate_firsts, rebates
from dacu.adapters.tables.referrals import referrals
from dacu.adapters.tables.registration import code_requests, messages, verification_codes
from dacu.adapters.tables.rewards import (
    redemption_counts,
    redemption_stock,
    redemptions,
    rewards,
)
from dacu.adapters.tables.risk_links import risk_links, risk_nodes, risk_values
from dacu.adapters.tables.risk_rules import (  # noqa: F401  (declares them)
    risk_blacklist,
    risk_change_numbers,
    risk_counter_hits,
    risk_decisions,
    risk_rule_versions,
)
from dacu.adapters.tables.shipping import ad_rebate_totals, ad_spends, penalties, shipments
from dacu.adapters.tables.statements import settlement_runs, statement_lines, statements
from dacu.adapters.tables.stock import stock, stock_reservations
from dacu.adapters.tables.tasks import (
    coin_awards,
    coin_issued,
    coin_orders,
    sign_ins,
    task_days,
    task_months,
    tasks_done,
)

__all__ = [
    "AwareDateTime",
    "acquisition_counts",
    "acquisition_rewards",
    "activity_codes",
    "ad_rebate_totals",
    "ad_spends",
    "alerts",
    "appeals",
    "audit_log",
    "budget_draws",
    "budget_release_requests",
    "budget_releases",
    "campaigns",
    "cases",
    "code_requests",
    "coin_awards",
    "coin_balances",
    "coin_entries",
    "coin_issued",
    "coin_orders",
    "console_sessions",
    "coupon_holdings",
    "coupon_templates",
    "coupons",
    "customer_units",
    "customers",
    "enrollments",
    "event_outbox",
    "events",
    "flash_counts",
    "flash_orders",
    "flash_rates",
    "flash_reminders",
    "flash_reservations",
    "flash_sales",
    "goods_revision",
    "invite_codes",
    "journal_entries",
    "journal_postings",
    "kpi_buyers",
    "kpi_hourly",
    "kpi_seen",
    "kpi_skus",
    "ledger",
    "lottery_chances",
    "lottery_draws",
    "lottery_given",
    "lottery_grants",
    "merchant_codes",
    "merchants",
    "messages",
    "metadata",
    "notifications",
    "orders",
    "payment_callbacks",
    "payment_channel_errors",
    "payment_refunds",
    "payment_routing",
    "payments",
    "payouts",
    "penalties",
    "principals",
    "rebate_firsts",
    "rebates",
    "redemption_counts",
    "redemption_stock",
    "redemptions",
    "referrals",
    "refunds",
    "rewards",
    "risk_links",
    "risk_nodes",
    "risk_values",
    "settlement_runs",
    "shares",
    "shipments",
    "shops",
    "sign_ins",
    "skus",
    "statement_lines",
    "statements",
    "stock",
    "stock_reservations",
    "subsidy_reviews",
    "task_days",
    "task_months",
    "tasks_done",
    "verification_codes",
]
