// src/_suggestions.ts as it was before the linear-time work, copied unchanged but for the types (from the
// public API), so that bench/suggest.ts can run it beside the current one on the same records.
import type { MatchConflict, MatchSuggestionBase } from '@qdesk/matching';

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
export type OneOrMany<V> = Map<string, V | V[]>;

/** Adds `value` under `key` in a {@link OneOrMany} map. Values must not be arrays. @internal */
export function addOne<V>(map: OneOrMany<V>, key: string, value: V): void {
  const current = map.get(key);
  if (current === undefined) map.set(key, value);
  else if (Array.isArray(current)) current.push(value);
  else map.set(key, [current, value]);
}

/** Adds a conflict unless an equal one is there already. @internal */
export function addConflict(conflicts: MatchConflict[], conflict: MatchConflict): void {
  const key = JSON.stringify(conflict);
  if (!conflicts.some((c) => JSON.stringify(c) === key)) conflicts.push(conflict);
}
