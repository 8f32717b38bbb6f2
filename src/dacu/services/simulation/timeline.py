"""The virtual calendar: how busy each hour of a campaign is, and when shoppers come.

Traffic follows a day's curve (quiet at night, up from the morning, highest
in the evening), is several times heavier on the burst day, and peaks at its
整点 waves: midnight's opening rush, 10:00 and the 20:00 flash sale. In a
peak hour most shoppers arrive in its first minutes.
"""

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from dacu.domain.campaigns import Campaign, Phase, PhaseWindow

HOUR = timedelta(hours=1)
# fmt: off
DAY_CURVE = (  # relative traffic by hour of the day, 0:00 to 23:00
    3.0, 1.6, 0.8, 0.5, 0.4, 0.5, 1.0, 2.0, 3.5, 5.0, 6.5, 6.0,
    5.5, 5.0, 4.5, 4.5, 5.0, 5.5, 6.5, 8.0, 9.5, 10.0, 9.0, 6.0,
)
# fmt: on
BURST_PEAKS = {0: 14.0, 10: 2.0, 20: 3.0}  # extra load on top of the day's curve
PHASE_LOAD = {Phase.WARM_UP: (1.0,), Phase.BURST: (4.0,), Phase.ENCORE: (1.4, 0.9)}
"""Load per day of each phase (the last value holds for later days)."""
PEAK_RUSH_MINUTES = 4.0  # mean minutes after the hour at which a peak's rush arrives
PEAK_RUSH_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Hour:
    start: datetime
    phase: Phase
    day: int  # day of its phase, from 0
    weight: float  # relative traffic; never money
    peak: bool


class Timeline:
    """Every hour of the campaign's phases, from the first start to the last end."""

    def __init__(self, campaign: Campaign) -> None:
        hours: list[Hour] = []
        for held in sorted(campaign.phases, key=_start):
            starts, ends = _start(held), held.window.ends_at
            assert ends is not None
            at = starts
            while at < ends:
                day = (at - starts) // timedelta(days=1)
                loads = PHASE_LOAD.get(held.phase, (1.0,))
                extra = BURST_PEAKS.get(at.hour, 0.0) if held.phase is Phase.BURST else 0.0
                weight = DAY_CURVE[at.hour] * loads[min(day, len(loads) - 1)] * (1 + extra)
                hours.append(Hour(at, held.phase, day, weight, extra > 0))
                at += HOUR
        self.hours = tuple(hours)
        self.starts_at = hours[0].start
        self.ends_at = max(_end(held) for held in campaign.phases)
        self._by_start = {hour.start: hour for hour in hours}
        self._cumulative = tuple(itertools.accumulate(hour.weight for hour in hours))

    def moment(self, rng: random.Random) -> datetime:
        """A time a shopper comes, drawn by the hours' traffic."""
        picked = bisect.bisect_right(self._cumulative, rng.random() * self._cumulative[-1])
        hour = self.hours[min(picked, len(self.hours) - 1)]
        if hour.peak and rng.random() < PEAK_RUSH_SHARE:
            seconds = min(int(rng.expovariate(1 / (PEAK_RUSH_MINUTES * 60))), 3599)
        else:
            seconds = rng.randrange(3600)
        return hour.start + timedelta(seconds=seconds)

    def hour_of(self, at: datetime) -> Hour | None:
        return self._by_start.get(self.starts_at + (at - self.starts_at) // HOUR * HOUR)

    def phase_at(self, at: datetime) -> Phase | None:
        hour = self.hour_of(at)
        return hour.phase if hour else None


def _start(held: PhaseWindow) -> datetime:
    assert held.window.starts_at is not None
    return held.window.starts_at


def _end(held: PhaseWindow) -> datetime:
    assert held.window.ends_at is not None
    return held.window.ends_at
