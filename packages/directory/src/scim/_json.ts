import { ScimError } from './scim-error.js';
import type { ScimJsonValue } from './scim-user.js';

/** A JSON object. @internal */
export type JsonObject = { [key: string]: ScimJsonValue };

/** How deep a SCIM body may nest; a User is three levels deep, an extension four. */
const MAX_DEPTH = 16;
/** Keys that would reach an object's prototype when assigned. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** @internal */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A copy of parsed JSON without keys that reach a prototype (`__proto__`...), refusing nesting deeper than a SCIM
 * resource needs, so a hostile body can neither pollute objects nor exhaust the stack later.
 * @internal
 */
export function sanitizeJson(value: unknown, depth = 0): ScimJsonValue {
  if (depth > MAX_DEPTH) {
    throw ScimError.badRequest(
      'invalidSyntax',
      `The body nests deeper than ${MAX_DEPTH} levels; send a flat SCIM resource.`,
    );
  }
  if (Array.isArray(value)) return value.map((item) => sanitizeJson(item, depth + 1));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, field] of Object.entries(value)) {
      if (!UNSAFE_KEYS.has(key)) out[key] = sanitizeJson(field, depth + 1);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value as ScimJsonValue;
}

/** Whether two JSON values are equal, object keys in any order. @internal */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/** The key of `object` that names `name` without regard to case (SCIM attribute names ignore case), if any. @internal */
export function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/**
 * Reads a boolean as identity providers send one: `true`/`false`, or the strings `"True"`/`"False"` Microsoft Entra
 * ID sends for `active` (any case). `undefined` for anything else.
 * @internal
 */
export function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}
