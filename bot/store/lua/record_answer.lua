-- Record one revision of a member's answer, atomically: idempotency, the revision itself, the
-- answer's current state, points, leaderboards and the streak. Nothing is written unless all is.
--
-- KEYS: 1 answer  2 revisions  3 prompt answers  4 member answers  5 streak  6 question days
--       7 board:points  8 board:streak  9 board:longest  10 event marker  11 names  12 message owner
--       13 this question's week on the weekly points board
-- ARGV: 1 event id ('' for none)  2 event ttl seconds  3 revisions seen when the answer was read
--       4 user id  5 display name  6 prompt id  7 question id  8 messages JSON  9 revision JSON
--       10 overall score  11 verdict  12 points this answer is worth  13 counts ('1' inside the window)
--       14 local day number  15 time (unix seconds)  16 max freezes  17 days per freeze
--       18 message owner ttl seconds  19 weekly board ttl seconds  20 revisions in the list when read
-- The messages JSON refers to revisions by index (0-based), this one's being ARGV[20].
-- Returns {status, revision, current, longest, freezes, points_total, counted_now, freezes_spent}

if ARGV[1] ~= '' and redis.call('EXISTS', KEYS[10]) == 1 then
  return {'duplicate', 0, 0, 0, 0, 0, 0, 0}
end

local seen = tonumber(ARGV[3])
local revisions = tonumber(redis.call('HGET', KEYS[1], 'revisions') or '0')
if revisions ~= seen or redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[20]) then
  return {'conflict', revisions, 0, 0, 0, 0, 0, 0}
end

local user, now = ARGV[4], tonumber(ARGV[15])
local counts = ARGV[13] == '1'
revisions = revisions + 1
redis.call('RPUSH', KEYS[2], ARGV[9])
redis.call('HSET', KEYS[1],
  'user', user, 'prompt', ARGV[6], 'question', ARGV[7], 'messages', ARGV[8],
  'revisions', revisions, 'score', ARGV[10], 'verdict', ARGV[11], 'updated_at', now)
-- The best revision's score is kept beside the latest, so a weaker rewrite never hides a stronger answer.
local best = tonumber(redis.call('HGET', KEYS[1], 'best') or '-1')
if tonumber(ARGV[10]) > best then
  redis.call('HSET', KEYS[1], 'best', ARGV[10])
end
if revisions == 1 then
  redis.call('HSET', KEYS[1], 'first_at', now, 'late', counts and '0' or '1')
  redis.call('ZADD', KEYS[4], now, ARGV[6])
end
-- an answer withdrawn by deleting its messages comes back with the next one
if redis.call('HGET', KEYS[1], 'withdrawn') == '1' then
  redis.call('HDEL', KEYS[1], 'withdrawn')
  redis.call('ZADD', KEYS[4], now, ARGV[6])
end
redis.call('SET', KEYS[12], ARGV[6] .. '|' .. user, 'EX', tonumber(ARGV[18]))
redis.call('ZADD', KEYS[3], ARGV[10], user)
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[11], user, ARGV[5])
end

-- Points follow the latest revision made inside the window; later revisions are kept but earn nothing.
if counts then
  local old = tonumber(redis.call('HGET', KEYS[1], 'points') or '0')
  local new = tonumber(ARGV[12])
  if new ~= old then
    redis.call('HSET', KEYS[1], 'points', new)
    redis.call('ZINCRBY', KEYS[7], new - old, user)
    redis.call('ZINCRBY', KEYS[13], new - old, user)
    redis.call('EXPIRE', KEYS[13], tonumber(ARGV[19]))
  end
end

-- The streak grows once per question day, on the first revision inside the window.
local counted_now, spent = 0, 0
local current = tonumber(redis.call('HGET', KEYS[5], 'current') or '0')
local longest = tonumber(redis.call('HGET', KEYS[5], 'longest') or '0')
local freezes = tonumber(redis.call('HGET', KEYS[5], 'freezes') or '0')
if counts and redis.call('HGET', KEYS[1], 'counted') ~= '1' then
  redis.call('HSET', KEYS[1], 'counted', '1')
  local day = tonumber(ARGV[14])
  local last = tonumber(redis.call('HGET', KEYS[5], 'last_day') or '-1')
  -- days up to `settled` were already settled at their window close (freeze spent or streak reset)
  local settled = tonumber(redis.call('HGET', KEYS[5], 'settled_through') or '-1')
  if day > last then
    if last < 0 then
      current = 1
    else
      -- question days strictly between the last answered (or settled) day and this one were missed
      local since = math.max(last, settled)
      local missed = redis.call('ZCOUNT', KEYS[6], '(' .. since, '(' .. day)
      -- question days inside the member's pause are neither missed nor answered
      local pause_from = tonumber(redis.call('HGET', KEYS[5], 'pause_from') or '-1')
      local pause_until = tonumber(redis.call('HGET', KEYS[5], 'pause_until') or '-1')
      local low, high = math.max(since + 1, pause_from), math.min(day - 1, pause_until)
      if pause_from >= 0 and low <= high then
        missed = missed - redis.call('ZCOUNT', KEYS[6], low, high)
      end
      if missed == 0 then
        current = current + 1
      elseif missed <= freezes then
        freezes = freezes - missed
        spent = missed
        current = current + 1
      else
        current = 1
      end
    end
    if current % tonumber(ARGV[17]) == 0 then
      freezes = math.min(tonumber(ARGV[16]), freezes + 1)
    end
    if current > longest then
      longest = current
    end
    redis.call('HSET', KEYS[5], 'current', current, 'longest', longest, 'freezes', freezes, 'last_day', day)
    -- an answer on a paused day counts, and the pause ends: the member is back
    local pause_from = tonumber(redis.call('HGET', KEYS[5], 'pause_from') or '-1')
    local pause_until = tonumber(redis.call('HGET', KEYS[5], 'pause_until') or '-1')
    if pause_from >= 0 and pause_from <= day and day <= pause_until then
      if pause_from == day then
        redis.call('HDEL', KEYS[5], 'pause_from', 'pause_until')
      else
        redis.call('HSET', KEYS[5], 'pause_until', day - 1)
      end
    end
    redis.call('ZADD', KEYS[8], current, user)
    redis.call('ZADD', KEYS[9], longest, user)
    counted_now = 1
  end
end

if ARGV[1] ~= '' then
  redis.call('SET', KEYS[10], '1', 'EX', tonumber(ARGV[2]))
end
local total = tonumber(redis.call('ZSCORE', KEYS[7], user) or '0')
return {'ok', revisions, current, longest, freezes, total, counted_now, spent}
