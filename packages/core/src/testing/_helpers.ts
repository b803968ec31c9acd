/**
 * Small helpers the conformance kits share: unique names, a field-by-field comparison that says which field differs,
 * a plain-JSON check, and the `has` function behind capability-gated rules. Internal to `@qdesk/core/testing`.
 */

/** A name no earlier run used (tenants, keys, sessions), so rules never see each other's data in a shared backend. */
export const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A value in a failure message: JSON, cut short. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first difference between two plain values, as `path: expected X, got Y`, or `null` when they hold the same
 * data. Key order does not matter and a missing key equals `undefined`, as for data read back from JSON or SQL.
 */
export function firstDifference(expected: unknown, actual: unknown, path = '(root)'): string | null {
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) {
      return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    if (expected.length !== actual.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const difference = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return null;
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const at = path === '(root)' ? key : `${path}.${key}`;
      const difference = firstDifference(expected[key], actual[key], at);
      if (difference) return difference;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

/**
 * Why `value` is not plain JSON data (a class instance, `undefined`, a function, a non-finite number), or `null`
 * when it is: what a caller can store, log and send as is.
 */
export function plainJsonProblem(value: unknown, path = '(root)'): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = plainJsonProblem(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return `${path} is a ${value.constructor?.name ?? 'class instance'}, not a plain object`;
    }
    for (const [key, field] of Object.entries(value)) {
      const problem = plainJsonProblem(field, path === '(root)' ? key : `${path}.${key}`);
      if (problem) return problem;
    }
    return null;
  }
  return `${path} is ${typeof value === 'undefined' ? 'undefined (leave the key out instead)' : `a ${typeof value}`}`;
}

/**
 * The `has` function of a kit: a rule's `needs` names one flag, or several joined by ` & `; the rule runs only
 * when every one is `true`. An unknown flag is a mistake in the kit, so it throws.
 */
export function needsFrom(flags: Record<string, boolean>): (need: string) => boolean {
  return (need) =>
    need.split(' & ').every((flag) => {
      if (!(flag in flags))
        throw new Error(`Unknown kit need "${flag}"; expected one of ${Object.keys(flags)}.`);
      return flags[flag] === true;
    });
}

/** What a call did: resolved with `value`, or threw / rejected with `error`. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `run` and reports how it ended, counting a synchronous throw as a rejection. */
export async function settle<T>(run: () => T | Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** An error in a failure message: its name and message. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : show(error);

/** The code a code message carries (`''` for a push or a reverse-verification notice, which carry none). */
export const codeIn = (message: { route: string; context?: object }): string =>
  message.context && 'code' in message.context ? String(message.context.code) : '';
