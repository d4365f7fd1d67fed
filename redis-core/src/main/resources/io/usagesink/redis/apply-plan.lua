-- usagesink: applies one UsagePlan (or one slot group of it). Constant: never built from input.
-- KEYS: [guard key when ARGV[1] ~= '0'], then the statistics keys of the plan.
-- ARGV[1]: guard TTL in seconds, or '0' when the call is not guarded.
-- Then, for each statistics key in KEYS order:
--   n     > 0: n pairs follow, hash field and integer delta (HINCRBY key field delta)
--         < 0: -n set members follow (SADD key member)
--         = 0: nothing follows
--   ...   the pairs or members
--   ttl   seconds for EXPIRE key ttl, or '0' for no EXPIRE
-- Deltas and TTLs are passed to Redis as given (strings): no Lua number conversion, so every
-- 64-bit value is exact.
-- Returns 1 when applied, 0 when the guard key existed (this plan was applied before).
local a = 2
local first = 1
if ARGV[1] ~= '0' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
    return 0
  end
  first = 2
end
for i = first, #KEYS do
  local key = KEYS[i]
  local n = tonumber(ARGV[a])
  a = a + 1
  if n > 0 then
    for _ = 1, n do
      redis.call('HINCRBY', key, ARGV[a], ARGV[a + 1])
      a = a + 2
    end
  elseif n < 0 then
    for _ = 1, -n do
      redis.call('SADD', key, ARGV[a])
      a = a + 1
    end
  end
  if ARGV[a] ~= '0' then
    redis.call('EXPIRE', key, ARGV[a])
  end
  a = a + 1
end
return 1
