/**
 * The input rules of `@qdesk/matching`'s memory store, for the PostgreSQL mapping store: the same fields refused
 * with the same paths, so both stores answer one malformed call alike. (`@qdesk/matching` keeps its own checks
 * internal, and this package has no zod.) Internal to `@qdesk/store-postgres`.
 */
import { type FieldIssue, InputError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { NewCompanyLink, NewContactLink, NewCustomer, SyncCheckpoint } from '@qdesk/matching';

/** Checks `value` at `path`, adding what is wrong to `issues`; returns the value to store (trimmed text). */
type Field = (value: unknown, path: string, issues: FieldIssue[]) => unknown;

const MAX_ID = 128;
const CONTROL = /\p{Cc}/u;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optional =
  (field: Field): Field =>
  (value, path, issues) =>
    value === undefined ? undefined : field(value, path, issues);

const nullable =
  (field: Field): Field =>
  (value, path, issues) =>
    value === null ? null : field(value, path, issues);

/** Printable text, trimmed, of 1 to `max` characters: ids and names travel into logs and HTML. */
const text =
  (max: number): Field =>
  (value, path, issues) => {
    const trimmed = typeof value === 'string' ? value.trim() : undefined;
    const message =
      trimmed === undefined
        ? 'must be a string'
        : trimmed === ''
          ? 'must not be empty'
          : trimmed.length > max
            ? `must be at most ${max} characters`
            : CONTROL.test(trimmed)
              ? 'must not contain control characters'
              : null;
    if (message) issues.push({ path, message });
    return trimmed;
  };

const id = text(MAX_ID);

const count: Field = (value, path, issues) => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    issues.push({ path, message: 'must be a whole number, not negative' });
  }
  return value;
};

const oneOf =
  (...allowed: string[]): Field =>
  (value, path, issues) => {
    if (!allowed.includes(value as string))
      issues.push({ path, message: `must be one of ${allowed.join(', ')}` });
    return value;
  };

/** An object with exactly these fields (an unknown one is refused, as a typo would otherwise be dropped). */
const object =
  (fields: Record<string, Field>): Field =>
  (value, path, issues) => {
    if (!isObject(value)) {
      issues.push({ path, message: 'must be an object' });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!(key in fields)) issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
    }
    const parsed: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields)) {
      const checked = field(value[key], `${path}.${key}`, issues);
      if (checked !== undefined) parsed[key] = checked;
    }
    return parsed;
  };

const confirmation = { confirmedBy: object({ id, name: text(100) }), confirmedAt: count };

const SCHEMAS = {
  id,
  customer: object({
    name: text(255),
    domain: optional(
      nullable((value, path, issues) => {
        if (typeof value !== 'string' || value.length > 255) {
          issues.push({ path, message: 'must be a string of at most 255 characters' });
        }
        return value;
      }),
    ),
    id: optional(id),
    linkTo: optional(object({ companyId: id, ...confirmation })),
  }),
  companyLink: object({ companyId: id, customerId: id, ...confirmation }),
  contactLink: object({ contactId: id, endUserId: id, ...confirmation }),
  checkpoint: object({
    runId: id,
    phase: oneOf('companies', 'contacts', 'completed'),
    afterId: nullable(id),
    companiesDone: count,
    contactsDone: count,
    startedAt: count,
    updatedAt: count,
    completedAt: nullable(count),
  }),
};

interface Parsed {
  id: string;
  customer: NewCustomer;
  companyLink: NewCompanyLink;
  contactLink: NewContactLink;
  checkpoint: SyncCheckpoint;
}

/**
 * Checks one argument of `operation` (`field` names it: `tenantId`, `link`, `checkpoint`) and returns it as it is
 * stored, or throws an `InputError` naming every bad field.
 */
export function parse<K extends keyof Parsed>(
  kind: K,
  value: unknown,
  operation: string,
  field: string,
): Parsed[K] {
  const issues: FieldIssue[] = [];
  const parsed = SCHEMAS[kind](value, field, issues);
  if (issues.length > 0) throw InputError.fromIssues(operation, issues);
  return parsed as Parsed[K];
}

// PSA records are checked field by field without copying (a sync carries thousands), as matching does.
type Kind = 'id' | 'text' | 'nullableText' | 'boolean' | 'emails';
const COMPANY: Record<keyof PsaCompany, Kind> = {
  id: 'id',
  name: 'text',
  webAddress: 'nullableText',
  isActive: 'boolean',
};
const CONTACT: Record<keyof PsaContact, Kind> = {
  id: 'id',
  companyId: 'id',
  firstName: 'text',
  lastName: 'text',
  emails: 'emails',
  mobilePhone: 'nullableText',
  phone: 'nullableText',
  isActive: 'boolean',
};

// PostgreSQL text cannot hold NUL, so a record carrying one is refused here with its field named.
const textProblem = (value: unknown, max: number) =>
  typeof value !== 'string'
    ? 'must be a string'
    : value.length > max
      ? `must be at most ${max} characters`
      : value.includes('\u0000')
        ? 'must not contain NUL characters'
        : null;

function problem(kind: Kind, value: unknown): string | null {
  switch (kind) {
    case 'id':
      if (typeof value !== 'string') return 'must be a string';
      if (value.length === 0 || value.length > MAX_ID) return `must have 1 to ${MAX_ID} characters`;
      return CONTROL.test(value) ? 'must not contain control characters' : null;
    case 'text':
      return textProblem(value, 1000);
    case 'nullableText':
      return value === null ? null : textProblem(value, 1000);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'emails':
      if (!Array.isArray(value)) return 'must be an array of strings';
      if (value.length > 20) return 'must hold at most 20 addresses';
      return value.every((email) => textProblem(email, 320) === null)
        ? null
        : 'must hold strings of at most 320 characters, without NUL characters';
  }
}

function recordIssue(record: unknown, shape: 'company' | 'contact', path: string): FieldIssue | null {
  if (!isObject(record)) return { path, message: 'must be an object' };
  for (const [field, kind] of Object.entries<Kind>(shape === 'company' ? COMPANY : CONTACT)) {
    const message = problem(kind, record[field]);
    if (message) return { path: `${path}.${field}`, message };
  }
  return null;
}

/** Throws an `InputError` naming the bad field when `record` is not a PSA record of `shape`. */
export function checkRecord(
  operation: string,
  path: string,
  record: unknown,
  shape: 'company' | 'contact',
): void {
  const issue = recordIssue(record, shape, path);
  if (issue) throw InputError.fromIssues(operation, [issue]);
}

/** Throws an `InputError` naming the first bad field when `records` is not an array of PSA records of `shape`. */
export function checkRecords(
  operation: string,
  path: string,
  records: unknown,
  shape: 'company' | 'contact',
): void {
  if (!Array.isArray(records))
    throw InputError.fromIssues(operation, [{ path, message: 'must be an array' }]);
  for (let i = 0; i < records.length; i++) {
    const issue = recordIssue(records[i], shape, `${path}.${i}`);
    if (issue) throw InputError.fromIssues(operation, [issue]);
  }
}
