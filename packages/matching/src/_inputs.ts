import { z } from 'zod';
import { ConfigError, type FieldIssue, InputError } from '../errors.js';
import { parseInput, text } from '../verifier/inputs.js';

export { actorSchema } from '../verifier/inputs.js';
export { parseInput };

/**
 * Parses one argument of `operation` (`field` names it, for example `tenantId` or `checkpoint`) or throws an
 * {@link InputError} whose issue paths start with `field`.
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
  const issues: FieldIssue[] = result.error.issues.map((i) => ({
    path: [field, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw new InputError(
    `Invalid input to ${operation}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
    issues,
  );
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

function textProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  return value.length > MAX_TEXT ? `must be at most ${MAX_TEXT} characters` : null;
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
        if (typeof email !== 'string' || email.length > 320)
          return 'must hold strings of at most 320 characters';
      }
      return null;
  }
}

/** The first problem in `record` (its dotted path below `path` and what is wrong), or `null`. @internal */
export function recordProblem(record: unknown, shape: Shape, path: string): FieldIssue | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { path, message: 'must be an object' };
  }
  for (const field in shape) {
    const message = fieldProblem(shape[field]!, (record as Record<string, unknown>)[field]);
    if (message) return { path: `${path}.${field}`, message };
  }
  return null;
}

function fail(operation: string, issue: FieldIssue): never {
  throw new InputError(`Invalid input to ${operation}: ${issue.path}: ${issue.message}.`, [issue]);
}

/** Throws an {@link InputError} naming the field when `record` does not have `shape`. @internal */
export function checkRecord(operation: string, path: string, record: unknown, shape: Shape): void {
  const issue = recordProblem(record, shape, path);
  if (issue) fail(operation, issue);
}

/** Throws an {@link InputError} naming the first bad field when `records` is not an array of `shape`. @internal */
export function checkRecords(operation: string, path: string, records: unknown, shape: Shape): void {
  if (!Array.isArray(records)) fail(operation, { path, message: 'must be an array' });
  for (let i = 0; i < records.length; i++) {
    const issue = recordProblem(records[i], shape, `${path}.${i}`);
    if (issue) fail(operation, issue);
  }
}

/** @internal */
export const idSchema = text(MAX_ID);
/** @internal */
export const nameSchema = text(255);
/** @internal */
export const timestampSchema = z
  .number()
  .int('must be whole milliseconds')
  .nonnegative('must not be negative');
/** @internal */
export const confirmedBySchema = z.object({ id: idSchema, name: text(100) }).strict();
/** @internal */
export const companyLinkSchema = z
  .object({
    tenantId: idSchema,
    companyId: idSchema,
    customerId: idSchema,
    confirmedBy: confirmedBySchema,
    confirmedAt: timestampSchema,
  })
  .strict();
/** @internal */
export const contactLinkSchema = z
  .object({
    tenantId: idSchema,
    contactId: idSchema,
    endUserId: idSchema,
    confirmedBy: confirmedBySchema,
    confirmedAt: timestampSchema,
  })
  .strict();
/** @internal */
export const newCustomerSchema = z
  .object({
    tenantId: idSchema,
    name: nameSchema,
    domain: z.string().max(255, 'must be at most 255 characters').nullable().optional(),
    id: idSchema.optional(),
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

/** Every method a {@link MappingStore} must have. @internal */
export const MAPPING_STORE_METHODS = [
  'listCustomers',
  'getCustomer',
  'createCustomer',
  'createCustomerFromCompany',
  'linkCompany',
  'unlinkCompany',
  'customerForCompany',
  'companyForCustomer',
  'listCompanyLinks',
  'linkContact',
  'unlinkContact',
  'endUserForContact',
  'contactForEndUser',
  'listContactLinks',
  'listCompanies',
  'listContacts',
  'getCompany',
  'getContact',
  'putContact',
  'removeContact',
  'getSyncCheckpoint',
  'saveSyncBatch',
  'completeSync',
] as const;

/** What is wrong with `store` as a {@link MappingStore}: one issue per missing method. @internal */
export function mappingStoreIssues(store: unknown, path = 'store'): FieldIssue[] {
  if (typeof store !== 'object' || store === null) return [{ path, message: 'must be a MappingStore' }];
  return MAPPING_STORE_METHODS.filter(
    (method) => typeof (store as Record<string, unknown>)[method] !== 'function',
  ).map((method) => ({ path: `${path}.${method}`, message: 'must be a function' }));
}

/** Throws one {@link ConfigError} listing every method `store` lacks. @internal */
export function assertMappingStore(store: unknown, path = 'store'): void {
  const issues = mappingStoreIssues(store, path);
  if (issues.length > 0) {
    throw new ConfigError(
      `The ${path} is not a complete MappingStore: ${issues.map((i) => `${i.path} ${i.message}`).join(', ')}. ` +
        'Implement every method of the MappingStore port (or use createMemoryMappingStore()) and run ' +
        'runMappingStoreConformance from @qdesk/core/testing against it.',
      issues,
    );
  }
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
