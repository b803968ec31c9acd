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
  let out: object;
  if (Array.isArray(value)) {
    out = value.map(freezeCopy);
  } else {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = freezeCopy((value as Record<string, unknown>)[key]);
    out = copy;
  }
  Object.freeze(out);
  frozenByUs.add(out);
  return out as T;
}
