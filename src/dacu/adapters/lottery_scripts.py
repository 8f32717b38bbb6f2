"""The lottery's Lua scripts and the draw record they keep.

Every key of a campaign shares its hash tag (`{campaign}`), so the scripts also
run on a Redis Cluster. A draw's record is a JSON object (`cjson` in the
scripts, `record_of` here): what the draws table holds of it. The record is the
key's answer (`draw:…`, kept `RESULT_TTL_S`) and, until written to the
database, an entry of the campaign's `unwritten` hash; its id is queued on the
campaign's `draws` stream.
"""

import json
from datetime import datetime
from typing import Any

from dacu.domain.lottery import Draw

# KEYS: pool, used, the key's answer, granted, the draws stream, unwritten.
# ARGV: customer, roll, budget, draw id, answer ttl, key, at, campaign, then for each
# prize in the file's order: id, weight, value, stock (-1: never runs out), status.
DRAW = """
local done = redis.call('GET', KEYS[3])
if done then return {'done', done} end
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return {'load_pool'} end
local granted = redis.call('HGET', KEYS[4], ARGV[1])
if not granted then return {'load_granted'} end
local used = redis.call('HGET', KEYS[2], ARGV[1])
if not used then return {'load_used'} end
if tonumber(used) >= tonumber(granted) then return {'no_chance'} end
local left = tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[1], 'budget') or '0')
local open, total = {}, 0
for i = 9, #ARGV, 5 do
  local w, v, s = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local fits = v <= left
  if fits and s >= 0 then
    fits = tonumber(redis.call('HGET', KEYS[1], 'g:' .. ARGV[i]) or '0') < s
  end
  if fits then
    open[#open + 1] = i
    total = total + w
  end
end
if total == 0 then return {'empty'} end
local point = math.floor(tonumber(ARGV[2]) * total / 4294967296)
local running = 0
for _, i in ipairs(open) do
  running = running + tonumber(ARGV[i + 1])
  if point < running then
    local value = tonumber(ARGV[i + 2])
    redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
    redis.call('HINCRBY', KEYS[1], 'g:' .. ARGV[i], 1)
    redis.call('HINCRBY', KEYS[1], 'g:*', 1)
    if value > 0 then redis.call('HINCRBY', KEYS[1], 'budget', value) end
    local record = cjson.encode({
      id = ARGV[4], campaign_id = ARGV[8], customer_id = ARGV[1], key = ARGV[6],
      prize_id = ARGV[i], value = ARGV[i + 2], roll = ARGV[2], status = ARGV[i + 4],
      reference = '', at = ARGV[7]})
    redis.call('SET', KEYS[3], record, 'EX', tonumber(ARGV[5]))
    redis.call('HSET', KEYS[6], ARGV[4], record)
    redis.call('XADD', KEYS[5], '*', 'draw', ARGV[4])
    return {'new', record}
  end
end
return {'empty'}
"""

# KEYS: unwritten, the key's answer. ARGV: draw id, status, reference.
# 1: the record still waits to be written and now says so; 0: it is written (or gone).
MARK = """
local answer = redis.call('GET', KEYS[2])
if answer then
  local d = cjson.decode(answer)
  if d.id == ARGV[1] then
    d.status, d.reference = ARGV[2], ARGV[3]
    redis.call('SET', KEYS[2], cjson.encode(d), 'KEEPTTL')
  end
end
local waiting = redis.call('HGET', KEYS[1], ARGV[1])
if not waiting then return 0 end
local d = cjson.decode(waiting)
d.status, d.reference = ARGV[2], ARGV[3]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(d))
return 1
"""

# KEYS: unwritten. ARGV: (draw id, the record as written) pairs. Forgets each record
# still as written; returns those marked since (to be written again first).
FORGET = """
local changed = {}
for i = 1, #ARGV, 2 do
  local now = redis.call('HGET', KEYS[1], ARGV[i])
  if now == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
  elseif now then
    changed[#changed + 1] = now
  end
end
return changed
"""

GRANTED = """
local known = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > known then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
"""

LOAD_POOL = """
if redis.call('HEXISTS', KEYS[1], 'ready') == 1 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'ready', '1')
return 1
"""


def record_of(found: Any) -> Draw:
    """The draw a record says."""
    fields = json.loads(found)
    return Draw(
        str(fields["id"]), str(fields["campaign_id"]), str(fields["customer_id"]),
        str(fields["key"]), str(fields["prize_id"]), int(fields["value"]), int(fields["roll"]),
        str(fields["status"]), datetime.fromisoformat(str(fields["at"])),
        str(fields.get("reference") or ""),
    )  # fmt: skip
