import { type FieldIssue, InputError } from '@qdesk/core';
import { z } from 'zod';
import { idSchema, parseArgument, recordProblem } from './_inputs.js';
import type {
  ContactLinkLookup,
  ContactLookup,
  EndUserChanges,
  EndUserLookup,
  MatchPageQuery,
  SuggestionLookup,
  SuggestionReplacement,
} from './mapping-store.js';

// The checks of the mapping store's matching methods (end-users, lookups, kept suggestions, pages). Lists can hold a
// whole tenant (a full copy of the directory, every suggestion), so records are checked by hand, not by zod.

const MAX_LIST = 10_000_000;
const list = (item: z.ZodType) => z.array(item).max(MAX_LIST, `must hold at most ${MAX_LIST} items`);
const keySchema = z.string().max(1000, 'must be at most 1000 characters');
const namePair = z.object({ customerId: idSchema, name: keySchema }).strict();

const contactLookupSchema = z
  .object({
    ids: list(idSchema).optional(),
    emails: list(keySchema).optional(),
    companyIds: list(idSchema).optional(),
    names: list(namePair).optional(),
  })
  .strict();
const endUserLookupSchema = z
  .object({
    ids: list(idSchema).optional(),
    emails: list(keySchema).optional(),
    names: list(namePair).optional(),
    companyNames: list(z.object({ companyId: idSchema, name: keySchema }).strict()).optional(),
    customerIds: list(idSchema).optional(),
  })
  .strict();
const contactLinkLookupSchema = z
  .object({ contactIds: list(idSchema).optional(), endUserIds: list(idSchema).optional() })
  .strict();
const suggestionLookupSchema = z
  .object({ companyIds: list(idSchema).optional(), contactIds: list(idSchema).optional() })
  .strict();
const pageQuerySchema = z
  .object({
    filter: z.enum(['suggested', 'all', 'unmatched', 'matched']),
    search: z
      .object({ needles: z.array(z.string().min(1).max(1000)).max(4), id: z.string().max(1000) })
      .strict()
      .nullable(),
    companyId: idSchema.nullable(),
    after: z.string().min(1).max(4000).nullable(),
    before: z.string().min(1).max(4000).nullable(),
    limit: z.number().int().min(1).max(1000),
  })
  .strict()
  .refine((q) => q.after === null || q.before === null, {
    message: 'give after or before, not both',
    path: ['before'],
  });

const END_USER_SHAPE = { id: 'id', email: 'text', displayName: 'text' } as const;
const CONTACT_SUGGESTION_SHAPE = {
  contactId: 'id',
  companyId: 'id',
  customerId: 'id',
  endUserId: 'id',
  inactive: 'boolean',
  tie: 'boolean',
} as const;
const COMPANY_SUGGESTION_SHAPE = { companyId: 'id', customerId: 'id', tie: 'boolean' } as const;
const REASONS = new Set(['same_email', 'same_name_person', 'same_name', 'same_domain']);

function fail(operation: string, issue: FieldIssue): never {
  throw InputError.fromIssues(operation, [issue]);
}

function checkList(
  operation: string,
  path: string,
  value: unknown,
  check: (item: unknown, at: string) => void,
) {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(operation, { path, message: 'must be an array' });
  for (let i = 0; i < value.length; i++) check(value[i], `${path}.${i}`);
}

function checkSuggestion(
  operation: string,
  item: unknown,
  at: string,
  shape: Record<string, 'id' | 'boolean'>,
) {
  const issue = recordProblem(item, shape, at);
  if (issue) fail(operation, issue);
  const s = item as Record<string, unknown>;
  if (typeof s.reason !== 'string' || !REASONS.has(s.reason))
    fail(operation, { path: `${at}.reason`, message: 'must be a match reason' });
  if (!Array.isArray(s.reasons) || !s.reasons.every((r) => typeof r === 'string' && REASONS.has(r))) {
    fail(operation, { path: `${at}.reasons`, message: 'must be an array of match reasons' });
  }
  if (s.strength !== 'strong' && s.strength !== 'weak')
    fail(operation, { path: `${at}.strength`, message: 'must be strong or weak' });
  if (!Array.isArray(s.ties)) fail(operation, { path: `${at}.ties`, message: 'must be an array of ids' });
  if (!Array.isArray(s.conflicts))
    fail(operation, { path: `${at}.conflicts`, message: 'must be an array of conflicts' });
}

