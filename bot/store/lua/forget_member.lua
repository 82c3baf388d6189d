-- Forget one member in one workspace, atomically: delete their keys, take them out of boards, answer sets
-- and the names hash, make the reviews they wrote anonymous, and delete links that still point at them.
-- Idempotent: what is already gone is skipped.
--
-- KEYS: first the keys to delete, then the (sorted) sets and the hashes to remove the member from, then the
--       review hashes holding a review the member wrote, then the strings to delete if still unchanged
-- ARGV: 1 user id  2 the anonymous id their reviews are kept under  3 keys to delete  4 sorted sets
--       5 hashes  6 review hashes  7.. the expected value of each string to delete if unchanged
-- Returns the number of reviews made anonymous

local user, anon = ARGV[1], ARGV[2]
local i = 0
for _ = 1, tonumber(ARGV[3]) do
  i = i + 1
  redis.call('DEL', KEYS[i])
end
for _ = 1, tonumber(ARGV[4]) do
  i = i + 1
  if redis.call('TYPE', KEYS[i])['ok'] == 'set' then
    redis.call('SREM', KEYS[i], user)
  else
    redis.call('ZREM', KEYS[i], user)
  end
end
for _ = 1, tonumber(ARGV[5]) do
  i = i + 1
  redis.call('HDEL', KEYS[i], user)
end
local anonymised = 0
for _ = 1, tonumber(ARGV[6]) do
  i = i + 1
  local raw = redis.call('HGET', KEYS[i], user)
  if raw then
    local review = cjson.decode(raw)
    review['reviewer_id'] = anon
    review['reviewer_name'] = ''
    redis.call('HDEL', KEYS[i], user)
    redis.call('HSET', KEYS[i], anon, cjson.encode(review))
    anonymised = anonymised + 1
  end
end
local expected = 7
while i < #KEYS do
  i = i + 1
  if redis.call('GET', KEYS[i]) == ARGV[expected] then
    redis.call('DEL', KEYS[i])
  end
  expected = expected + 1
end
return anonymised
