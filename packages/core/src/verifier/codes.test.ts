import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../memory/runtime.js';
import type { Random } from '../ports/runtime.js';
import { createDigests, generateCode, maskDestination } from './codes.js';

describe('codes', () => {
  it('are uniform: chi-square over each digit position shows no bias', () => {
    const n = 60_000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    const firstDigit = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const code = generateCode(cryptoRandom, 6);
      expect(code).toHaveLength(6);
      for (let p = 0; p < 6; p++) counts[p]![Number(code[p])]! += 1;
      firstDigit[Number(code[0])]! += 1;
    }
    // 9 degrees of freedom: the 99.99th percentile is 33.7. A biased generator (randomInt(100000, 999999), or a
    // modulo of random bytes) fails the first position far beyond it.
    for (const position of counts) {
      const chi = position.reduce((sum, observed) => sum + (observed - n / 10) ** 2 / (n / 10), 0);
      expect(chi).toBeLessThan(33.7);
    }
    expect(firstDigit[0]).toBeGreaterThan(n / 10 - 800); // leading zeros are not lost
  });

  it('keeps leading zeros and uses the whole range', () => {
    const fixed = (value: number): Random => ({ int: () => value, bytes: (n) => new Uint8Array(n) });
    expect(generateCode(fixed(0), 6)).toBe('000000');
    expect(generateCode(fixed(42), 6)).toBe('000042');
    expect(generateCode(fixed(999_999), 6)).toBe('999999');
    expect(generateCode(fixed(7), 10)).toBe('0000000007');
    const seen: number[] = [];
    const spy: Random = {
      int: (max) => {
        seen.push(max);
        return 0;
      },
      bytes: (n) => new Uint8Array(n),
    };
    generateCode(spy, 8);
    expect(seen).toEqual([100_000_000]);
  });

  it('digests are keyed, bound to the session and the purpose', () => {
    const a = createDigests(new TextEncoder().encode('k'.repeat(32)));
    const b = createDigests(new TextEncoder().encode('j'.repeat(32)));
    expect(a.secret('code', 's1', '123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.secret('code', 's1', '123456')).not.toBe(b.secret('code', 's1', '123456'));
    expect(a.secret('code', 's1', '123456')).not.toBe(a.secret('code', 's2', '123456'));
    expect(a.secret('code', 's1', '123456')).not.toBe(a.secret('number', 's1', '123456'));
    const token = a.deviceToken('s1', 'nonce');
    expect(a.checkDeviceToken('s1', 'nonce', token)).toBe(true);
    expect(a.checkDeviceToken('s1', 'other', token)).toBe(false);
    expect(a.checkDeviceToken('s1', 'nonce', `${token}=`)).toBe(false);
    expect(a.checkDeviceToken('s1', 'nonce', '')).toBe(false);
  });

  it('masks destinations', () => {
    expect(maskDestination('+15550100001')).toBe('+1••••••0001');
    expect(maskDestination('ana.silva@northwind.example')).toBe('a•••@northwind.example');
    expect(maskDestination('123')).toBe('••••');
  });
});
