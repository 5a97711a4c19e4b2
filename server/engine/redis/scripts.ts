/**
 * The Redis engine's Lua scripts. Each runs atomically on the server, which is what makes
 * compare-and-set, offset assignment with dedup, and claim-then-read one step for every
 * process sharing the Redis. Times come from the server's clock (`TIME`), so that processes
 * with skewed clocks agree on expiry. Stream entry ids are `0-<offset>`: Redis keeps them
 * ordered and XRANGE can start at any offset.
 */

/** KEYS[1] key; ARGV value, ttlMs → new version. */
export const KV_SET = `
local v = redis.call('HINCRBY', KEYS[1], 'ver', 1)
redis.call('HSET', KEYS[1], 'val', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return v`;

/** KEYS[1] key; ARGV value, expected, ttlMs → {1, version} | {0, version, value} | {0}. */
export const KV_CAS = `
local cur = redis.call('HMGET', KEYS[1], 'ver', 'val')
local ver = tonumber(cur[1]) or 0
if ver ~= tonumber(ARGV[2]) then
  if ver == 0 then return {0} end
  return {0, ver, cur[2]}
end
redis.call('HSET', KEYS[1], 'ver', ver + 1, 'val', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, ver + 1}`;

const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * KEYS[1] stream, KEYS[2] meta hash, KEYS[3] dedup key; ARGV payload, id ('' = none),
 * fresh epoch, maxLen, maxAgeMs, dedupMs → {offset, epoch, duplicate 0|1}.
 * Entries older than maxAge are trimmed from the head, at most 64 per append; reads skip
 * any that are left. The stream and its meta expire maxAge after the last append, which
 * forgets the stream (a new epoch next time).
 */
export const LOG_APPEND = `${NOW}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
local epoch = meta[1]
local last = tonumber(meta[2]) or 0
if not epoch then
  epoch = ARGV[3]
  last = 0
  redis.call('HSET', KEYS[2], 'epoch', epoch, 'last', 0)
end
if ARGV[2] ~= '' then
  local seen = redis.call('GET', KEYS[3])
  if seen then return {tonumber(seen), epoch, 1} end
end
local offset = last + 1
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], '0-' .. offset,
  'p', ARGV[1], 'i', ARGV[2], 't', now)
redis.call('HSET', KEYS[2], 'last', offset)
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], offset, 'PX', ARGV[6]) end
local cutoff = now - tonumber(ARGV[5])
local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #head > 0 and tonumber(head[1][2][6]) <= cutoff then
  local keep = nil
  for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 64)) do
    if tonumber(e[2][6]) > cutoff then break end
    keep = tonumber(string.sub(e[1], 3)) + 1
  end
  if keep then redis.call('XTRIM', KEYS[1], 'MINID', '0-' .. keep) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {offset, epoch, 0}`;

/**
 * KEYS[1] stream, KEYS[2] meta; ARGV after, limit, maxAgeMs →
 * {epoch, last, first, entries}. One script, so that first/last and the entries are one
 * snapshot.
 */
export const LOG_READ = `${NOW}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
if not meta[1] then return {'', 0, 1, {}} end
local last = tonumber(meta[2])
local cutoff = now - tonumber(ARGV[3])
local first = last + 1
local from = '-'
while true do
  local batch = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 256)
  if #batch == 0 then break end
  local found = false
  for _, e in ipairs(batch) do
    if tonumber(e[2][6]) > cutoff then
      first = tonumber(string.sub(e[1], 3))
      found = true
      break
    end
  end
  if found then break end
  from = '(' .. batch[#batch][1]
end
local start = math.max(tonumber(ARGV[1]) + 1, first)
local entries = {}
if start <= last then
  entries = redis.call('XRANGE', KEYS[1], '0-' .. start, '+', 'COUNT', ARGV[2])
end
return {meta[1], last, first, entries}`;

/**
 * KEYS[1] stream, KEYS[2] the group's schedule (a sorted set: entry id → when it is due
 * again); ARGV group, consumer, max, ackWaitMs, keepMs → {{id, fields, deliveries}, …}.
 * Redeliveries first (entries whose time came: ack wait over, or nacked), then new entries;
 * each one handed out is scheduled ackWait from now. The schedule rather than XAUTOCLAIM's
 * idle time decides, because a nack must make an entry due at a chosen time, and Redis
 * cannot set an idle time in the future. XCLAIM skips entries acked meanwhile or trimmed
 * by retention (Redis 7 drops those from the pending list): they leave the schedule.
 */
export const LOG_CONSUME = `${NOW}
local created = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP') then
  return redis.error_reply(created.err)
end
local max = tonumber(ARGV[3])
local deadline = now + tonumber(ARGV[4])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, max)) do
  local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
  if #claimed == 0 or not claimed[1] or not claimed[1][2] then
    redis.call('ZREM', KEYS[2], id)
  else
    local info = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    redis.call('ZADD', KEYS[2], deadline, id)
    table.insert(out, {id, claimed[1][2], info[1][4]})
  end
end
if #out < max then
  local fresh = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', max - #out,
    'STREAMS', KEYS[1], '>')
  if fresh then
    for _, e in ipairs(fresh[1][2]) do
      redis.call('ZADD', KEYS[2], deadline, e[1])
      table.insert(out, {e[1], e[2], 1})
    end
  end
end
if #out > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
return out`;

/**
 * Records: KEYS[1] the record's hash, KEYS[2] the namespace's index (a sorted set of every
 * record's key at score 0, listed by ZRANGEBYLEX), KEYS[3] the namespace's version counter.
 * The index changes in the same script as the record, so a listing never names a record
 * that is not there or misses one that is. Versions come from the counter, so a record
 * deleted and created again never gets back a version it had.
 */

/** ARGV key, value → new version. */
export const REC_SET = `
local v = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'ver', v, 'val', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return v`;

/** ARGV key, value, expected → {1, version} | {0, version, value} | {0}. */
export const REC_CAS = `
local cur = redis.call('HMGET', KEYS[1], 'ver', 'val')
local ver = tonumber(cur[1]) or 0
if ver ~= tonumber(ARGV[3]) then
  if ver == 0 then return {0} end
  return {0, ver, cur[2]}
end
local v = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'ver', v, 'val', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return {1, v}`;

/** KEYS[1] record, KEYS[2] index; ARGV key, expected ('' = any version) → 1 | 0. */
export const REC_DELETE = `
local ver = redis.call('HGET', KEYS[1], 'ver')
if not ver then return 0 end
if ARGV[2] ~= '' and tonumber(ver) ~= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

/** KEYS[1] stream, KEYS[2] schedule; ARGV group, id. */
export const LOG_ACK = `
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 0`;

/** KEYS[1] schedule; ARGV id, delayMs: due again then, if still pending (XX). */
export const LOG_NACK = `${NOW}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0`;

/**
 * KEYS[1] stream, KEYS[2] meta; ARGV group → {backlog, pending}. The backlog is what lies
 * after the group's last handed-out id, at most what the stream still holds.
 */
export const LOG_GROUP_INFO = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local len = redis.call('XLEN', KEYS[1])
local last = tonumber(redis.call('HGET', KEYS[2], 'last')) or 0
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  if info['name'] == ARGV[1] then
    local delivered = tonumber(string.sub(info['last-delivered-id'], 3)) or 0
    return {math.min(len, math.max(0, last - delivered)), info['pending']}
  end
end
return {len, 0}`;
