import type { FakeRow } from './fake-data.js';

/** A query the fake refuses, answered as Autotask does: HTTP 500 with an `errors` body. */
export class FakeQueryError extends Error {
  override readonly name = 'FakeQueryError';
}

type Item = Record<string, unknown>;

const COMPARISONS = new Set(['eq', 'noteq', 'gt', 'gte', 'lt', 'lte']);
const TEXT = new Set(['beginsWith', 'endsWith', 'contains']);
const PRESENCE = new Set(['exist', 'notExist']);
const LISTS = new Set(['in', 'notIn']);

/** Looks a field up case-insensitively, as Autotask does; UDFs live in `userDefinedFields`. */
function read(row: FakeRow, field: string, udf: boolean): unknown {
  if (udf) {
    const udfs = Array.isArray(row.userDefinedFields) ? (row.userDefinedFields as Item[]) : [];
    return udfs.find((u) => String(u.name).toLowerCase() === field.toLowerCase())?.value ?? null;
  }
  const key = Object.keys(row).find((k) => k.toLowerCase() === field.toLowerCase());
  return key === undefined ? null : row[key];
}

/**
 * Orders two values like SQL Server with a case-insensitive collation; `null` when they cannot be compared
 * (a NULL on either side makes every comparison false).
 */
function compare(actual: unknown, wanted: unknown): number | null {
  if (actual === null || actual === undefined || wanted === null || wanted === undefined) return null;
  if (typeof actual === 'boolean' || typeof wanted === 'boolean') {
    const toBool = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() === 'true' : Boolean(v));
    return Number(toBool(actual)) - Number(toBool(wanted));
  }
  if (typeof actual === 'number') {
    const n = typeof wanted === 'number' ? wanted : Number(wanted);
    return Number.isNaN(n) ? null : actual - n;
  }
  const a = String(actual).toLowerCase();
  const b = String(wanted).toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

function condition(row: FakeRow, item: Item): boolean {
  const op = String(item.op);
  const value = read(row, String(item.field), item.udf === true);
  if (PRESENCE.has(op)) {
    const present = value !== null && value !== undefined && value !== '';
    return op === 'exist' ? present : !present;
  }
  if (LISTS.has(op)) {
    const hit = (item.value as unknown[]).some((v) => compare(value, v) === 0);
    return op === 'in' ? hit : value !== null && value !== undefined && !hit;
  }
  if (TEXT.has(op)) {
    if (value === null || value === undefined) return false;
    const a = String(value).toLowerCase();
    const b = String(item.value).toLowerCase();
    return op === 'beginsWith' ? a.startsWith(b) : op === 'endsWith' ? a.endsWith(b) : a.includes(b);
  }
  const order = compare(value, item.value);
  if (order === null) return false;
  switch (op) {
    case 'eq':
      return order === 0;
    case 'noteq':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
    case 'lt':
      return order < 0;
    default:
      return order <= 0;
  }
}

/** True when `row` matches every item of `filter` (the top level combines with `and`). */
export function matches(row: FakeRow, filter: Item[]): boolean {
  return filter.every((item) => {
    if (item.op === 'and') return matches(row, item.items as Item[]);
    if (item.op === 'or') return (item.items as Item[]).some((sub) => matches(row, [sub]));
    return condition(row, item);
  });
}

/** Checks a filter the way Autotask would refuse it: unknown operators or fields, missing values. */
export function checkFilter(filter: unknown, fields: ReadonlySet<string>, entity: string): Item[] {
  if (!Array.isArray(filter) || filter.length === 0) {
    throw new FakeQueryError('A query must have at least one filter item.');
  }
  for (const raw of filter) {
    if (typeof raw !== 'object' || raw === null) throw new FakeQueryError('Invalid filter item.');
    const item = raw as Item;
    const op = String(item.op);
    if (op === 'and' || op === 'or') {
      checkFilter(item.items, fields, entity);
      continue;
    }
    if (![COMPARISONS, TEXT, PRESENCE, LISTS].some((set) => set.has(op))) {
      throw new FakeQueryError(`Invalid filter operator '${op}'.`);
    }
    if (typeof item.field !== 'string' || item.field === '')
      throw new FakeQueryError('Missing filter field.');
    if (item.udf !== true && !fields.has(item.field.toLowerCase())) {
      throw new FakeQueryError(`Unable to find field '${item.field}' on entity ${entity}.`);
    }
    if (LISTS.has(op) && (!Array.isArray(item.value) || item.value.length === 0)) {
      throw new FakeQueryError(`Operator '${op}' needs a non-empty list of values.`);
    }
    if ((COMPARISONS.has(op) || TEXT.has(op)) && (item.value === undefined || Array.isArray(item.value))) {
      throw new FakeQueryError(`Operator '${op}' needs one value for field '${item.field}'.`);
    }
  }
  return filter as Item[];
}
