"""`simulate`: a whole synthetic campaign, walked hour by hour on a virtual clock.

Every step — a visit, a payment, a refund, a flash-sale attempt, the sweeper
— waits in one queue ordered by its virtual time and runs with that time as
the services' `now`. The storefront's events go to the KPI service in batches
as the clock moves, and the server's own (its outbox) are delivered after each;
at 20:00 of the burst day the primary payment channel starts failing, and
payments move to the backup as its errors pass the threshold. When the
campaign is over it is archived into the case library.

Run twice with the same seed on the same database, nothing counts twice:
claims, checkouts, refunds and attempts carry keys fixed by the plan, and so
do the events.
"""

import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dacu.domain.alerts import Alert
from dacu.domain.campaigns import Campaign, Phase
from dacu.domain.review import Case, Dashboard
from dacu.services.payment_channels import ChannelsView
from dacu.services.review import archive
from dacu.services.simulation.attack_score import Score
from dacu.services.simulation.attackers import attack_plan
from dacu.services.simulation.attacking import BRUSHING_SHOP, Attacks
from dacu.services.simulation.caches import Prices, Templates
from dacu.services.simulation.catalog import BY_SKU
from dacu.services.simulation.crowd import Action, Crowd
from dacu.services.simulation.flash import FlashCounter, FlashTerms, flash_request, retry_request
from dacu.services.simulation.growth import Growing
from dacu.services.simulation.journal import Ingest, Journal
from dacu.services.simulation.plan import FlashTry, Shopper, Visit, demand, plan
from dacu.services.simulation.ports import World
from dacu.services.simulation.setup import Preparation, flash_sale, prepare
from dacu.services.simulation.storefront import Storefront
from dacu.services.simulation.timeline import HOUR, Timeline
from dacu.services.simulation.verdicts import Verdicts

PREPARATION = timedelta(days=7)  # the campaign is applied and enrolled this long before it starts
FLASH_WATCH = timedelta(minutes=1)
FLASH_GRACE = timedelta(minutes=20)  # holds unpaid at the sale's end run out after it
OUTAGE_HOUR = 20  # of the burst day: the primary payment channel starts timing out …
OUTAGE = timedelta(hours=3)  # … for this long; payments stay on the backup after it


@dataclass(frozen=True, slots=True)
class Progress:
    visits_done: int
    visits: int
    clock: datetime
    phase: Phase | None


@dataclass(frozen=True, slots=True)
class Outcome:
    campaign: Campaign
    customers: int
    seed: int
    preparation: Preparation
    tally: dict[str, int]
    events_sent: int
    events_counted: int  # new to the store: a repeated run counts none
    facts_delivered: int  # the server's own events (registrations, claims, orders …)
    board: Dashboard
    case: Case
    stock_alerts: tuple[Alert, ...]  # the flash sale's: 安全阈值, sold out
    channels: ChannelsView  # the payment channels at the end: the backup active after 20:00
    attacks: Score | None = None  # the labelled attack set's score, when the run had one


def simulate(
    world: World,
    document: dict[str, Any],
    campaign: Campaign,
    *,
    customers: int,
    seed: int,
    now: datetime,
    batch_size: int = 2000,
    progress: Callable[[Progress], None] | None = None,
    attacks: bool = False,
) -> Outcome:
    """Run the campaign of `document` with `customers` synthetic shoppers, then archive it.

    `now` is the real time: the campaign is archived as of then.
    """
    timeline = Timeline(campaign)
    flash = flash_sale(campaign, customers)
    sale = flash[0] if flash else None
    shoppers = list(plan(seed, customers, timeline, campaign.coupons, sale))
    before = timeline.starts_at - PREPARATION
    prepared = prepare(world, document, campaign, demand(shoppers), sale, before)
    ingest = Ingest(world.kpis, world.campaigns, world.alerts, world.outbox)
    journal, queue = Journal(ingest, campaign.id, batch_size, timeline.ends_at), _Queue()
    prices = Prices(world.campaigns, world.enrollments)
    coupons = Templates(world.coupons)
    terms = None
    if flash is not None:
        sale, promotion = flash
        terms = FlashTerms(sale, BY_SKU[sale.sku].list_price, promotion.platform_bp)
    crowd = Crowd(world, journal, queue.push)
    growing = None
    if world.growth is not None and campaign.growth.lottery is not None:
        growing = Growing(world.growth, campaign, crowd.tally, seed)
    store = Storefront(crowd, prices, coupons, before, growing)
    counter = FlashCounter(crowd, terms, _recorded(world, shoppers)) if terms else None
    visits = _enqueue(queue, store, counter, shoppers)
    attacking = _attacks(queue, crowd, campaign, customers, seed, terms) if attacks else None
    _enqueue_ticks(queue, world, timeline, (prices, coupons), terms)
    _enqueue_outage(queue, world, timeline, _primary_restored(world, before))
    done, clock = 0, timeline.starts_at
    for at, action, is_visit in queue.drain():
        clock = max(clock, at)
        action(at)
        if journal.full:
            journal.send(clock)
        if is_visit:
            done += 1
            if progress is not None and (done % 250 == 0 or done == visits):
                progress(Progress(done, visits, clock, timeline.phase_at(clock)))
    ingested, end = journal.close(clock), max(now, clock)
    board, case = archive(world.kpis, world.alerts, world.cases, campaign, end)
    stock_alerts = tuple(world.alerts.alerts(sale.id)) if sale is not None else ()
    channels = world.payments.channels.view(end)
    counted = (journal.sent, ingested.accepted, ingest.facts)
    scored = attacking.score() if attacking else None
    return Outcome(
        campaign, customers, seed, prepared, dict(crowd.tally), *counted, board, case,
        stock_alerts, channels, scored,
    )  # fmt: skip


