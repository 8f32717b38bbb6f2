"""The Redis gate's Lua scripts and the records they keep.

A sale's keys share one hash slot (`{sale}`), so the scripts also run on a
Redis Cluster. A hold is stored in the sale's `requests` hash as
`entry|user|qty|state|accepted_ms`, state `h` held, `p` paid, `x` released;
times travel as epoch milliseconds.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from dacu.adapters.risk_counters import HIT_FN
from dacu.adapters.risk_shared import SEEN_FN
from dacu.domain.flashsale import Decision, FlashSale, Hold, HoldState, Outcome, check_attempt
from dacu.services.ports.flash import CheckedTerms

_PARSE = """
local function parse(held)
  local _, _, entry, user, qty, state, at = string.find(held, '^([^|]+)|([^|]+)|(%d+)|(%a)|(%d+)$')
  return entry, user, tonumber(qty), state, at
end
"""

_HEAD = """
local sale, bought, requests, stream, rate = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local user, request, qty, now, ip = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
if not qty or qty < 1 or qty % 1 ~= 0 then return redis.error_reply('qty: a positive integer') end
local meta = redis.call('HMGET', sale, 'starts_at', 'ends_at', 'stock', 'limit',
                        'user_rate', 'ip_rate')
if not meta[1] or not meta[3] then return {'unknown_sale', ''} end
if ARGV[6] ~= 'again' then  -- a bucket's retry after borrowing stock is counted once
  local hits = redis.call('HINCRBY', rate, 'u:' .. user, 1)
  redis.call('EXPIRE', rate, 2, 'NX')
  if hits > tonumber(meta[5]) then return {'user_rate_limited', ''} end
  if ip ~= '' and redis.call('HINCRBY', rate, 'i:' .. ip, 1) > tonumber(meta[6]) then
    return {'ip_rate_limited', ''}
  end
end
local earlier = redis.call('HGET', requests, request)
if earlier then
  local entry, who, _, state = parse(earlier)
  if who ~= user then return {'request_taken', ''} end
  if state == 'x' then return {'released', entry} end
  return {'accepted', entry}
end
"""
_REFUSE = """
if tonumber(now) < tonumber(meta[1]) then return {'not_started', '', unpack(checked)} end
if tonumber(now) > tonumber(meta[2]) then return {'ended', '', unpack(checked)} end
if tonumber(meta[3]) < qty then return {'sold_out', '', unpack(checked)} end
if tonumber(redis.call('HGET', bought, user) or '0') + qty > tonumber(meta[4]) then
  return {'over_limit', '', unpack(checked)}
end
"""
_TAKE = """
redis.call('HINCRBY', sale, 'stock', -qty)
redis.call('HINCRBY', bought, user, qty)
local id = redis.call('XADD', stream, '*', 'request', request, 'user', user, 'qty', qty, 'at', now)
redis.call('HSET', requests, request, id .. '|' .. user .. '|' .. qty .. '|h|' .. now)
return {'accepted', id, unpack(checked)}
"""
ATTEMPT = _PARSE + _HEAD + "local checked = {}\n" + _REFUSE + _TAKE

_WINDOWS = """
local nv, refused, fired = tonumber(ARGV[11]), 0, 0
local counts  -- each window's count, when there are windows
if nv > 0 then
  counts = {}
  local t, tag = tonumber(now), request .. '|' .. now .. '|' .. sale
  for i = 1, nv do
    local at = 9 + 3 * i
    local n = hit(KEYS[5 + i], t, tag, tonumber(ARGV[at]), 1)
    counts[i] = n
    local most_hits = tonumber(ARGV[at + 1])
    if most_hits >= 0 and n > most_hits then
      fired = 1
      if ARGV[at + 2] == '1' then refused = 1 end
    end
  end
end
local checked = {}  -- quiet: nothing fired, nothing asked
if refused == 1 or fired == 1 or ARGV[10] == '1' then
  checked = {refused, fired, 0}
  for i = 1, nv do checked[3 + i] = counts[i] end
