"""The Redis stock gate: one Lua script decides each attempt atomically.

Scripts (redis_scripts.py) are loaded once and called by their SHA, loaded
again where the server lost one (an attempt on one server is a plain EVALSHA,
`run_one`; elsewhere redis-py's Script). In one step
the attempt script checks that the sale exists (a missing key never reads as
stock), counts the attempt against the buyer's and the address's rate,
answers a repeated request id with its first answer, checks the window, the
stock and the buyer's count, then takes the stock, records the hold and
appends it to the sale's order stream, from which writers build the orders.
"""

import asyncio
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError, RedisError

from dacu.adapters.redis_connect import FAILURES, AsyncClient, Client, run_one, run_scripts
from dacu.adapters.redis_scripts import (
    ATTEMPT,
    ATTEMPT_CHECKED,
    OPEN,
    RELEASE,
    REPAIR,
    RESTOCK,
    SETTLE,
    as_text,
    attempt_call,
    checked,
    checked_call,
    decision,
    definition,
    hold_value,
    parse_hold,
    sale_keys,
    sales_key,
)
from dacu.domain.flashsale import Decision, FlashSale, GateUnavailable, Hold
from dacu.services.ports.flash import CheckedTerms


class RedisStockGate:
    def __init__(self, client: Client, prefix: str = "dacu") -> None:
        self._client = client
        self.prefix = prefix
        self._attempt = client.register_script(ATTEMPT)
        self._checked = client.register_script(ATTEMPT_CHECKED)
        self._release = client.register_script(RELEASE)
        self._settle = client.register_script(SETTLE)
        self._open = client.register_script(OPEN)
        self._restock = client.register_script(RESTOCK)
        self._repair = client.register_script(REPAIR)

    def _keys(self, sale_id: str) -> list[str]:
        return sale_keys(self.prefix, sale_id)

    def open(self, sale: FlashSale) -> bool:
        with _reachable():
            opened = self._open(
                keys=self._keys(sale.id)[:1], args=[*definition(sale), "stock", sale.stock]
            )
            self._client.sadd(sales_key(self.prefix), sale.id)
        return bool(opened)

    def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
        risk: CheckedTerms | None = None,
    ) -> Decision:
        """One attempt; with `risk`, the check in the same step (`ATTEMPT_CHECKED`)."""
        call = attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
        with _reachable():
            if risk is None:
                return decision(self._run(self._attempt, *call))
            keys, args = call  # the check's after the attempt's (`checked_call`), inline:
            reply = self._run(self._checked, [*keys, *risk.keys], [*args, "", *risk.args])
            if len(reply) > 2:  # the check's part, when it has one (`checked`)
                risk.answered(reply[2:], sale_id)
            return decision(reply)

    def _run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """One call of `script`: a plain EVALSHA on one server (`run_one`), through the
        cluster client's `Script` on a Redis Cluster."""
        if isinstance(self._client, redis.Redis):
            return run_one(self._client, script, keys, args)
        return script(keys=keys, args=args)

    def attempt_many(
        self, sale_id: str, attempts: Sequence[tuple[str, str, int]], now: datetime, ip: str = ""
    ) -> list[Decision]:
        """Many buyers' attempts in one round trip; each is still decided on its own."""
        calls = [
            attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
            for user_id, request_id, qty in attempts
        ]
        with _reachable():
            replies = run_scripts(self._client, self._attempt, calls)
        return [decision(_answered(reply)) for reply in replies]

    def release(self, sale_id: str, request_id: str) -> bool:
        with _reachable():
            return bool(self._release(keys=self._keys(sale_id)[:3], args=[request_id]))

    def settle(self, sale_id: str, request_id: str) -> bool:
        with _reachable():
            return bool(self._settle(keys=self._keys(sale_id)[2:3], args=[request_id]))

    def restock(self, sale_id: str, qty: int) -> int:
        if qty < 1:
            raise ValueError("qty: must be at least 1")
        with _reachable():
            now_on_sale = self._restock(keys=self._keys(sale_id)[:1], args=[qty])
        if now_on_sale is None:
            raise KeyError(sale_id)
        return int(now_on_sale)

    def remaining(self, sale_id: str) -> int:
        with _reachable():
            return int(self._client.hget(self._keys(sale_id)[0], "stock") or 0)

    def bought(self, sale_id: str, user_id: str) -> int:
        with _reachable():
            return int(self._client.hget(self._keys(sale_id)[1], user_id) or 0)

    def buyers(self, sale_id: str) -> dict[str, int]:
        with _reachable():
            found: dict[Any, Any] = self._client.hgetall(self._keys(sale_id)[1])
        return {as_text(user): int(n) for user, n in found.items() if int(n)}

    def hold(self, sale_id: str, request_id: str) -> Hold | None:
        with _reachable():
            found = self._client.hget(self._keys(sale_id)[2], request_id)
        return None if found is None else parse_hold(request_id, found)

    def holds(self, sale_id: str) -> list[Hold]:
        with _reachable():
            found: dict[Any, Any] = self._client.hgetall(self._keys(sale_id)[2])
        return [parse_hold(request, value) for request, value in found.items()]

    def repair(self, sale: FlashSale, holds: list[Hold]) -> int:
        fields = definition(sale)
        args: list[Any] = [sale.stock, len(fields), *fields]
        for hold in holds:
            args += [hold.request_id, hold_value(hold)]
        with _reachable():
            on_sale = self._repair(keys=self._keys(sale.id)[:3], args=args)
            self._client.sadd(sales_key(self.prefix), sale.id)
        return int(on_sale)


