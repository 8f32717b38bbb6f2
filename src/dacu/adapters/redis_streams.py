"""Consumer groups on Redis streams, as every writer of the platform follows them."""

from collections.abc import Callable
from typing import Any

from redis.exceptions import ResponseError

from dacu.adapters.redis_connect import Client


def join_group(client: Client, stream: str, group: str) -> None:
    """Create the consumer group (from the stream's start) unless it exists."""
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def next_entries(
    client: Client,
    stream: str,
    group: str,
    consumer: str,
    idle_ms: int,
    count: int,
    block_ms: int | None = None,
) -> list[tuple[Any, dict[Any, Any]]]:
    """What this consumer should write next: entries another consumer left pending for
    `idle_ms` (taken over with XAUTOCLAIM), then new ones; entries deleted meanwhile
    are left out."""
    claimed: Any = client.xautoclaim(
        stream, group, consumer, min_idle_time=idle_ms, start_id="0-0", count=count
    )
    entries = list(claimed[1])
    fresh: Any = client.xreadgroup(group, consumer, {stream: ">"}, count=count, block=block_ms)
    for _, batch in fresh or []:
        entries.extend(batch)
    return [(entry_id, fields) for entry_id, fields in entries if fields]


def drained(run_once: Callable[[], int], rounds: int) -> int:
    """A writer's rounds run until one finds nothing (at most `rounds`); entries done."""
    done = 0
    for _ in range(rounds):
        found = run_once()
        if not found:
            break
        done += found
    return done
