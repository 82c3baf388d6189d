-- Keep a parcel (or replace it) with the time it is next due, atomically.
--
-- KEYS: 1 due times (sorted set of parcel ids)  2 parcels (hash id -> JSON), of one outbox shard
-- ARGV: 1 parcel id  2 parcel JSON  3 due (unix seconds)

redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
return 1
