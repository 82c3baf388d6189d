-- Store a posted prompt in one atomic step (a script, not MULTI: on a Redis Cluster redis-py runs every
-- command queued in a MULTI pipeline on a thread of its own): its day's claim becomes 'posted', the prompt,
-- its place among the channel's prompts and asked questions, the question days, and its thread's index.
--
-- KEYS: 1 post claim  2 prompt  3 channel prompts  4 channel asked  5 question days  6 thread index
-- ARGV: 1 claim ttl seconds  2 prompt JSON  3 prompt id  4 day number  5 question id  6 thread id ('' for none)
--       7.. question day numbers to mark

redis.call('SET', KEYS[1], 'posted', 'EX', tonumber(ARGV[1]))
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[3])
redis.call('RPUSH', KEYS[4], ARGV[5])
for i = 7, #ARGV do
  redis.call('ZADD', KEYS[5], tonumber(ARGV[i]), ARGV[i])
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[6], ARGV[3])
end
return 1