class AsyncRedisGate:
    """The gate's hot path for async HTTP handlers: attempt, and look up one's hold.

    Attempts that arrive in the same turn of the event loop leave in one
    pipeline (as ioredis's auto-pipelining does): each is still its own
    atomic script call, but a hundred buyers cost one round trip and one
    connection checkout instead of a hundred.
    """

    def __init__(self, client: AsyncClient, prefix: str = "dacu") -> None:
        self.client = client
        self.prefix = prefix
        self._shas = {
            ATTEMPT: hashlib.sha1(ATTEMPT.encode()).hexdigest(),
            ATTEMPT_CHECKED: hashlib.sha1(ATTEMPT_CHECKED.encode()).hexdigest(),
        }
        self._waiting: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
        risk: CheckedTerms | None = None,
    ) -> Decision:
        call = attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
        script, (keys, args) = ATTEMPT, call
        if risk is not None:  # the check in the same step
            script, (keys, args) = ATTEMPT_CHECKED, checked_call(call, risk)
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.append(([self._shas[script], len(keys), *keys, *args], answer))
        if len(self._waiting) == 1:
            loop.call_soon(self._flush)
        return decision(checked(await answer, risk, sale_id))

    def _flush(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        try:
            replies = await self._evalsha_all([call for call, _ in batch])
        except FAILURES as error:
            for _, answer in batch:
                if not answer.done():
                    answer.set_exception(GateUnavailable(str(error)))
            return
        for (_, answer), reply in zip(batch, replies, strict=True):
            if answer.done():
                continue
            if isinstance(reply, Exception):
                answer.set_exception(GateUnavailable(str(reply)))
            else:
                answer.set_result(reply)

    async def _evalsha_all(self, calls: list[list[Any]]) -> list[Any]:
        """Replies in order; calls a node refused for want of the script are sent again
        once it is loaded (on a cluster, on every primary), and only those."""
        replies: list[Any] = [None] * len(calls)
        waiting = list(range(len(calls)))
        for attempt in range(2):
            async with self.client.pipeline(transaction=False) as pipe:
                for i in waiting:
                    pipe.execute_command("EVALSHA", *calls[i])  # see run_scripts
                answered: list[Any] = await pipe.execute(raise_on_error=False)
            lost = []
            for i, reply in zip(waiting, answered, strict=True):
                replies[i] = reply
                if isinstance(reply, NoScriptError):
                    lost.append(i)
            if not lost or attempt:
                break
            for script in {calls[i][0] for i in lost}:
                await self.client.script_load(_SCRIPTS[script])
            waiting = lost
        return replies

    async def hold(self, sale_id: str, request_id: str) -> tuple[Hold | None, int]:
        """The hold for `request_id`, and the sale's time to pay in ms (0: no such sale)."""
        keys = sale_keys(self.prefix, sale_id)
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.hget(keys[2], request_id)
                pipe.hget(keys[0], "pay_within_ms")
                found, pay_within = await pipe.execute()
        except FAILURES as error:
            raise GateUnavailable(str(error)) from error
        hold = None if found is None else parse_hold(request_id, found)
        return hold, int(pay_within or 0)


_SCRIPTS = {
    hashlib.sha1(script.encode()).hexdigest(): script for script in (ATTEMPT, ATTEMPT_CHECKED)
}


def _answered(reply: Any) -> Any:
    """A script's reply; its error, as Redis's failure, raised."""
    if isinstance(reply, RedisError):
        raise GateUnavailable(str(reply))
    return reply


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn a Redis failure into GateUnavailable: the gate fails closed."""
    try:
        yield
    except FAILURES as error:
        raise GateUnavailable(str(error)) from error
