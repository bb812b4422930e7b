import { z } from 'zod';
import { type LeaseOutcome, type LeaseRequest, leaseStateSchema } from './leases.js';

/**
 * The lease rules of leases.ts (`decideLease`) as Lua, so that Redis applies each request atomically: a
 * script runs alone on the server, between any two other commands. The lease contract suite runs the same
 * cases against this script and against the SQL backends, which use `decideLease` itself.
 *
 * The stored row is the collections' envelope `{"value": {"owner", "token", "expiresAt"}}`; numbers are
 * written with %d because cjson would print large integers in exponent form.
 */
export const LEASE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
local cur = nil
if raw then
  local ok, doc = pcall(cjson.decode, raw)
  if not ok or type(doc) ~= 'table' or type(doc.value) ~= 'table'
    or type(doc.value.owner) ~= 'string' or type(doc.value.token) ~= 'number'
    or type(doc.value.expiresAt) ~= 'number' then
    return redis.error_reply('lease ' .. KEYS[1] .. ': the stored row is not a lease')
  end
  cur = doc.value
end
local action, owner = ARGV[1], ARGV[2]
local token, ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function enc(l)
  return '{"owner":' .. cjson.encode(l.owner) .. ',"token":' .. string.format('%d', l.token)
    .. ',"expiresAt":' .. string.format('%d', l.expiresAt) .. '}'
end
local function reply(granted, l)
  local lease = 'null'
  if l then lease = enc(l) end
  local g = 'false'
  if granted then g = 'true' end
  return '{"granted":' .. g .. ',"lease":' .. lease .. '}'
end
local function grant(l)
  redis.call('SET', KEYS[1], '{"value":' .. enc(l) .. '}')
  return reply(true, l)
end
if action == 'acquire' then
  local expiresAt = now + ttl
  if not cur then return grant({ owner = owner, token = 1, expiresAt = expiresAt }) end
  if cur.owner == owner and cur.expiresAt > now then
    return grant({ owner = owner, token = cur.token, expiresAt = expiresAt })
  end
  if cur.expiresAt > now then return reply(false, cur) end
  return grant({ owner = owner, token = cur.token + 1, expiresAt = expiresAt })
end
if not cur or cur.owner ~= owner or cur.token ~= token then return reply(false, cur) end
if action == 'renew' then
  return grant({ owner = owner, token = cur.token, expiresAt = now + ttl })
end
return grant({ owner = owner, token = cur.token, expiresAt = 0 })
`;

/** KEYS[1] the row to write, KEYS[2] the lease; ARGV[1] the value, ARGV[2] the token it must carry. */
export const FENCED_SET_SCRIPT = `
local raw = redis.call('GET', KEYS[2])
if not raw then return 0 end
local ok, doc = pcall(cjson.decode, raw)
if not ok or type(doc) ~= 'table' or type(doc.value) ~= 'table' then
  return redis.error_reply('lease ' .. KEYS[2] .. ': the stored row is not a lease')
end
if doc.value.token ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

/** The script's arguments for a request: action, owner, token, ttl, now (unused ones as 0). */
export function leaseScriptArguments(request: LeaseRequest): string[] {
  const token = request.action === 'acquire' ? 0 : request.token;
  const ttl = request.action === 'release' ? 0 : request.ttlMs;
  const now = request.action === 'release' ? 0 : request.now;
  return [request.action, request.owner, String(token), String(ttl), String(now)];
}

const outcomeSchema = z.object({ granted: z.boolean(), lease: leaseStateSchema.nullable() });

export function parseLeaseReply(reply: unknown): LeaseOutcome {
  if (typeof reply !== 'string') throw new Error(`Redis answered the lease script with ${String(reply)}`);
  return outcomeSchema.parse(JSON.parse(reply));
}
