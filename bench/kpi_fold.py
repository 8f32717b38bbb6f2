"""The two ways a writer folds a batch into the rollups on PostgreSQL, side by side in
one process, printed as one JSON object.

`python_fold`: the events inserted as arrays, folded in Python (`domain/kpis.fold`),
`kpi_seen`, buyers, hourly and SKU rows upserted as arrays (what SQLite does);
`set_based`: the batch copied into a temporary table and folded by a few statements
(`adapters/kpi_fold.py`, what PostgreSQL does). They take turns, each transaction
`--batches` batches of 1,000 fresh events (as a writer takes ten), so the machine's
load falls on both alike; medians of `--rounds` transactions each.

    python -m bench.kpi_fold [--rounds 5] [--batches 10]

Needs PostgreSQL (DACU_TEST_DATABASE_URL or the local default).
"""

import argparse
import json
import os
import statistics
import time

from bench.events import START, _batches, _schema_url
from dacu.adapters import kpi_fold
from dacu.adapters.db import make_engine
from dacu.adapters.kpi_store import _insert_new, _roll_up
from dacu.domain.kpis import fold
from dacu.schemas.events import QueuedEvents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=10, help="batches of 1,000 per transaction")
    args = parser.parse_args()
    engine = make_engine(_schema_url())
    took: dict[str, list[float]] = {"python_fold": [], "set_based": []}
    offset = 0
    for _ in range(args.rounds):
        for way in took:
            bodies = _batches(args.batches, offset=offset)
            offset += args.batches
            events = [event for body in bodies for event in QueuedEvents.decode(body)]
            began = time.perf_counter()
            with engine.begin() as connection:
                if way == "set_based":
                    kpi_fold.record(connection, events, START)
                else:
                    _roll_up(connection, fold(_insert_new(connection, events, START)))
            took[way].append((time.perf_counter() - began) * 1000 / args.batches)
    medians = {way: statistics.median(found) for way, found in took.items()}
    print(
        json.dumps(
            {
                "backend": "postgresql",
                "events_per_transaction": args.batches * 1000,
                "ms_per_1000_events": {way: round(ms, 1) for way, ms in medians.items()},
                "events_per_s": {way: round(1_000_000 / ms) for way, ms in medians.items()},
                "set_based_faster_by": round(medians["python_fold"] / medians["set_based"], 2),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "cores": os.cpu_count(),
            }
        )
    )
    engine.dispose()


if __name__ == "__main__":
    main()
