-- Start, extend or end a member's pause. Paused question days neither break nor extend the streak.
-- One pause is kept per member; a pause that ended before a new one starts is folded into
-- settled_through first (when no unsettled miss lies before it), so its days stay excused.
--
-- KEYS: 1 streak  2 question days
-- ARGV: 1 'pause' or 'resume'  2 today (local day number)  3 last paused day (with 'pause')
-- Returns {status, pause_from, pause_until} with status 'paused', 'resumed' or 'not_paused'

local today = tonumber(ARGV[2])
local pause_from = tonumber(redis.call('HGET', KEYS[1], 'pause_from') or '-1')
local pause_until = tonumber(redis.call('HGET', KEYS[1], 'pause_until') or '-1')
local active = pause_from >= 0 and pause_from <= today and today <= pause_until

if ARGV[1] == 'resume' then
  if not active then
    return {'not_paused', -1, -1}
  end
  -- today counts again
  if pause_from >= today then
    redis.call('HDEL', KEYS[1], 'pause_from', 'pause_until')
    return {'resumed', -1, -1}
  end
  redis.call('HSET', KEYS[1], 'pause_until', today - 1)
  return {'resumed', pause_from, today - 1}
end

local last_paused = tonumber(ARGV[3])
local start = today
if pause_from >= 0 and pause_from <= today and pause_until >= today - 1 then
  start = pause_from -- still paused (or paused through yesterday): one continuous pause
elseif pause_from >= 0 and pause_until < today then
  local last = tonumber(redis.call('HGET', KEYS[1], 'last_day') or '-1')
  local settled = tonumber(redis.call('HGET', KEYS[1], 'settled_through') or '-1')
  local since = math.max(last, settled)
  if since < pause_until then
    local before = math.max(since, pause_from - 1)
    if redis.call('ZCOUNT', KEYS[2], '(' .. since, '(' .. (before + 1)) == 0 then
      redis.call('HSET', KEYS[1], 'settled_through', pause_until)
    end
  end
end
redis.call('HSET', KEYS[1], 'pause_from', start, 'pause_until', last_paused)
return {'paused', start, last_paused}
