#!lua
-- usagesink: applies one UsagePlan (or one slot group of it). Constant: never built from input.
-- Requires Redis 7.0+ (the shebang line above; older servers refuse to load the script).
-- The shebang declares no flags: a script that writes, so Redis refuses the whole call up front
-- (OOM, READONLY, NOREPLICAS, ...) instead of stopping half-way, and on a cluster every key must be
-- declared in KEYS and hash to one slot (the writer sends one call per slot group).
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
-- Every write is protected (redis.pcall). When a command on a key fails (WRONGTYPE, an increment
-- that would overflow, a field that is not an integer), the updates of that key already applied by
-- this call are undone (HINCRBY with the negated delta string; HDEL of the fields that are back at
-- 0, which the call created - or which held 0 before: the count is the same; SREM of the members it
-- added), its EXPIRE is skipped, and the next key follows. So the call always runs to its end: the
-- guard is never set for a plan applied in part.
-- With a guard, the failed keys are kept in the guard's value, so a duplicate call reports them too.
-- Reply: {1, commands, key, error, key, error, ...} when applied (the failed keys, if any);
--        {0, commands, key, error, ...} when the guard existed (applied before, with those failures).
-- commands: the Redis commands this call ran (for the writer's statistics).
local ran = 0
local first = 1
local guard = nil
if ARGV[1] ~= '0' then
  guard = KEYS[1]
  ran = 1
  local old = redis.call('SET', guard, '1', 'NX', 'EX', ARGV[1], 'GET')
  if old then
    local out = {0, ran}
    if old ~= '1' then
      for _, v in ipairs(cjson.decode(old)) do
        out[#out + 1] = v
      end
    end
    return out
  end
  first = 2
end

-- HINCRBY key field -delta, on the decimal string (-(-2^63) in two steps); returns the new value
-- (a Lua number: exact enough to tell 0) and the number of commands run.
local function subtract(key, field, delta)
  if delta == '0' then
    return redis.call('HINCRBY', key, field, '0'), 1
  end
  if string.sub(delta, 1, 1) ~= '-' then
    return redis.call('HINCRBY', key, field, '-' .. delta), 1
  end
  local abs = string.sub(delta, 2)
  if abs == '9223372036854775808' then
    redis.call('HINCRBY', key, field, '9223372036854775807')
    return redis.call('HINCRBY', key, field, '1'), 2
  end
  return redis.call('HINCRBY', key, field, abs), 1
end

local failed = {}
local a = 2
for i = first, #KEYS do
  local key = KEYS[i]
  local n = tonumber(ARGV[a])
  a = a + 1
  local err = nil
  if n > 0 then
    local applied = 0
    for j = 0, n - 1 do
      local field, delta = ARGV[a + 2 * j], ARGV[a + 2 * j + 1]
      ran = ran + 1
      local r = redis.pcall('HINCRBY', key, field, delta)
      if type(r) == 'table' then
        err = r.err
        break
      end
      applied = j + 1
    end
    if err and applied > 0 then
      local created = {} -- fields back at 0: absent before this call (or holding 0)
      for j = applied - 1, 0, -1 do
        local field, delta = ARGV[a + 2 * j], ARGV[a + 2 * j + 1]
        local v, c = subtract(key, field, delta)
        ran = ran + c
        if v == 0 then
          created[#created + 1] = field
        end
      end
      for j = 1, #created, 500 do
        ran = ran + 1
        redis.call('HDEL', key, unpack(created, j, math.min(j + 499, #created)))
      end
    end
    a = a + 2 * n
  elseif n < 0 then
    local added = {}
    for j = 0, -n - 1 do
      ran = ran + 1
      local r = redis.pcall('SADD', key, ARGV[a + j])
      if type(r) == 'table' then
        err = r.err
        break
      end
      if r == 1 then
        added[#added + 1] = ARGV[a + j]
      end
    end
    if err then
      for _, member in ipairs(added) do
        ran = ran + 1
        redis.call('SREM', key, member)
      end
    end
    a = a - n
  end
  if err then
    failed[#failed + 1] = key
    failed[#failed + 1] = err
  elseif ARGV[a] ~= '0' then
    ran = ran + 1
    local r = redis.pcall('EXPIRE', key, ARGV[a])
    if type(r) == 'table' then
      failed[#failed + 1] = key
      failed[#failed + 1] = r.err
    end
  end
  a = a + 1
end
if guard and #failed > 0 then
  ran = ran + 1
  redis.call('SET', guard, cjson.encode(failed), 'KEEPTTL')
end
local out = {1, ran}
for _, v in ipairs(failed) do
  out[#out + 1] = v
end
return out
