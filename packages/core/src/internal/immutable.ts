/**
 * Deeply frozen copies of plain data (objects, arrays, primitives), made once on write so reads can hand out the
 * stored value itself. Values this module froze are remembered, so sub-structures shared between versions of a
 * session (technician, end-user, ticket, fallbacks) are reused rather than copied again.
 */
const frozenByUs = new WeakSet<object>();

/**
 * A deeply frozen copy of plain data (or the value itself when this function already froze it): how the memory
 * ports store what they are given, so reads can hand out the stored value without copying. For memory port
 * implementations of your own.
 * @public
 */
export function freezeCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (frozenByUs.has(value)) return value;
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
  Object.freeze(out);
  frozenByUs.add(out);
  return out as T;
}
