/** True when `value` and everything in it is frozen (primitives count as frozen). */
function deepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  for (const key in value) if (!deepFrozen((value as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * A deeply frozen copy of plain data (objects, arrays, primitives), or the value itself when it is deeply frozen
 * already: how the memory ports store what they are given, so reads can hand out the stored value without copying
 * and no caller can change it. For memory port implementations of your own.
 *
 * Note: sub-structures a previous write froze (a session's technician, end-user, ticket, fallbacks) are reused, not
 * copied again; checking `Object.isFrozen` down the tree is cheaper than remembering frozen values in a WeakSet,
 * which also costs the garbage collector.
 * @public
 */
export function freezeCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object' || deepFrozen(value)) return value;
  let out: Record<string, unknown> | unknown[];
  if (Array.isArray(value)) {
    out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = freezeCopy(value[i]);
  } else {
    // A spread copies the own enumerable fields in one step and keeps the source's shape; only nested objects recurse.
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in copy) {
      const field = copy[key];
      if (field !== null && typeof field === 'object') copy[key] = freezeCopy(field);
    }
    out = copy;
  }
  return Object.freeze(out) as T;
}
