"""Which Redis a URL names: one server, or a Redis Cluster.

`redis://host:port/0` (or `rediss://`, `unix://`) is one server;
`redis+cluster://host:port` (or `rediss+cluster://`) is a Redis Cluster, reached
through any of its nodes: redis-py's `RedisCluster` learns the slots from it,
follows MOVED and ASK redirections, sends each command to the node of its keys,
splits pipelines by node and loads a script on every primary. Every script of
the platform names keys of one hash tag (a sale, a lottery, the checkout), so
each runs on one node. A cluster has one database: no `/db` in its URL.

`run_scripts` sends many calls of one script in one pipeline (one per node on a
cluster) and loads the script where a node lost it, re-sending only the calls
that node refused, so a call that ran is never run twice. `run_one` sends one call as
a plain EVALSHA (no pipeline, no `Script` object, its arguments packed by hiredis in C):
the hot path's single round trip.
"""

from collections.abc import Sequence
from typing import Any

import hiredis
import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError, RedisClusterException, RedisError

Client = redis.Redis | RedisCluster
AsyncClient = aioredis.Redis | AsyncRedisCluster

FAILURES = (RedisError, RedisClusterException)
"""What a Redis call may raise when Redis cannot answer (a cluster's own errors, such as
no node reachable for a slot, are not RedisErrors)."""

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
TIMEOUTS: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 2}


def is_cluster(url: str) -> bool:
    return url.partition("://")[0] in CLUSTER_SCHEMES


def node_url(url: str) -> str:
    """The URL redis-py reads: a cluster's scheme without `+cluster`."""
    scheme, sep, rest = url.partition("://")
    return f"{CLUSTER_SCHEMES.get(scheme, scheme)}{sep}{rest}"


def redis_client(url: str, **options: Any) -> Client:
    """A blocking client on the server or cluster `url` names."""
    settings = TIMEOUTS | options
    if is_cluster(url):
        return RedisCluster.from_url(node_url(url), **settings)
    return redis.Redis.from_url(url, **settings)


def async_client(url: str, max_connections: int = 64) -> AsyncClient:
    """An asyncio client; on one server, callers beyond `max_connections` wait for one
    (a cluster keeps `max_connections` to each node)."""
    if is_cluster(url):
        return AsyncRedisCluster.from_url(
            node_url(url), max_connections=max_connections, **TIMEOUTS
        )
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=5, **TIMEOUTS
    )
    return aioredis.Redis.from_pool(pool)


def run_scripts(
    client: Client, script: Script, calls: list[tuple[list[Any], list[Any]]]
) -> list[Any]:
    """Each (keys, args) call of `script`, in one pipeline; replies in order, a failed
    call's error in its place."""
    return run_calls(client, [(script, keys, args) for keys, args in calls])


ScriptCall = tuple[Script, Sequence[Any], Sequence[Any]]  # a script, its keys, its arguments


def run_one(client: redis.Redis, script: Script, keys: Sequence[Any], args: Sequence[Any]) -> Any:
    """One call of `script` on one server: EVALSHA, and on NOSCRIPT (a Redis restarted or
    flushed) the script loaded and the call sent again — NOSCRIPT means it never ran."""
    call = ("EVALSHA", script.sha, len(keys), *keys, *args)
    try:
        return _sent(client, call)
    except NoScriptError:
        client.script_load(script.script)
        return _sent(client, call)


def _sent(client: redis.Redis, call: tuple[Any, ...]) -> Any:
    """`call` on a connection of the client's pool, its reply read: the command alone,
    without the client's retries and hooks (the pool still checks a connection it lends
    and reconnects one that broke while idle). A connection that fails mid-call is
    closed and the error raised — the caller's fallback answers, nothing is sent twice."""
    pool = client.connection_pool
    packed = hiredis.pack_command(call)  # as redis-py packs it (UTF-8, numbers as text)
    connection = pool.get_connection()
    try:
        connection.send_packed_command([packed])  # type: ignore[no-untyped-call]
        return connection.read_response()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        connection.disconnect()  # type: ignore[no-untyped-call]
        raise
    finally:
        pool.release(connection)


def run_calls(client: Client, calls: list[ScriptCall]) -> list[Any]:
    """Each (script, keys, args) call, of any scripts, in one pipeline; replies in
    order, a failed call's error in its place."""
    replies: list[Any] = [None] * len(calls)
    waiting = list(range(len(calls)))
    for attempt in range(2):
        pipe = client.pipeline(transaction=False)
        for i in waiting:
            script, keys, args = calls[i]
            pipe.execute_command(
                "EVALSHA", script.sha, len(keys), *keys, *args, **_node(client, keys)
            )
        answered = pipe.execute(raise_on_error=False)
        lost = []
        for i, reply in zip(waiting, answered, strict=True):
            replies[i] = reply
            if isinstance(reply, NoScriptError):
                lost.append(i)
        if not lost or attempt:
            break
        for script in {calls[i][0].sha: calls[i][0] for i in lost}.values():
            client.script_load(script.script)  # on a cluster: on every primary
        waiting = lost
    return replies


def _node(client: Client, keys: Sequence[Any]) -> dict[str, Any]:
    """Where a cluster pipeline sends a script call: the node of its keys' slot.

    EVALSHA goes by name (redis-py's cluster pipeline blocks its evalsha()
    method), with its node named: else the pipeline asks a server for the keys
    of every command (COMMAND GETKEYS), a round trip per call. A node the slot
    has left answers MOVED, and redis-py sends the call again where it now is.
    """
    if not isinstance(client, RedisCluster):
        return {}
    return {"target_nodes": client.get_node_from_key(keys[0])}  # type: ignore[no-untyped-call]
