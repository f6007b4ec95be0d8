-- Sliding-window counter: the counts of the current and the previous fixed window,
-- the previous one weighted by how much of it the sliding window still covers.
-- KEYS[1]: a hash with fields index, previous, current.
-- ARGV: limit, window in seconds, cost.
-- Returns {allowed (0 or 1), remaining, reset_after, retry_after}, times as strings of
-- seconds, because Redis turns Lua numbers into integers.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local epsilon = 1e-9

local stored = redis.call('HMGET', KEYS[1], 'index', 'previous', 'current')
local index = math.floor(now / window)
local previous = tonumber(stored[2]) or 0
local current = tonumber(stored[3]) or 0
local stored_index = tonumber(stored[1])
if stored_index ~= index then
  if stored_index == index - 1 then
    previous = current
  else
    previous = 0
  end
  current = 0
end

local elapsed = now - index * window
local used = previous * (1 - elapsed / window) + current

local function reset_after(current_count)
  if current_count > 0 then
    return 2 * window - elapsed
  end
  if previous > 0 then
    return window - elapsed
  end
  return 0
end

if used + cost <= limit + epsilon then
  current = current + cost
  redis.call('HSET', KEYS[1], 'index', index, 'previous', previous, 'current', current)
  redis.call('PEXPIRE', KEYS[1], math.ceil(2 * window * 1000) + 1)
  local remaining = math.max(0, math.floor(limit - used - cost + epsilon))
  return {1, remaining, tostring(reset_after(current)), '0'}
end

local retry
if current + cost <= limit and previous > 0 then
  retry = math.max(window * (1 - (limit - current - cost) / previous) - elapsed, 0)
else
  local fits_at = 0
  if current > 0 then
    fits_at = math.max(window * (1 - (limit - cost) / current), 0)
  end
  retry = window - elapsed + fits_at
end
local remaining = math.max(0, math.floor(limit - used + epsilon))
return {0, remaining, tostring(reset_after(current)), tostring(retry)}