/**
 * The input checks of the mapping store's matching methods: each throws an `InputError` whose paths start with the
 * argument's name, or returns the value as given. Part of {@link mappingStoreInput}.
 * @internal
 */
export const storeInputs = {
  endUserChanges(value: unknown, operation: string): EndUserChanges {
    if (typeof value !== 'object' || value === null)
      fail(operation, { path: 'changes', message: 'must be an object' });
    const changes = value as Record<string, unknown>;
    for (const key of Object.keys(changes)) {
      if (key !== 'put' && key !== 'remove' && key !== 'replaceAll') {
        fail(operation, {
          path: `changes.${key}`,
          message: 'is not a field of EndUserChanges (put, remove, replaceAll)',
        });
      }
    }
    checkList(operation, 'changes.put', changes.put, (item, at) => {
      const issue = recordProblem(item, END_USER_SHAPE, at);
      if (issue) fail(operation, issue);
      const customerId = (item as Record<string, unknown>).customerId;
      if (customerId !== null && recordProblem({ id: customerId }, { id: 'id' }, at) !== null) {
        fail(operation, { path: `${at}.customerId`, message: 'must be a customer id or null' });
      }
    });
    checkList(operation, 'changes.remove', changes.remove, (item, at) => {
      const issue = recordProblem({ id: item }, { id: 'id' }, at);
      if (issue) fail(operation, { path: at, message: issue.message });
    });
    if (changes.replaceAll !== undefined && typeof changes.replaceAll !== 'boolean') {
      fail(operation, { path: 'changes.replaceAll', message: 'must be a boolean' });
    }
    return changes as EndUserChanges;
  },
  contactLookup: (value: unknown, operation: string): ContactLookup =>
    parseArgument(contactLookupSchema, value, operation, 'lookup') as ContactLookup,
  endUserLookup: (value: unknown, operation: string): EndUserLookup =>
    parseArgument(endUserLookupSchema, value, operation, 'lookup') as EndUserLookup,
  contactLinkLookup: (value: unknown, operation: string): ContactLinkLookup =>
    parseArgument(contactLinkLookupSchema, value, operation, 'lookup') as ContactLinkLookup,
  suggestionLookup: (value: unknown, operation: string): SuggestionLookup =>
    parseArgument(suggestionLookupSchema, value, operation, 'lookup') as SuggestionLookup,
  pageQuery: (value: unknown, operation: string): MatchPageQuery =>
    parseArgument(pageQuerySchema, value, operation, 'query') as MatchPageQuery,
  /** Checks every suggestion, and that each contact suggestion's contact is in the replaced scope. */
  suggestionReplacement(value: unknown, operation: string): SuggestionReplacement {
    if (typeof value !== 'object' || value === null) {
      fail(operation, { path: 'replacement', message: 'must be an object' });
    }
    const r = value as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      if (key !== 'companies' && key !== 'contacts') {
        fail(operation, { path: `replacement.${key}`, message: 'is not a field (companies, contacts)' });
      }
    }
    checkList(operation, 'replacement.companies', r.companies, (item, at) =>
      checkSuggestion(operation, item, at, COMPANY_SUGGESTION_SHAPE),
    );
    if (r.contacts !== undefined) {
      const contacts = r.contacts as Record<string, unknown> | null;
      if (typeof contacts !== 'object' || contacts === null) {
        fail(operation, { path: 'replacement.contacts', message: 'must be { contactIds, suggestions }' });
      }
      let scope: Set<string> | null = null;
      if (contacts.contactIds !== null) {
        checkList(
          operation,
          'replacement.contacts.contactIds',
          contacts.contactIds ?? 'missing',
          (item, at) => {
            if (recordProblem({ id: item }, { id: 'id' }, at) !== null)
              fail(operation, { path: at, message: 'must be a contact id' });
          },
        );
        scope = new Set(contacts.contactIds as string[]);
      }
      checkList(
        operation,
        'replacement.contacts.suggestions',
        contacts.suggestions ?? 'missing',
        (item, at) => {
          checkSuggestion(operation, item, at, CONTACT_SUGGESTION_SHAPE);
          const contactId = (item as { contactId: string }).contactId;
          if (scope !== null && !scope.has(contactId)) {
            fail(operation, {
              path: `${at}.contactId`,
              message: `contact ${contactId} is not in contactIds`,
            });
          }
        },
      );
    }
    return r as SuggestionReplacement;
  },
};
