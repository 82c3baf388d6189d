-- The answer's author marks a review helpful: once, with extra points for the reviewer.
-- KEYS: 1 reviews of the answer  2 board:reviewers
-- ARGV: 1 reviewer id  2 points
-- Returns 'missing', 'already' or 'marked'.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  return 'missing'
end
local review = cjson.decode(raw)
if review['helpful'] then
  return 'already'
end
review['helpful'] = true
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(review))
redis.call('ZINCRBY', KEYS[2], tonumber(ARGV[2]), ARGV[1])
return 'marked'
