import type { FilterNode, FilterValue } from './_filter.js';
import { findKey, isObject, readBoolean } from './_json.js';
import { ScimError } from './scim-error.js';
import { SCIM_USER_SCHEMA, type ScimJsonValue } from './scim-user.js';
import type { ScimUserCondition } from './scim-user-store.js';

const lower = (value: string) => value.toLowerCase();

function compare(actual: ScimJsonValue | undefined, op: string, expected: FilterValue): boolean {
  if (op === 'ne') return !compare(actual, 'eq', expected);
  if (expected === null) return op === 'eq' && (actual === undefined || actual === null);
  if (typeof expected === 'boolean') return op === 'eq' && readBoolean(actual) === expected;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    return (
      (op === 'eq' && actual === expected) ||
      (op === 'gt' && actual > expected) ||
      (op === 'ge' && actual >= expected) ||
      (op === 'lt' && actual < expected) ||
      (op === 'le' && actual <= expected)
    );
  }
  if (typeof actual !== 'string') return false;
  // Sub-attributes of emails and phone numbers (value, type, display) do not regard case (RFC 7643, section 4.1.2).
  const a = lower(actual);
  const e = lower(expected);
  switch (op) {
    case 'eq':
      return a === e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

function subValue(element: ScimJsonValue, name: string): ScimJsonValue | undefined {
  if (!isObject(element)) return lower(name) === 'value' ? element : undefined;
  const key = findKey(element, name);
  return key === undefined ? undefined : element[key];
}

/**
 * Whether one value of a multi-valued attribute (an email, a phone number) meets the `[filter]` of a PATCH path,
 * such as `type eq "work"`. Attribute names and string values compare without regard to case.
 * @internal
 */
export function matchesElement(element: ScimJsonValue, filter: FilterNode): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesElement(element, filter.left) && matchesElement(element, filter.right);
    case 'or':
      return matchesElement(element, filter.left) || matchesElement(element, filter.right);
    case 'not':
      return !matchesElement(element, filter.filter);
    case 'present': {
      const value = subValue(element, filter.path.attribute);
      return (
        value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)
      );
    }
    case 'compare':
      return compare(subValue(element, filter.path.attribute), filter.op, filter.value);
    default:
      return false;
  }
}

/**
 * The sub-attributes a `[filter]` pins with `eq` (`type eq "work"` gives `{ type: "work" }`), so a PATCH that adds
 * to `emails[type eq "work"].value` when there is no work email can create one; `null` when the filter is anything
 * but `eq` comparisons joined by `and`.
 * @internal
 */
export function equalityTerms(filter: FilterNode): Record<string, FilterValue> | null {
  if (filter.kind === 'and') {
    const left = equalityTerms(filter.left);
    const right = equalityTerms(filter.right);
    return left && right ? { ...left, ...right } : null;
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.subAttribute === null &&
    filter.valueFilter === null
  ) {
    return { [filter.path.attribute]: filter.value };
  }
  return null;
}

const SUPPORTED =
  'this endpoint filters users on userName, externalId, id, active and emails (emails.value or ' +
  'emails[type eq "work"].value) with eq, joined by and';

const unsupported = (what: string) =>
  ScimError.badRequest('invalidFilter', `The filter ${what}; ${SUPPORTED}.`, { reason: 'unsupported' });

function stringValue(value: FilterValue, attribute: string): string {
  if (typeof value !== 'string')
    throw unsupported(`compares ${attribute} with ${JSON.stringify(value)}, not with a "string"`);
  return value;
}

/** The email condition of `emails[type eq "x" and value eq "y"]` or `emails[type eq "x"].value eq "y"`. */
function emailCondition(
  terms: Record<string, FilterValue>,
  value: FilterValue | undefined,
): ScimUserCondition {
  let type: string | null = null;
  let address = value;
  for (const [name, term] of Object.entries(terms)) {
    if (lower(name) === 'type') type = stringValue(term, 'emails.type');
    else if (lower(name) === 'value' && address === undefined) address = term;
    else throw unsupported(`tests emails.${name}`);
  }
  if (address === undefined) throw unsupported('tests emails without a value');
  return { attribute: 'email', value: stringValue(address, 'emails.value'), type };
}

/**
 * Turns a parsed `/Users` filter into the store's conditions, all of which must hold. Throws a 400 `invalidFilter`
 * naming what this endpoint does not filter on (`or`, `co`, another attribute...).
 * @internal
 */
export function lowerUserFilter(node: FilterNode): ScimUserCondition[] {
  if (node.kind === 'and') return [...lowerUserFilter(node.left), ...lowerUserFilter(node.right)];
  if (node.kind === 'or' || node.kind === 'not') throw unsupported(`uses ${node.kind}`);
  const { path } = node;
  if (path.schema !== null && lower(path.schema) !== lower(SCIM_USER_SCHEMA)) {
    throw unsupported(`names an attribute of ${path.schema}`);
  }
  const attribute = lower(path.attribute);
  if (node.kind === 'valuePath') {
    const terms = equalityTerms(node.filter);
    if (attribute !== 'emails' || terms === null) throw unsupported(`tests ${path.attribute}[...]`);
    return [emailCondition(terms, undefined)];
  }
  if (node.kind === 'present' || node.op !== 'eq') {
    throw unsupported(`uses ${node.kind === 'present' ? 'pr' : node.op} on ${path.attribute}`);
  }
  if (attribute === 'emails') {
    if (path.subAttribute !== null && lower(path.subAttribute) !== 'value')
      throw unsupported(`tests emails.${path.subAttribute}`);
    const terms = node.valueFilter === null ? {} : equalityTerms(node.valueFilter);
    if (terms === null) throw unsupported('tests emails[...] with more than eq and and');
    return [emailCondition(terms, node.value)];
  }
  if (node.valueFilter !== null || path.subAttribute !== null) {
    throw unsupported(`tests ${path.attribute}.${path.subAttribute ?? '[...]'}`);
  }
  if (attribute === 'active') {
    const value = readBoolean(node.value);
    if (value === undefined) throw unsupported('compares active with something else than true or false');
    return [{ attribute: 'active', value }];
  }
  if (attribute === 'username')
    return [{ attribute: 'userName', value: stringValue(node.value, 'userName') }];
  if (attribute === 'externalid')
    return [{ attribute: 'externalId', value: stringValue(node.value, 'externalId') }];
  if (attribute === 'id') return [{ attribute: 'id', value: stringValue(node.value, 'id') }];
  throw unsupported(`tests ${path.attribute}`);
}
