import { foldAscii, normalizePersonName } from './normalize.js';

/** Name keys for contacts and end-users, memoised word by word within one matching run. @internal */
export interface PersonKeys {
  /** Key of first + last name, or `''` unless both are present. */
  contact(firstName: string, lastName: string): string;
  /** Key of a display name read as "first last"; "Last, First" (one comma) is turned around first. */
  endUser(displayName: string): string;
}

/**
 * Creates the keys of one matching run. Folding accents is the costliest step of matching, and first and last names
 * repeat a lot across 100,000 people, so each distinct word outside ASCII is folded once (ASCII text folds in one
 * fast pass). Word by word gives the same key as {@link normalizePersonName} on the whole name: a spaced name folds
 * to its folded words joined by one space.
 * @internal
 */
export function createPersonKeys(): PersonKeys {
  const memo = new Map<string, string>();
  const word = (text: string): string => {
    let key = memo.get(text);
    if (key === undefined) {
      key = normalizePersonName(text);
      memo.set(text, key);
    }
    return key;
  };
  const phrase = (text: string): string => {
    const ascii = foldAscii(text, false);
    if (ascii !== null) return ascii;
    if (!text.includes(' ')) return word(text);
    let out = '';
    for (const part of text.split(' ')) {
      if (part === '') continue;
      const key = word(part);
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
