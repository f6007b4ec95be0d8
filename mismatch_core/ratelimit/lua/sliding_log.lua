-- Sliding-window log on a sorted set: one member per admitted unit of cost, scored by
-- its admission time in microseconds of the Redis server's clock.
-- KEYS[1]: the log (sorted set); KEYS[2]: a counter that makes members unique.
-- ARGV: limit, window in seconds, cost.
-- Returns {allowed (0 or 1), remaining, reset_after, retry_after}, times as strings of
-- seconds, because Redis turns Lua numbers into integers.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000000
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

-- Lua's own number-to-string conversion keeps 14 digits, too few for microseconds.
local function exact(x)
  return string.format('%.17g', x)
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', exact(now - window))
local count = redis.call('ZCARD', KEYS[1])

if count + cost <= limit then
  local last = redis.call('INCRBY', KEYS[2], cost)
  local members = {}
  for i = cost - 1, 0, -1 do
    members[#members + 1] = exact(now)
    members[#members + 1] = exact(last - i)
  end
  redis.call('ZADD', KEYS[1], unpack(members))
  local ttl = math.ceil(window / 1000) + 1
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {1, limit - count - cost, tostring(window / 1000000), '0'}
end

local needed = count + cost - limit
local unblocking = redis.call('ZRANGE', KEYS[1], needed - 1, needed - 1, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local retry = tonumber(unblocking[2]) + window - now
local reset = tonumber(newest[2]) + window - now
return {0, limit - count, tostring(reset / 1000000), tostring(retry / 1000000)}
