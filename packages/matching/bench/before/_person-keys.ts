// src/_person-keys.ts as it was before the linear-time work, copied unchanged but for the types (from the
// public API), so that bench/suggest.ts can run it beside the current one on the same records.
import { normalizePersonName } from './normalize.js';

/** Name keys for contacts and end-users, memoised word by word within one matching run. @internal */
export interface PersonKeys {
  /** Key of first + last name, or `''` unless both are present. */
  contact(firstName: string, lastName: string): string;
  /** Key of a display name read as "first last"; "Last, First" (one comma) is turned around first. */
  endUser(displayName: string): string;
}

const NOT_ASCII = /[^\x20-\x7e]/;

/**
 * Creates the keys of one matching run. Folding accents is the costliest step of matching, and first and last names
 * repeat a lot across 100,000 people, so each distinct word outside ASCII is folded once (ASCII text folds in one
 * fast pass). Word by word gives the same key as {@link normalizePersonName} on the whole name: a spaced name folds
 * to its folded words joined by one space.
 * @internal
 */
export function createPersonKeys(): PersonKeys {
  const memo = new Map<string, string>();
  const phrase = (text: string): string => {
    if (!NOT_ASCII.test(text)) return normalizePersonName(text);
    let out = '';
    for (const word of text.split(' ')) {
      if (word === '') continue;
      let key = memo.get(word);
      if (key === undefined) {
        key = normalizePersonName(word);
        memo.set(word, key);
      }
      if (key !== '') out = out === '' ? key : `${out} ${key}`;
    }
    return out;
  };
  const join = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a} ${b}`);
  return {
    contact(firstName, lastName) {
      const first = phrase(firstName);
      const last = phrase(lastName);
      return first === '' || last === '' ? '' : `${first} ${last}`;
    },
    endUser(displayName) {
      const comma = displayName.indexOf(',');
      if (comma < 0 || displayName.indexOf(',', comma + 1) >= 0) return phrase(displayName);
      return join(phrase(displayName.slice(comma + 1)), phrase(displayName.slice(0, comma)));
    },
  };
}
