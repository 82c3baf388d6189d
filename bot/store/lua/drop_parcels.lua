-- Forget parcels, their due times and their bodies together.
--
-- KEYS: 1 due times (sorted set of parcel ids)  2 parcels (hash id -> JSON), of one outbox shard
-- ARGV: the parcel ids

-- in runs, since unpack() cannot spread more than a few thousand values
local RUN = 1000
for first = 1, #ARGV, RUN do
  local last = math.min(first + RUN - 1, #ARGV)
  redis.call('ZREM', KEYS[1], unpack(ARGV, first, last))
  redis.call('HDEL', KEYS[2], unpack(ARGV, first, last))
end
return 1
