import { normalizeEmail } from './normalize.js';
import type { MatchConflict, MatchSuggestionBase } from './types.js';

/** A shared empty list for suggestions without ties or conflicts. @internal */
export const NONE: readonly never[] = Object.freeze([]);

/**
 * Downgrades strong suggestions that share a target: when one customer (or end-user) is the strong candidate of
 * several companies (or contacts), confirming them in bulk would have to pick one, so each becomes weak with a
 * `shared_candidate` conflict naming the others. Changes the fresh suggestions in place.
 * @internal
 */
export function markSharedCandidates<S extends MatchSuggestionBase<string>>(
  suggestions: S[],
  sourceOf: (s: S) => string,
  targetOf: (s: S) => string,
): void {
  const first = new Map<string, S>();
  const shared = new Map<string, S[]>();
  for (const suggestion of suggestions) {
    if (suggestion.strength !== 'strong') continue;
    const target = targetOf(suggestion);
    const earlier = first.get(target);
    if (earlier === undefined) first.set(target, suggestion);
    else push(shared, target, suggestion, earlier);
  }
  for (const group of shared.values()) {
    for (const suggestion of group) {
      const source = sourceOf(suggestion);
      const conflict: MatchConflict = {
        type: 'shared_candidate',
        otherIds: group.map(sourceOf).filter((id) => id !== source),
      };
      suggestion.strength = 'weak';
      suggestion.conflicts = [...suggestion.conflicts, conflict];
    }
  }
}

/** Adds `value` to the list under `key` (starting the list with `head` when it is new). @internal */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V, head?: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, head === undefined ? [value] : [head, value]);
}

/** A map that holds a single value as itself and only makes a list for the second: most keys are unique. @internal */
export type OneOrMany<V, K = string> = Map<K, V | V[]>;

/** Adds `value` under `key` in a {@link OneOrMany} map. Values must not be arrays. @internal */
export function addOne<V, K>(map: OneOrMany<V, K>, key: K, value: V): void {
  const current = map.get(key);
  if (current === undefined) map.set(key, value);
  else if (Array.isArray(current)) current.push(value);
  else map.set(key, [current, value]);
}

/**
 * Numbers the distinct strings it is given, 0, 1, 2... in the order they first come, and finds a string's number.
 * Sized for `expected` strings up front, so it only grows when more come.
 *
 * Note: this stands in for `Map<string, number>` where matching indexes every email and id of a PSA (a million and
 * more). At that size each lookup of a `Map` misses the processor's caches several times (its bucket, its entry, then
 * each key it compares, to read that key's hash), which made suggestions grow by 15 to 18 times per 10 times the
 * records. Here the hash sits beside the number in one flat array, so a lookup reads one slot and touches a stored
 * string only when the hash already agrees. The hash is seeded per index, so crafted keys cannot be made to collide.
 * @internal
 */
export class KeyIndex {
  /** The strings, by number: the first spelling given of each. */
  readonly keys: string[] = [];
  // Open addressing, linear probing: slot s holds the hash at 2s and the number + 1 at 2s + 1 (0 when free).
  private slots: Int32Array;
  private mask: number;
  private readonly seed = (Math.random() * 0x100000000) | 0;

  /** `emails`: strings are equal when they are after {@link normalizeEmail}, and compared without making that copy. */
  constructor(
    expected: number,
    private readonly emails = false,
  ) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** How many distinct strings it holds. */
  get size(): number {
    return this.keys.length;
  }

  /** The number of `key`, or -1 when it was never added. */
  find(key: string): number {
    const hash = this.hash(key);
    const slots = this.slots;
    for (let s = hash & this.mask; ; s = (s + 1) & this.mask) {
      const stored = slots[2 * s + 1]!;
      if (stored === 0) return -1;
      if (slots[2 * s] === hash && this.same(this.keys[stored - 1]!, key)) return stored - 1;
    }
  }

  /** The number of `key`, giving it the next one (`size` before the call) when it is new. */
  add(key: string): number {
    const hash = this.hash(key);
    const slots = this.slots;
    let s = hash & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const stored = slots[2 * s + 1]!;
      if (stored === 0) break;
      if (slots[2 * s] === hash && this.same(this.keys[stored - 1]!, key)) return stored - 1;
    }
    const number = this.keys.push(key) - 1;
    slots[2 * s] = hash;
    slots[2 * s + 1] = number + 1;
    if (this.keys.length * 2 > this.mask + 1) this.grow();
    return number;
  }

  private same(stored: string, key: string): boolean {
    if (stored === key) return true;
    if (!this.emails) return false;
    // ASCII side by side, case folded, between the blanks; anything else (rare) by the normalised copies. A
    // difference among ASCII characters is final: nothing later in either string changes what comes before it.
    const from = blanksBefore(stored);
    const to = blanksBefore(key);
    const length = blanksFrom(stored, from) - from;
    const keyLength = blanksFrom(key, to) - to;
    for (let i = 0; i < Math.min(length, keyLength); i++) {
      const a = stored.charCodeAt(from + i);
      const b = key.charCodeAt(to + i);
      if (a > 127 || b > 127) return normalizeEmail(stored) === normalizeEmail(key);
      if (lower(a) !== lower(b)) return false;
    }
    if (length === keyLength) return true;
    return !isAscii(stored) || !isAscii(key) ? normalizeEmail(stored) === normalizeEmail(key) : false;
  }

  private hash(key: string): number {
    // FNV-1a over the UTF-16 code units, then murmur3's finaliser to spread the low bits the mask keeps. An email is
    // hashed as it is after normalizeEmail: an ASCII one between its blanks and lower-cased on the fly, another by
    // its normalised copy.
    let h = this.seed ^ 0x811c9dc5;
    if (!this.emails) {
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
      return mix(h);
    }
    const start = blanksBefore(key);
    for (let i = start, end = blanksFrom(key, start); i < end; i++) {
      const c = key.charCodeAt(i);
      if (c > 127) return this.hashCopy(normalizeEmail(key));
      h = Math.imul(h ^ lower(c), 0x01000193);
    }
    return mix(h);
  }

  private hashCopy(normalized: string): number {
    let h = this.seed ^ 0x811c9dc5;
    for (let i = 0; i < normalized.length; i++) h = Math.imul(h ^ normalized.charCodeAt(i), 0x01000193);
    return mix(h);
  }

  // Only when more strings come than expected: doubles the slots, placing each entry by its stored hash.
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let o = 0; o < old.length; o += 2) {
      if (old[o + 1] === 0) continue;
      let s = old[o]! & this.mask;
      while (this.slots[2 * s + 1] !== 0) s = (s + 1) & this.mask;
      this.slots[2 * s] = old[o]!;
      this.slots[2 * s + 1] = old[o + 1]!;
    }
  }
}

function mix(h: number): number {
  const x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  const y = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return y ^ (y >>> 16);
}

const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
// The blanks `trim()` drops that are ASCII: tab, line feed, vertical tab, form feed, carriage return and space.
const isBlank = (c: number) => c === 32 || (c >= 9 && c <= 13);

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

function blanksBefore(text: string): number {
  let i = 0;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** Where the blanks at the end of `text` start (not before `start`). */
function blanksFrom(text: string, start: number): number {
  let end = text.length;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}