class _Queue:
    """Steps by virtual time; steps of the same moment in the order they were queued."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, bool, Action]] = []
        self._order = itertools.count()

    def push(self, at: datetime, action: Action, is_visit: bool = False) -> None:
        heapq.heappush(self._heap, (at, next(self._order), is_visit, action))

    def drain(self) -> Iterator[tuple[datetime, Action, bool]]:
        while self._heap:
            at, _, is_visit, action = heapq.heappop(self._heap)
            yield at, action, is_visit


def _enqueue(
    queue: _Queue, store: Storefront, counter: FlashCounter | None, shoppers: list[Shopper]
) -> int:
    visits = 0
    for shopper in shoppers:
        for visit in shopper.visits:
            queue.push(visit.at, _visiting(store, shopper, visit), True)
            visits += 1
        if counter is not None:
            for tried in shopper.flash:
                queue.push(tried.at, _trying(counter, shopper, tried))
    return visits


def _visiting(store: Storefront, shopper: Shopper, visit: Visit) -> Action:
    return lambda now: store.visit(shopper, visit)


def _trying(counter: FlashCounter, shopper: Shopper, tried: FlashTry) -> Action:
    return lambda now: counter.attempt(shopper, tried, flash_request(shopper, tried), now)


def _enqueue_ticks(
    queue: _Queue,
    world: World,
    timeline: Timeline,
    caches: tuple[Prices, Templates],
    terms: FlashTerms | None,
) -> None:
    """The sweeper every hour (unpaid orders cancelled), prices and templates read afresh;
    the database's planner statistics at hours 1, 2, 4, 8 … (its tables grow from empty:
    a plan chosen without them may read every row an index would have skipped); during the
    flash sale, its sweeper and stock watch every minute."""

    def hourly(now: datetime) -> None:
        world.orders.expire_unpaid(now)
        for cache in caches:
            cache.refresh()

    statistics = world.statistics
    for n, hour in enumerate(timeline.hours):
        queue.push(hour.start, hourly)
        if statistics is not None and n > 0 and n & (n - 1) == 0:
            queue.push(hour.start, lambda now: statistics())
    queue.push(timeline.ends_at + HOUR, hourly)
    if terms is None:
        return

    def flash_watch(now: datetime) -> None:
        world.flashsales.sweep(now)
        world.flashsales.watch(now)

    at = terms.sale.starts_at
    while at <= terms.sale.ends_at + FLASH_GRACE:
        queue.push(at, flash_watch)
        at += FLASH_WATCH


def _attacks(
    queue: _Queue,
    crowd: Crowd,
    campaign: Campaign,
    customers: int,
    seed: int,
    terms: FlashTerms | None,
) -> Attacks | None:
    """The labelled attack set among the crowd, its steps queued; None when an earlier
    run on this database carried it out already."""
    world, timeline = crowd.world, Timeline(campaign)
    groups = attack_plan(seed, customers, BRUSHING_SHOP)
    verdicts = world.verdicts or Verdicts()
    if world.customers.facts(groups[0].members[0].id).phone_verified:
        crowd.tally["attack set already run"] += 1  # its deeds stand: run again, they'd
        return None  # meet a risk store that remembers them, so they sit this one out
    found = Attacks(world, groups, terms, campaign, timeline.starts_at, verdicts, customers)
    found.tally = crowd.tally
    for at, step in found.steps():
        queue.push(at, step)
    return found


def _primary_restored(world: World, now: datetime) -> str:
    """The primary channel healthy and chosen again (after an earlier run's outage)."""
    channels = world.payments.channels
    primary = channels.config.primary
    world.outage(primary, False)
    channels.switch(primary, "simulator", "the primary channel is back", now)
    return primary


def _enqueue_outage(queue: _Queue, world: World, timeline: Timeline, channel: str) -> None:
    """The primary channel's provider times out from 20:00 of the burst day, for a while."""
    for hour in timeline.hours:
        if hour.phase is Phase.BURST and hour.start.hour == OUTAGE_HOUR:
            queue.push(hour.start, lambda now: world.outage(channel, True))
            queue.push(hour.start + OUTAGE, lambda now: world.outage(channel, False))
            return


def _recorded(world: World, shoppers: list[Shopper]) -> set[str]:
    """Flash attempts an earlier run already made (their first events are stored)."""
    ids = []
    for shopper in shoppers:
        for tried in shopper.flash:
            request_id = flash_request(shopper, tried)
            ids += [f"{request_id}:1", f"{retry_request(request_id)}:1"]
    return world.recorded.stored(ids) if ids else set()
