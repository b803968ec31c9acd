import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  it('reads seconds, fractions and HTTP dates, and nothing else', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Mon, 30 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0);
    for (const bad of [null, undefined, '', 'soon', '-5']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