end
if refused == 1 then return {'risk_blocked', '', unpack(checked)} end
"""
_ACCOUNTS = """
local first = 10 + 3 * nv  -- the identifiers' pairs follow the windows' triples
local m = (#ARGV - first) / 2
if m > 0 then
  local account, ttl, most, shared, unfloored = ARGV[7], ARGV[8], ARGV[9], {}, 0
  for j = 1, m do
    local at = first + 2 * j
    local n, floor = seen(KEYS[5 + nv + j], account, ttl, most)
    shared[2 * j - 1], shared[2 * j] = n, floor
    if floor < 0 then unfloored = 1 end
    local least, blocking = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
    if least >= 0 and n >= least then fired = 1 end
    if blocking >= 0 and n >= blocking then refused = 1 end
  end
  if refused == 1 or fired == 1 or unfloored == 1 or ARGV[10] == '1' then
    checked = {refused, fired, unfloored}
    for i = 1, nv do checked[3 + i] = counts[i] end
    for i = 1, #shared do checked[3 + nv + i] = shared[i] end
  end
  if refused == 1 then return {'risk_blocked', '', unpack(checked)} end
end
"""
ATTEMPT_CHECKED = _PARSE + HIT_FN + SEEN_FN + _HEAD + _WINDOWS + _REFUSE + _ACCOUNTS + _TAKE
"""The attempt with the risk check in the same step (one server: the check's keys live
outside the sale's slot): after the rates and a repeated request's answer, each window
of the action's velocity rules counts the attempt (its member the request, the time and
the sale: unique to the attempt — a bot's every try counts, whatever it is answered),
and a block window's threshold passed refuses it (`risk_blocked`). An attempt that
cannot take stock (not started, ended, sold out, over the buyer's limit) is answered
so then; one that can adds the account under each identifier counted, and a block
rule's threshold reached refuses it (`risk_blocked`) before any stock is taken: the
accounts are weighed where stock would move (a ring's accounts were counted at their
sign-in, and are linked behind whatever they are answered). The check's terms follow
the attempt's arguments, prepared once per buyer and rules version
(`services/risk_checked.py`): the account, the identifiers' expiry and most accounts
kept, whether every answer reports the check (1: the rules weigh a blacklist entry
that does not block), the number of windows; for each window its span in ms, the
count past which its rule fires (-1: none) and whether it blocks (1); for each
identifier the accounts at which a rule fires and at which a block rule fires (-1:
none). An answer past the windows ends with the check's part, flat — refused, fired,
whether an identifier has no floor, each window's count, then (when the accounts were
weighed) each identifier's accounts and floor, for the rules engine to judge in full
(`services/risk_flash.py`) — unless it is quiet: nothing fired, every identifier
weighed has its floor, and no report asked."""

RELEASE = (
    _PARSE
    + """
local sale, bought, requests = KEYS[1], KEYS[2], KEYS[3]
local held = redis.call('HGET', requests, ARGV[1])
if not held then return 0 end
local entry, user, qty, state, at = parse(held)
if state ~= 'h' then return 0 end
redis.call('HSET', requests, ARGV[1], entry .. '|' .. user .. '|' .. qty .. '|x|' .. at)
redis.call('HINCRBY', sale, 'stock', qty)
redis.call('HINCRBY', bought, user, -qty)
return 1
"""
)

SETTLE = (
    _PARSE
    + """
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then return 0 end
local entry, user, qty, state, at = parse(held)
if state == 'p' then return 1 end
if state ~= 'h' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], entry .. '|' .. user .. '|' .. qty .. '|p|' .. at)
return 1
"""
)

OPEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

RESTOCK = """
if redis.call('HEXISTS', KEYS[1], 'stock') == 0 then return nil end
return redis.call('HINCRBY', KEYS[1], 'stock', tonumber(ARGV[1]))
"""

REPAIR = (
    _PARSE
    + """
