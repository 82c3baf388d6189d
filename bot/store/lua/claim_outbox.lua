-- Claim up to ARGV[3] parcels that are due: each is leased (its due time moved ARGV[2] seconds ahead) so no
-- other replica sends it meanwhile; a sender that dies leaves it to be claimed again when the lease ends.
--
-- KEYS: 1 due times (sorted set of parcel ids)  2 parcels (hash id -> JSON)
-- ARGV: 1 now (unix seconds)  2 lease seconds  3 most to claim
-- Returns the claimed parcels' JSON

local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(ids) do
  local parcel = redis.call('HGET', KEYS[2], id)
  if parcel then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
    table.insert(claimed, parcel)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
