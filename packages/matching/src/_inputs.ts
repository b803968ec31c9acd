import { ConfigError, type FieldIssue, ForbiddenError, InputError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';

/** Printable text without control characters: ids and names travel into logs, audit records and HTML. @internal */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Parses `input` of `operation` or throws an `InputError` naming every bad field. @internal */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw InputError.fromIssues(operation, fieldIssues(result.error));
}

/**
 * Parses one argument of `operation` (`field` names it, for example `tenantId` or `checkpoint`) or throws an
 * `InputError` whose issue paths start with `field`.
 * @internal
 */
export function parseArgument<S extends z.ZodType>(
  schema: S,
  value: unknown,
  operation: string,
  field: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw InputError.fromIssues(operation, fieldIssues(result.error, field));
}

// Matching runs over every record a PSA holds (100,000 contacts and more), so records are checked by this small
// interpreter rather than zod: the same rules, a fraction of the time, and no copies.
type FieldKind = 'id' | 'optionalId' | 'text' | 'nullableText' | 'boolean' | 'emails';
type Shape = Record<string, FieldKind>;

/** Record shapes the matching functions accept. @internal */
export const SHAPES = {
  company: { id: 'id', name: 'text', webAddress: 'nullableText', isActive: 'boolean' },
  contact: {
    id: 'id',
    companyId: 'id',
    firstName: 'text',
    lastName: 'text',
    emails: 'emails',
    mobilePhone: 'nullableText',
    phone: 'nullableText',
    isActive: 'boolean',
  },
  customer: { id: 'id', tenantId: 'id', name: 'text', domain: 'nullableText' },
  endUser: { id: 'id', tenantId: 'id', email: 'text', displayName: 'text', customerId: 'optionalId' },
  companyPair: { companyId: 'id', customerId: 'id' },
  contactPair: { contactId: 'id', endUserId: 'id' },
} satisfies Record<string, Shape>;

const MAX_ID = 128;
const MAX_TEXT = 1000;
const MAX_EMAILS = 20;
const CONTROL = /\p{Cc}/u;

function idProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > MAX_ID) return `must have 1 to ${MAX_ID} characters`;
  return CONTROL.test(value) ? 'must not contain control characters' : null;
}

// PSA text is kept as the PSA has it, but never a NUL: no database text column can hold one.
function textProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_TEXT) return `must be at most ${MAX_TEXT} characters`;
  return value.includes('\u0000') ? 'must not contain NUL characters' : null;
}

function fieldProblem(kind: FieldKind, value: unknown): string | null {
  switch (kind) {
    case 'id':
      return idProblem(value);
    case 'optionalId':
      return value === undefined ? null : idProblem(value);
    case 'text':
      return textProblem(value);
    case 'nullableText':
      return value === null ? null : textProblem(value);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'emails':
      if (!Array.isArray(value)) return 'must be an array of strings';
      if (value.length > MAX_EMAILS) return `must hold at most ${MAX_EMAILS} addresses`;
      for (const email of value) {
        if (typeof email !== 'string' || email.length > 320 || email.includes('\u0000'))
          return 'must hold strings of at most 320 characters, without NUL characters';
      }
      return null;
  }
}

/** The first problem in `record`: the field (`''` for the record itself) and what is wrong, or `null`. */
function shapeProblem(record: unknown, shape: Shape): { field: string; message: string } | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { field: '', message: 'must be an object' };
  }
  for (const field in shape) {
    const message = fieldProblem(shape[field]!, (record as Record<string, unknown>)[field]);
    if (message) return { field, message };
  }
  return null;
}

/** The first problem in `record` (its dotted path below `path` and what is wrong), or `null`. @internal */
export function recordProblem(record: unknown, shape: Shape, path: string): FieldIssue | null {
  const problem = shapeProblem(record, shape);
  if (problem === null) return null;
  return { path: problem.field === '' ? path : `${path}.${problem.field}`, message: problem.message };
}

/** Throws an `InputError` naming the field when `record` does not have `shape`. @internal */
export function checkRecord(operation: string, path: string, record: unknown, shape: Shape): void {
  const issue = recordProblem(record, shape, path);
  if (issue) throw InputError.fromIssues(operation, [issue]);
}

/** Throws an `InputError` naming the first bad field when `records` is not an array of `shape`. @internal */
export function checkRecords(operation: string, path: string, records: unknown, shape: Shape): void {
  if (!Array.isArray(records))
    throw InputError.fromIssues(operation, [{ path, message: 'must be an array' }]);
  // The path is only spelt out for a bad record: building `contacts.81234` for each good one cost a string per record.
  for (let i = 0; i < records.length; i++) {
    if (shapeProblem(records[i], shape) !== null) {
      throw InputError.fromIssues(operation, [recordProblem(records[i], shape, `${path}.${i}`)!]);
    }
  }
}

/** @internal */
export const idSchema = text(MAX_ID);
/** @internal */
export const actorSchema = z
  .object({
    tenantId: idSchema,
    technicianId: idSchema,
    technicianName: text(100),
    // Core's Actor carries the sign-in's email (for PSA notes); matching records only the id and name.
    technicianEmail: z.email().max(254).optional(),
    role: z.enum(['technician', 'admin']).optional(),
  })
  .strict();

/**
 * Changing a link changes where a code goes, so only an administrator may (`role: 'admin'`, set from what the MSP's
 * sign-in proved); anyone else gets a `ForbiddenError`. @internal
 */