local sale, bought, requests = KEYS[1], KEYS[2], KEYS[3]
local total, fields = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('HSET', sale, unpack(ARGV, 3, 2 + fields))
for i = 3 + fields, #ARGV, 2 do
  redis.call('HSET', requests, ARGV[i], ARGV[i + 1])
end
local counts, held = {}, 0
local all = redis.call('HGETALL', requests)
for i = 1, #all, 2 do
  local _, user, qty, state = parse(all[i + 1])
  if state ~= 'x' then
    counts[user] = (counts[user] or 0) + qty
    held = held + qty
  end
end
redis.call('DEL', bought)
for user, qty in pairs(counts) do redis.call('HSET', bought, user, qty) end
redis.call('HSET', sale, 'stock', total - held)
return total - held
"""
)

_STATES = {"h": HoldState.HELD, "p": HoldState.PAID, "x": HoldState.RELEASED}
_CODES = {state: code for code, state in _STATES.items()}


def sale_keys(prefix: str, sale_id: str) -> list[str]:
    """The sale's hash, buyers' counts, holds by request, and order stream: one hash slot."""
    base = f"{prefix}:sale:{{{sale_id}}}"
    return [base, f"{base}:bought", f"{base}:requests", f"{base}:stream"]


def stream_key(prefix: str, sale_id: str) -> str:
    return sale_keys(prefix, sale_id)[3]


def sales_key(prefix: str) -> str:
    """The set of sales loaded into the gate, for the writers to follow."""
    return f"{prefix}:sales"


def attempt_call(
    prefix: str, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime, ip: str
) -> tuple[list[str], list[Any]]:
    """Keys and arguments of one attempt: the rate key is the sale's key for this second."""
    check_attempt(user_id, request_id, qty)
    now_ms = epoch_ms(now)
    keys = sale_keys(prefix, sale_id)
    return [*keys, f"{keys[0]}:rate:{now_ms // 1000}"], [user_id, request_id, qty, now_ms, ip]


def checked_call(
    call: tuple[list[str], list[Any]], risk: "CheckedTerms"
) -> tuple[list[str], list[Any]]:
    """An attempt's keys and arguments with the risk check's after them."""
    keys, args = call
    return [*keys, *risk.keys], [*args, "", *risk.args]


def checked(reply: Sequence[Any], risk: "CheckedTerms | None", sale_id: str) -> Sequence[Any]:
    """The reply, its risk part handed to the check when it has one (none when quiet, or
    when the step ended before the check)."""
    if risk is not None and len(reply) > 2:
        risk.answered(reply[2:], sale_id)
    return reply


def decision(reply: Sequence[Any]) -> Decision:
    outcome = Outcome(as_text(reply[0]))
    if outcome is Outcome.ACCEPTED:
        return Decision(outcome, as_text(reply[1]))
    return Decision(outcome)


def parse_hold(request_id: Any, value: Any) -> Hold:
    entry, user, qty, state, at = as_text(value).split("|")
    return Hold(
        as_text(request_id),
        entry,
        user,
        int(qty),
        _STATES[state],
        datetime.fromtimestamp(int(at) / 1000, tz=UTC),
    )


def hold_value(hold: Hold) -> str:
    code = _CODES[hold.state]
    return f"{hold.reservation}|{hold.user_id}|{hold.qty}|{code}|{epoch_ms(hold.accepted_at)}"


def definition(sale: FlashSale) -> list[Any]:
    fields = {
        "starts_at": epoch_ms(sale.starts_at),
        "ends_at": epoch_ms(sale.ends_at),
        "limit": sale.limit_per_user,
        "user_rate": sale.user_rate,
        "ip_rate": sale.ip_rate,
        "pay_within_ms": int(sale.pay_within.total_seconds() * 1000),
    }
    return [item for pair in fields.items() for item in pair]


def as_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
