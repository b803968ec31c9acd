import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPersonKeys } from './_person-keys.js';
import { fold, foldUnicode, normalizePersonName } from './normalize.js';

// Names mixing ASCII, accents, spacing, punctuation and other scripts.
const namePart = fc.constantFrom(
  'Chloé',
  'chloe',
  'ZOË',
  'Jean-Luc',
  "O'Brien",
  'Łukasz',
  'Σ',
  'ΟΔΟΣ',
  '株式',
  'ß',
  '  ',
  '.',
  '\t',
  'ﬁ',
);
const name = fc.oneof(
  fc.array(namePart, { maxLength: 5 }).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

describe('fold', () => {
  it('gives the same key by the ASCII fast path as by full Unicode folding (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), fc.boolean(), (value, ampersand) => {
        expect(fold(value, ampersand)).toBe(foldUnicode(value, ampersand));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('createPersonKeys', () => {
  it('keys a display name like normalizePersonName on the whole name (property)', () => {
    fc.assert(
      fc.property(name, (displayName) => {
        fc.pre(!displayName.includes(','));
        expect(createPersonKeys().endUser(displayName)).toBe(normalizePersonName(displayName));
      }),
    );
  });

  it('turns "Last, First" around', () => {
    const keys = createPersonKeys();
    expect(keys.endUser('Núñez,  Zoë')).toBe('zoe nunez');
    expect(keys.endUser('Smith, Jr., John')).toBe('smith jr john');
    expect(keys.endUser(', ')).toBe('');
  });

  it('keys first + last like the whole name, and gives no key without both (property)', () => {
    fc.assert(
      fc.property(name, name, (first, last) => {
        const keys = createPersonKeys();
        const key = keys.contact(first, last);
        if (normalizePersonName(first) === '' || normalizePersonName(last) === '') expect(key).toBe('');
        else expect(key).toBe(normalizePersonName(`${first} ${last}`));
        // The memo must not change a second answer.
        expect(keys.contact(first, last)).toBe(key);
      }),
    );
  });
});
