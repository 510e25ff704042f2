// The governor's atomic step, as one Lua script: check every budget an API call draws on
// (e.g. HubSpot's 10-second window AND its daily allowance) and take from all of them or
// from none. The rules are those of budget-math.ts (decideWindow / decideAllowance); keep
// both in step. Time is Redis TIME so that every process agrees on "now".
//
// KEYS[1]   hash of calls spent per API (field "__seq" numbers window entries)
// KEYS[1+i] budget i: a sorted set (window: member "<seq>:<n>", score = grant time)
//           or a hash (allowance: remaining, reserved, resetAt)
// ARGV[1] api, ARGV[2] n, ARGV[3] lane, then per budget: kind, windowMs, limit, reserved
// Returns {1, remaining} granted · {0, waitMs} refused · {-1, i, allowance} can never fit.
export const TAKE_BUDGET_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local api = ARGV[1]
local n = tonumber(ARGV[2])
local handoff = ARGV[3] == 'handoff'
local count = #KEYS - 1
local plans = {}
local waitMs = 0
local remainingMin = -1
for i = 1, count do
  local key = KEYS[1 + i]
  local base = 3 + (i - 1) * 4
  local kind = ARGV[base + 1]
  if kind == 'window' then
    local windowMs = tonumber(ARGV[base + 2])
    local limit = tonumber(ARGV[base + 3])
    local reserved = tonumber(ARGV[base + 4])
    local allowance = limit
    if not handoff then allowance = math.max(0, limit - reserved) end
    if n > allowance then return {-1, i, allowance} end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)
    local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    local used = 0
    for j = 1, #entries, 2 do used = used + tonumber(string.match(entries[j], ':(%d+)$')) end
    if used + n <= allowance then
      plans[i] = {'window', key, windowMs}
      local left = allowance - used - n
      if remainingMin < 0 or left < remainingMin then remainingMin = left end
    else
      local mustFree = used + n - allowance
      local freed = 0
      local wait = windowMs
      for j = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
        if freed >= mustFree then
          wait = math.max(1, tonumber(entries[j + 1]) + windowMs - now)
          break
        end
      end
      if wait > waitMs then waitMs = wait end
    end
  else
    local st = redis.call('HMGET', key, 'remaining', 'reserved', 'resetAt')
    if st[1] == false or now >= tonumber(st[3]) then
      plans[i] = {'free'}
    else
      local usable = tonumber(st[1])
      if not handoff then usable = usable - tonumber(st[2]) end
      if n <= usable then
        plans[i] = {'allowance', key}
        local left = usable - n
        if remainingMin < 0 or left < remainingMin then remainingMin = left end
      else
        local wait = math.max(1, tonumber(st[3]) - now)
        if wait > waitMs then waitMs = wait end
      end
    end
  end
end
if waitMs > 0 then return {0, waitMs} end
for i = 1, count do
  local plan = plans[i]
  if plan[1] == 'window' then
    local seq = redis.call('HINCRBY', KEYS[1], '__seq', 1)
    redis.call('ZADD', plan[2], now, seq .. ':' .. n)
    redis.call('PEXPIRE', plan[2], plan[3] + 1000)
  elseif plan[1] == 'allowance' then
    redis.call('HINCRBY', plan[2], 'remaining', -n)
  end
end
redis.call('HINCRBY', KEYS[1], api, n)
return {1, remainingMin}
`;
