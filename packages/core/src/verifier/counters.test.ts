import { describe, expect, it } from 'vitest';
import { counterKey } from './counters.js';

describe('per-end-user counter keys', () => {
  it('percent-encode the id, so no id reaches another counter or another end-user', () => {
    expect(counterKey('failures', 'a:b')).toBe('failures:a%3Ab');
    // Unencoded, ids holding the separator could name the same key (a grant's `session:action` pair most of all).
    const ids = ['eu', 'eu:1', 'eu%3A1', 'failures:eu', 'sends', ':', ''];
    const keys = ids.flatMap((id) =>
      (['sends', 'pushes', 'failures'] as const).map((c) => counterKey(c, id)),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});
