-- Count one model request against a workspace's daily budget, or refuse it without counting.
--
-- KEYS: 1 the day's request counter
-- ARGV: 1 budget  2 seconds the counter is kept
-- Returns 1 when the request may be made, 0 once the budget is spent

local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  return 0
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
