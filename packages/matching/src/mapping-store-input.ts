import {
  checkpointSchema,
  checkRecord,
  checkRecords,
  idSchema,
  newCompanyLinkSchema,
  newContactLinkSchema,
  newCustomerSchema,
  parseArgument,
  SHAPES,
} from './_inputs.js';
import { storeInputs } from './_store-inputs.js';
import type {
  ContactLinkLookup,
  ContactLookup,
  EndUserChanges,
  EndUserLookup,
  MappingStore,
  MatchPageQuery,
  NewCompanyLink,
  NewContactLink,
  NewCustomer,
  SuggestionLookup,
  SuggestionReplacement,
} from './mapping-store.js';
import type { SyncCheckpoint } from './types.js';

/**
 * The input checks of a {@link MappingStore}'s methods, as the memory store runs them: every store that uses them
 * refuses one malformed call alike, with an `InputError` whose issue paths start with the argument's name. Each
 * parser returns the value to store (text trimmed); each record check throws on the first bad field without copying
 * (a sync batch can carry thousands of records).
 * @example
 * ```ts
 * async linkContact(tenantId, input) {
 *   const tenant = mappingStoreInput.id(tenantId, 'linkContact', 'tenantId');
 *   const link = mappingStoreInput.contactLink(input, 'linkContact');
 *   // ...store it
 * }
 * ```
 * @public
 */
export const mappingStoreInput = {
  /** A tenant, company, contact or customer id: 1 to 128 characters, no control characters. */
  id: (value: unknown, operation: string, field: string): string =>
    parseArgument(idSchema, value, operation, field),
  /** `createCustomer`'s customer (argument `customer`). */
  customer: (value: unknown, operation: string): NewCustomer =>
    parseArgument(newCustomerSchema, value, operation, 'customer'),
  /** `linkCompany`'s link (argument `link`). */
  companyLink: (value: unknown, operation: string): NewCompanyLink =>
    parseArgument(newCompanyLinkSchema, value, operation, 'link'),
  /** `linkContact`'s link (argument `link`). */
  contactLink: (value: unknown, operation: string): NewContactLink =>
    parseArgument(newContactLinkSchema, value, operation, 'link'),
  /** A sync checkpoint (argument `checkpoint`). */
  checkpoint: (value: unknown, operation: string): SyncCheckpoint =>
    parseArgument(checkpointSchema, value, operation, 'checkpoint'),
  /** Throws unless `record` is a PSA contact (its issue paths start with `path`). */
  contact(record: unknown, operation: string, path: string): void {
    checkRecord(operation, path, record, SHAPES.contact);
  },
  /** Throws unless `records` is an array of PSA companies. */
  companies(records: unknown, operation: string, path: string): void {
    checkRecords(operation, path, records, SHAPES.company);
  },
  /** Throws unless `records` is an array of PSA contacts. */
  contacts(records: unknown, operation: string, path: string): void {
    checkRecords(operation, path, records, SHAPES.contact);
  },
  /** `saveEndUsers`'s changes (argument `changes`). */
  endUserChanges: (value: unknown, operation: string): EndUserChanges =>
    storeInputs.endUserChanges(value, operation),
  /** `findContacts`'s lookup (argument `lookup`). */
  contactLookup: (value: unknown, operation: string): ContactLookup =>
    storeInputs.contactLookup(value, operation),
  /** `findEndUsers`'s lookup (argument `lookup`). */
  endUserLookup: (value: unknown, operation: string): EndUserLookup =>
    storeInputs.endUserLookup(value, operation),
  /** `findContactLinks`'s lookup (argument `lookup`). */
  contactLinkLookup: (value: unknown, operation: string): ContactLinkLookup =>
    storeInputs.contactLinkLookup(value, operation),
  /** `getSuggestions`'s lookup (argument `lookup`). */
  suggestionLookup: (value: unknown, operation: string): SuggestionLookup =>
    storeInputs.suggestionLookup(value, operation),
  /** `replaceSuggestions`'s replacement (argument `replacement`): every suggestion, and the scope of contacts. */
  suggestionReplacement: (value: unknown, operation: string): SuggestionReplacement =>
    storeInputs.suggestionReplacement(value, operation),
  /** `listCompanyPage` / `listContactPage`'s query (argument `query`). */
  pageQuery: (value: unknown, operation: string): MatchPageQuery => storeInputs.pageQuery(value, operation),
};
