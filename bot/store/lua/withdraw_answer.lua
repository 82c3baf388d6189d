-- Withdraw a member's answer whose last message was deleted: it leaves the prompt's answers (so peer
-- review, the window summary and the top-answer quote no longer see it) and the member's history, and
-- gives back its points. The streak day it earned stays: the streak records days, not answers.
--
-- KEYS: 1 answer  2 prompt answers  3 member answers  4 board:points  5 message owner  6 weekly points
-- ARGV: 1 revisions seen when the answer was read  2 user id  3 prompt id
-- Returns {status} with status 'ok', 'conflict' (the answer changed meanwhile) or 'gone'

local revisions = tonumber(redis.call('HGET', KEYS[1], 'revisions') or '0')
if revisions == 0 then
  return {'gone'}
end
if revisions ~= tonumber(ARGV[1]) then
  return {'conflict'}
end
local points = tonumber(redis.call('HGET', KEYS[1], 'points') or '0')
if points ~= 0 then
  redis.call('ZINCRBY', KEYS[4], -points, ARGV[2])
  redis.call('ZINCRBY', KEYS[6], -points, ARGV[2])
end
redis.call('HSET', KEYS[1], 'messages', '[]', 'withdrawn', '1', 'points', 0, 'revisions', revisions + 1)
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[3])
redis.call('DEL', KEYS[5])
return {'ok'}
