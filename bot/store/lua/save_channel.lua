-- Store a channel's settings and list it among its workspace's channels, atomically (a script rather than
-- MULTI, which redis-py's cluster client runs a thread per command for).
--
-- KEYS: 1 channel settings  2 workspace channels
-- ARGV: 1 settings JSON  2 channel id

redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1