export function requireAdmin(actor: { role?: 'technician' | 'admin' | undefined }, operation: string): void {
  if (actor.role === 'admin') return;
  throw new ForbiddenError(
    `Only an administrator may ${operation}: a link decides where a code goes. Sign in with an administrator account.`,
    { code: 'forbidden', details: { reason: 'admin_required', operation } },
  );
}
/** @internal */
export const timestampSchema = z
  .number()
  .int('must be whole milliseconds')
  .nonnegative('must not be negative');
/** @internal */
export const confirmedBySchema = z.object({ id: idSchema, name: text(100) }).strict();
const confirmation = { confirmedBy: confirmedBySchema, confirmedAt: timestampSchema };
/** @internal */
export const newCompanyLinkSchema = z
  .object({ companyId: idSchema, customerId: idSchema, ...confirmation })
  .strict();
/** @internal */
export const newContactLinkSchema = z
  .object({ contactId: idSchema, endUserId: idSchema, ...confirmation })
  .strict();
/** @internal */
export const newCustomerSchema = z
  .object({
    name: text(255),
    domain: z.string().max(255, 'must be at most 255 characters').nullable().optional(),
    id: idSchema.optional(),
    linkTo: z
      .object({ companyId: idSchema, ...confirmation })
      .strict()
      .optional(),
  })
  .strict();
/** @internal */
export const pagingSchema = {
  offset: z.number().int('must be a whole number').nonnegative('must not be negative').optional(),
  limit: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .optional(),
};

/** @internal */
export const checkpointSchema = z
  .object({
    runId: idSchema,
    phase: z.enum(['companies', 'contacts', 'completed']),
    afterId: idSchema.nullable(),
    companiesDone: z.number().int().nonnegative(),
    contactsDone: z.number().int().nonnegative(),
    startedAt: timestampSchema,
    updatedAt: timestampSchema,
    completedAt: timestampSchema.nullable(),
  })
  .strict();

/** Every method a {@link MappingStore} must have: the ones matching's operations call. @internal */
export const MAPPING_STORE_METHODS = [
  'listCustomers',
  'createCustomer',
  'linkCompany',
  'unlinkCompany',
  'listCompanyLinks',
  'linkContact',
  'unlinkContact',
  'listContactLinks',
  'endUserForContact',
  'customerForCompany',
  'listCompanies',
  'listContacts',
  'putContact',
  'removeContact',
  'getSyncCheckpoint',
  'saveSyncBatch',
  'completeSync',
  'saveEndUsers',
  'listEndUsers',
  'findEndUsers',
  'findContacts',
  'findContactLinks',
  'replaceSuggestions',
  'getSuggestions',
  'listCompanyPage',
  'listContactPage',
] as const;

/** The methods that keep end-users and suggestions for the listing (added after the first release of the port). */
const MATCHING_METHODS: ReadonlySet<string> = new Set(
  MAPPING_STORE_METHODS.slice(MAPPING_STORE_METHODS.indexOf('saveEndUsers')),
);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** What is wrong with `store` as a {@link MappingStore}: its version, then one issue per missing method. @internal */
export function mappingStoreIssues(store: unknown, path = 'store'): FieldIssue[] {
  if (!isObject(store)) {
    return [{ path, message: 'must be a MappingStore (for example createMemoryMappingStore())' }];
  }
  const issues: FieldIssue[] = [];
  if (store.specificationVersion !== 'v1') {
    issues.push({
      path: `${path}.specificationVersion`,
      message: `must be 'v1' (this @qdesk/matching implements version v1 of the port), got ${JSON.stringify(store.specificationVersion)}`,
    });
  }
  const missing = MAPPING_STORE_METHODS.filter((method) => typeof store[method] !== 'function');
  if (missing.length > 0) {
    const kept = missing.some((m) => MATCHING_METHODS.has(m))
      ? ' (the end-users and kept suggestions of the listing: see the partner guide of MappingStore)'
      : '';
    issues.push({ path, message: `missing method(s): ${missing.join(', ')}${kept}` });
  }
  return issues;
}

/** What is wrong with `audit` as an optional `AuditLog`. @internal */
export function auditLogIssues(audit: unknown, path = 'audit'): FieldIssue[] {
  if (audit === undefined) return [];
  if (!isObject(audit) || typeof audit.append !== 'function') {
    return [{ path, message: 'must be an AuditLog with append() (or be left out)' }];
  }
  return audit.specificationVersion === 'v1'
    ? []
    : [{ path: `${path}.specificationVersion`, message: "must be 'v1'" }];
}

/**
 * Throws one `ConfigError` listing every gap of the ports an operation was given (a store without some
 * methods, an audit log without `append`), so a half-built port fails at the first call, not deep inside a run.
 * @internal
 */
export function assertPorts(input: { store?: unknown; audit?: unknown }): void {
  const issues = [...mappingStoreIssues(input.store), ...auditLogIssues(input.audit)];
  if (issues.length > 0) throw ConfigError.fromIssues('matching ports', issues);
}

const DIGITS = /^\d+$/;

/**
 * Orders ids the way PSAs list them: numeric ids by value (`9` before `10`), then any other id by code unit.
 * @internal
 */
export function compareIds(a: string, b: string): number {
  const aNumeric = DIGITS.test(a);
  const bNumeric = DIGITS.test(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
