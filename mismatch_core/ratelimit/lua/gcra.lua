-- GCRA (virtual scheduling form): KEYS[1] holds the theoretical arrival time (TAT) in
-- microseconds of the Redis server's clock.
-- ARGV: limit, window in seconds, cost.
-- Returns {allowed (0 or 1), remaining, reset_after, retry_after}, times as strings of
-- seconds, because Redis turns Lua numbers into integers.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000000
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = window / limit
local epsilon = 0.001

local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local new_tat = tat + cost * interval
local allow_at = new_tat - window

if allow_at <= now + epsilon then
  local ttl = math.ceil((new_tat - now) / 1000) + 1
  redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', ttl)
  local remaining = math.floor((window - (new_tat - now)) / interval + 1e-9)
  return {1, remaining, tostring((new_tat - now) / 1000000), '0'}
end

local remaining = math.floor((window - (tat - now)) / interval + 1e-9)
return {0, remaining, tostring((tat - now) / 1000000), tostring((allow_at - now) / 1000000)}
