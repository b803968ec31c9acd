// The record checks of src/_inputs.ts as they were before the linear-time work (checkRecords, recordProblem and
// their helpers), copied unchanged so the benchmark can run the old suggestions beside the new ones.
import { type FieldIssue, InputError } from '@qdesk/core';

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

/** Throws an `InputError` naming the field when `record` does not have `shape`. @internal */
export function checkRecord(operation: string, path: string, record: unknown, shape: Shape): void {
  const issue = recordProblem(record, shape, path);
  if (issue) throw InputError.fromIssues(operation, [issue]);
}

/** Throws an `InputError` naming the first bad field when `records` is not an array of `shape`. @internal */
export function checkRecords(operation: string, path: string, records: unknown, shape: Shape): void {
  if (!Array.isArray(records))
    throw InputError.fromIssues(operation, [{ path, message: 'must be an array' }]);
  for (let i = 0; i < records.length; i++) {
    const issue = recordProblem(records[i], shape, `${path}.${i}`);
    if (issue) throw InputError.fromIssues(operation, [issue]);
  }
}
