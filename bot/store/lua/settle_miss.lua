-- Settle one missed question day for one member at its window close: spend a freeze, or end the
-- streak. Idempotent per day: a day already settled, answered, or older than the last answer is left alone,
-- and so is a day inside the member's pause (it is neither missed nor answered).
--
-- KEYS: 1 streak  2 board:streak
-- ARGV: 1 local day number  2 user id
-- Returns {outcome, current, freezes} with outcome 'none', 'paused', 'freeze' or 'reset'

local day = tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'current') or '0')
local freezes = tonumber(redis.call('HGET', KEYS[1], 'freezes') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last_day') or '-1')
local settled = tonumber(redis.call('HGET', KEYS[1], 'settled_through') or '-1')
if current == 0 or last >= day or settled >= day then
  return {'none', current, freezes}
end
local pause_from = tonumber(redis.call('HGET', KEYS[1], 'pause_from') or '-1')
local pause_until = tonumber(redis.call('HGET', KEYS[1], 'pause_until') or '-1')
if pause_from >= 0 and pause_from <= day and day <= pause_until then
  return {'paused', current, freezes}
end
local outcome
if freezes > 0 then
  freezes = freezes - 1
  outcome = 'freeze'
else
  current = 0
  outcome = 'reset'
end
redis.call('HSET', KEYS[1], 'current', current, 'freezes', freezes, 'settled_through', day)
redis.call('ZADD', KEYS[2], current, ARGV[2])
return {outcome, current, freezes}
