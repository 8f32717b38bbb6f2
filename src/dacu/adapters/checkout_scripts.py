"""The Lua of the Redis checkout (`redis_checkout.py`): taking an order in, unlocking coupons.

INTAKE's keys: the stock figures, the order's stock record, the customer's
Idempotency-Key, the checkouts stream, the unwritten orders, the customer's
unwritten units (`of:`), the budgets' figures, the customer's units in orders
not cancelled (`bought:`, `redis_customers.py`), the order's record of them,
the order's saga mark (`checkout_holds.py`), then one key per coupon. Its
arguments: the keys' time to live, the order id, the request's fingerprint,
the order's record, whether the order holds stock in other shards (then the
saga mark must not be `fenced`, and is set `taken`), the number of budget draws and
a (campaign, amount, base) triple for each, whether the order was priced as a
first order, the order's units record, the number of 每人限购 limits and a
(SKU, most units held before) pair for each, the number of SKUs and a (SKU,
qty) pair for each (the units counted for the customer), then a (SKU, qty)
pair per SKU of the stock's home shard (the units taken here; those of
other shards were held before it, `checkout_holds.py`).
It answers `{'ok', ''}` or a refusal with nothing taken.
"""

from dacu.adapters.redis_stock import TAKE

INTAKE = (
    TAKE
    + """
local available, record, key, stream, unwritten = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mine, budgets, bought, units, saga = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local ttl, order_id, away = ARGV[1], ARGV[2], ARGV[5] == '1'
local earlier = redis.call('GET', key)
if earlier then return {'earlier', earlier} end
for i = 11, #KEYS do
  local owner = redis.call('GET', KEYS[i])
  if owner and owner ~= order_id then return {'coupon', i - 10} end
end
if away and redis.call('EXISTS', saga) == 1 then return {'fenced', ''} end
local terms = 7 + 3 * tonumber(ARGV[6])
for i = 7, terms - 1, 3 do
  local net = redis.call('HGET', budgets, ARGV[i])
  if not net then return {'budget_missing', ARGV[i]} end
  if tonumber(net) + tonumber(ARGV[i + 1]) > tonumber(ARGV[i + 2]) then
    return {'budget', ARGV[i]}
  end
end
if redis.call('EXISTS', bought) == 0 then return {'customer_missing', ''} end
if ARGV[terms] == '1' then
  for _, n in ipairs(redis.call('HVALS', bought)) do
    if tonumber(n) > 0 then return {'first_order', ''} end
  end
end
local counted = terms + 3 + 2 * tonumber(ARGV[terms + 2])
local first = counted + 1 + 2 * tonumber(ARGV[counted])
for i = terms + 3, counted - 1, 2 do
  local held = tonumber(redis.call('HGET', bought, ARGV[i]) or '0')
  if held > tonumber(ARGV[i + 1]) then return {'limit', ARGV[i]} end
end
local refused = take(available, record, first, ttl)
if refused then return refused end
for i = 7, terms - 1, 3 do redis.call('HINCRBY', budgets, ARGV[i], ARGV[i + 1]) end
if away then redis.call('SET', saga, 'taken', 'EX', ttl) end
for i = 11, #KEYS do redis.call('SET', KEYS[i], order_id, 'EX', ttl) end
redis.call('SET', key, order_id .. '|' .. ARGV[3], 'EX', ttl)
redis.call('HSET', unwritten, order_id, ARGV[4])
for i = counted + 1, first - 1, 2 do
  redis.call('HINCRBY', mine, ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', bought, ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', bought, ttl)
redis.call('SET', units, ARGV[terms + 1], 'EX', ttl)
redis.call('XADD', stream, '*', 'order', order_id)
return {'ok', ''}
"""
)

UNLOCK = """
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 0
"""
