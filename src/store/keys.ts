import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { findNonJson } from './json-value.js';

const canonicalStringify = configure({ deterministic: true, strict: true });

/** Separates the parts of a key built by `stableKey`; parts never contain it (it is percent-encoded). */
export const KEY_SEPARATOR = ':';

/**
 * Joins normalised parts into a key, e.g. `stableKey(['tally', guildId, 'pair', 17])` → `tally:123:pair:17`.
 * Each part is percent-encoded, so different part lists never give the same key. Parts must already be
 * normalised by the caller (trimmed, lower-cased ids, ...) and must never be secrets: keys are visible to
 * anyone who can list the store. Use `hashKey` for parts that are long or free-form.
 */
export function stableKey(parts: ReadonlyArray<string | number>): string {
  if (parts.length === 0) throw new TypeError('stableKey needs at least one part');
  return parts.map(encodePart).join(KEY_SEPARATOR);
}

/** The prefix shared by every `stableKey` that starts with `parts`, for `Collection.entries(prefix)`. */
export function stableKeyPrefix(parts: ReadonlyArray<string | number>): string {
  return stableKey(parts) + KEY_SEPARATOR;
}

/**
 * SHA-256 (hex, 64 characters) of the canonical JSON of `value`: object keys sorted, no whitespace. Equal
 * values give equal hashes however their keys were ordered; properties holding `undefined` are ignored.
 * Throws for values that are not JSON (Dates, Maps, NaN, ...), which would otherwise hash ambiguously.
 */
export function hashKey(value: unknown): string {
  const problem = findNonJson(value);
  if (problem !== undefined) throw new TypeError(`hashKey: value is not JSON at ${problem}`);
  const canonical = canonicalStringify(value);
  if (canonical === undefined) throw new TypeError('hashKey: value is not JSON');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function encodePart(part: string | number, index: number): string {
  if (typeof part === 'number') {
    if (!Number.isFinite(part))
      throw new TypeError(`stableKey: part ${index} is ${part}, not a finite number`);
    return String(part);
  }
  if (part === '') throw new TypeError(`stableKey: part ${index} is an empty string`);
  return encodeURIComponent(part);
}
