import { describe, expect, it } from 'vitest';
import { hashKey, stableKey, stableKeyPrefix } from '../../src/store/index.js';

describe('stableKey', () => {
  it('joins parts with colons, numbers in decimal', () => {
    expect(stableKey(['tally', 'guild-1', 'pair', 17])).toBe('tally:guild-1:pair:17');
  });

  it('never gives two different part lists the same key, even when parts contain the separator', () => {
    expect(stableKey(['a:b', 'c'])).not.toBe(stableKey(['a', 'b:c']));
    expect(stableKey(['a%3Ab'])).not.toBe(stableKey(['a:b']));
  });

  it('refuses empty string parts, non-finite numbers and an empty list', () => {
    expect(() => stableKey(['run', ''])).toThrow(/part 1 is an empty string/);
    expect(() => stableKey(['run', Number.NaN])).toThrow(/part 1 is NaN/);
    expect(() => stableKey([])).toThrow(/at least one part/);
  });

  it('stableKeyPrefix matches exactly the keys that extend the given parts', () => {
    const prefix = stableKeyPrefix(['run', 1]);
    expect(stableKey(['run', 1, 'q', 5]).startsWith(prefix)).toBe(true);
    expect(stableKey(['run', 10, 'q', 5]).startsWith(prefix)).toBe(false);
  });
});

describe('hashKey', () => {
  it('is the SHA-256 of the canonical JSON, 64 hex characters', () => {
    // printf '{"a":1,"b":[true,null]}' | sha256sum
    expect(hashKey({ b: [true, null], a: 1 })).toBe(
      '1cc69c7fa23616ca2ec3ee70d24390a6225c8832db8a4c814c7e0e7f942f8668',
    );
  });

  it('does not depend on the order in which object keys were written', () => {
    expect(hashKey({ model: 'm', params: { t: 0, top: 1 } })).toBe(
      hashKey({ params: { top: 1, t: 0 }, model: 'm' }),
    );
  });

  it('differs when any value differs', () => {
    expect(hashKey({ prompt: 'a' })).not.toBe(hashKey({ prompt: 'b' }));
    expect(hashKey([1, 2])).not.toBe(hashKey([2, 1]));
    expect(hashKey('1')).not.toBe(hashKey(1));
  });

  it('ignores properties that hold undefined, as JSON does', () => {
    expect(hashKey({ a: 1, b: undefined })).toBe(hashKey({ a: 1 }));
  });

  it('refuses values that are not JSON, naming where', () => {
    expect(() => hashKey({ at: new Date(0) })).toThrow(/\$\.at: a Date is not plain JSON/);
    expect(() => hashKey({ n: Number.NaN })).toThrow(/\$\.n: NaN is not a finite number/);
    expect(() => hashKey(new Map())).toThrow(/Map/);
  });
});
