-- Add a peer review once per reviewer and answer, and credit the reviewer.
-- KEYS: 1 reviews of the answer  2 board:reviewers
-- ARGV: 1 reviewer id  2 review JSON  3 points
-- Returns 1 when added, 0 when this reviewer had already reviewed the answer.
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('ZINCRBY', KEYS[2], tonumber(ARGV[3]), ARGV[1])
return 1
