import { type Actor, AdapterError, type AuditLog, isQdeskError } from '@qdesk/core';
import { z } from 'zod';
import { actorSchema, assertPorts, idSchema, parseInput, requireAdmin, timestampSchema } from './_inputs.js';
import { endUserSeed, refreshCompanySuggestions, refreshContactSuggestions } from './_kept-suggestions.js';
import { auditLinkChange, technician } from './_link-audit.js';
import type { LinkResult, MappingStore } from './mapping-store.js';
import type { CompanyLink, CompanyMatchSuggestion, ContactLink, ContactMatchSuggestion } from './types.js';

/**
 * Why a suggestion was not confirmed.
 * - `weak`: not strong, and `includeWeak` was not set.
 * - `tie`: one of several equal candidates; an admin picks by hand.
 * - `conflict`: it carries a conflict (a shared email, a shared candidate); an admin decides by hand.
 * - `ambiguous`: its company (or contact) has several suggestions in the input.
 * - `already_linked`: the same pair was linked before (the earlier confirmation is kept).
 * - `taken`: one side is linked to something else (see `message`).
 * - `stale`: the store refused it (for example the customer was deleted since the suggestion was made).
 * @public
 */
export type ConfirmSkipReason =
  | 'weak'
  | 'tie'
  | 'conflict'
  | 'ambiguous'
  | 'already_linked'
  | 'taken'
  | 'stale';

interface ConfirmInputBase<S> {
  /** Where links are confirmed. */
  store: MappingStore;
  /** The admin or technician confirming (recorded in `confirmedBy`). */
  actor: Actor;
  /** The suggestions the admin selected (for "select all suggested": every suggestion of the list). */
  suggestions: readonly S[];
  /** Epoch milliseconds recorded as `confirmedAt` (default: now). */
  at?: number;
  /** Confirm weak suggestions too (never ties or conflicts). Default false: strong only. */
  includeWeak?: boolean;
  /** Where each confirmed link is recorded (`link_company` / `link_contact`, the admin as actor). */
  audit?: AuditLog;
}

/** Confirms company suggestions. @public */
export interface ConfirmCompanySuggestionsInput extends ConfirmInputBase<CompanyMatchSuggestion> {
  /** Company suggestions. */
  kind: 'companies';
}

/** Confirms contact suggestions. @public */
export interface ConfirmContactSuggestionsInput extends ConfirmInputBase<ContactMatchSuggestion> {
  /** Contact suggestions. */
  kind: 'contacts';
}

/** A suggestion a bulk confirmation left for an admin. @public */
export interface SkippedSuggestion<S> {
  /** The suggestion as given. */
  suggestion: S;
  /** Why it was not confirmed. */
  reason: ConfirmSkipReason;
  /** The store's explanation, for `taken` and `stale`. */
  message?: string;
}

/** What a bulk confirmation did. @public */
export interface ConfirmResult<Link, S> {
  /** Links created, in input order. */
  confirmed: Link[];
  /** Suggestions left for an admin, with the reason. */
  skipped: SkippedSuggestion<S>[];
}

const suggestionSchema = z.looseObject({
  strength: z.enum(['strong', 'weak']),
  tie: z.boolean(),
  conflicts: z.array(z.unknown()),
});
const inputSchema = z
  .object({
    store: z.unknown(),
    audit: z.unknown().optional(),
    kind: z.enum(['companies', 'contacts'], { error: 'must be companies or contacts' }),
    actor: actorSchema,
    suggestions: z.array(z.unknown()),
    at: timestampSchema.optional(),
    includeWeak: z.boolean().optional(),
  })
  .strict();
const companyIds = suggestionSchema.extend({ companyId: idSchema, customerId: idSchema });
const contactIds = suggestionSchema.extend({ contactId: idSchema, endUserId: idSchema });

function pair(s: CompanyMatchSuggestion): { companyId: string; customerId: string };
function pair(s: ContactMatchSuggestion): { contactId: string; endUserId: string };
function pair(s: CompanyMatchSuggestion | ContactMatchSuggestion) {
  return 'endUserId' in s
    ? { contactId: s.contactId, endUserId: s.endUserId }
    : { companyId: s.companyId, customerId: s.customerId };
}

/**
 * "Select all suggested, confirm": links every strong suggestion in `suggestions` (weak ones too with
 * `includeWeak`), one by one, and reports the rest with a reason. Ties and conflicts are never confirmed: they are
 * what an admin must look at. Safe to run again: a pair already linked is skipped, not duplicated.
 * @example
 * ```ts
 * const { rows } = await listMatches({ store, tenantId, kind: 'companies', filter: 'suggested', limit: 1000 });
 * const result = await confirmSuggestions({ store, actor, kind: 'companies', suggestions: rows.flatMap((r) => r.suggestions) });
 * ```
 * Note: with `audit`, each link created is recorded as it is made; when the audit log fails, that link is removed
 * again and the error thrown (links confirmed and recorded before it stay).
 * @throws `InputError` naming the bad field; `AdapterError` when the store or the audit log fails (links made
 * and recorded so far stay).
 * @public
 */
export function confirmSuggestions(
  input: ConfirmCompanySuggestionsInput,
): Promise<ConfirmResult<CompanyLink, CompanyMatchSuggestion>>;
/** Contact suggestions: as for companies, linking contacts to end-users. @public */
export function confirmSuggestions(
  input: ConfirmContactSuggestionsInput,
): Promise<ConfirmResult<ContactLink, ContactMatchSuggestion>>;
export async function confirmSuggestions(
  input: ConfirmCompanySuggestionsInput | ConfirmContactSuggestionsInput,
): Promise<ConfirmResult<CompanyLink | ContactLink, CompanyMatchSuggestion | ContactMatchSuggestion>> {
  const parsed = parseInput(inputSchema, input, 'confirmSuggestions');
  requireAdmin(parsed.actor, 'confirm suggested links');
  assertPorts(input);
  const companies = parsed.kind === 'companies';
  parseInput(
    z.array(companies ? companyIds : contactIds),
    input.suggestions,
    'confirmSuggestions (suggestions)',
  );
  const { store, audit } = input;
  const { actor } = parsed;
  const tenantId = actor.tenantId;
  const confirmedAt = parsed.at ?? Date.now();
  const confirmation = { confirmedBy: { id: actor.technicianId, name: actor.technicianName }, confirmedAt };
  const suggestions = input.suggestions as readonly (CompanyMatchSuggestion | ContactMatchSuggestion)[];
  const sourceOf = (s: CompanyMatchSuggestion | ContactMatchSuggestion) =>
    companies ? s.companyId : (s as ContactMatchSuggestion).contactId;
  const perSource = new Map<string, number>();
  for (const s of suggestions) perSource.set(sourceOf(s), (perSource.get(sourceOf(s)) ?? 0) + 1);

  const result: ConfirmResult<CompanyLink | ContactLink, CompanyMatchSuggestion | ContactMatchSuggestion> = {
    confirmed: [],
    skipped: [],
  };
  for (const suggestion of suggestions) {
    const reason: ConfirmSkipReason | null = suggestion.tie
      ? 'tie'
      : suggestion.conflicts.length > 0
        ? 'conflict'
        : suggestion.strength === 'weak' && !parsed.includeWeak
          ? 'weak'
          : perSource.get(sourceOf(suggestion))! > 1
            ? 'ambiguous'
            : null;
    if (reason) {
      result.skipped.push({ suggestion, reason });
      continue;
    }
    let linked: LinkResult<CompanyLink | ContactLink>;
    try {
      linked = await AdapterError.wrap<LinkResult<CompanyLink | ContactLink>>(
        'mapping store',
        companies ? 'linkCompany' : 'linkContact',
        () =>
          companies
            ? store.linkCompany(tenantId, { ...pair(suggestion as CompanyMatchSuggestion), ...confirmation })
            : store.linkContact(tenantId, { ...pair(suggestion as ContactMatchSuggestion), ...confirmation }),
      );
    } catch (error) {
      if (!isQdeskError(error) || (error.code !== 'conflict' && error.code !== 'input_invalid')) throw error;
      const reason = error.code === 'conflict' ? 'taken' : 'stale';
      result.skipped.push({ suggestion, reason, message: error.message });
      continue;
    }
    if (!linked.created) {
      result.skipped.push({ suggestion, reason: 'already_linked' });
      continue;
    }
    const change = {
      actor: technician(actor),
      at: confirmedAt,
      via: 'confirmed_suggestion' as const,
      before: null,
    };
    if (companies) {
      const link = linked.link as CompanyLink;
      await auditLinkChange(audit, { ...change, kind: 'company', after: link }, () =>
        store.unlinkCompany(tenantId, link.companyId),
      );
    } else {
      const link = linked.link as ContactLink;
      await auditLinkChange(audit, { ...change, kind: 'contact', after: link }, () =>
        store.unlinkContact(tenantId, link.contactId),
      );
    }
    result.confirmed.push(linked.link);
  }
  // Keep the suggestions right: the linked records have none now, their candidates are offered to nobody else, and a
  // stale or taken suggestion is recomputed.
  const touched = [
    ...result.confirmed.map((l) => (companies ? (l as CompanyLink).companyId : (l as ContactLink).contactId)),
    ...result.skipped
      .filter((s) => s.reason === 'taken' || s.reason === 'stale')
      .map((s) => sourceOf(s.suggestion)),
  ];
  if (touched.length > 0) {
    if (companies) {
      await refreshCompanySuggestions(store, tenantId);
      await refreshContactSuggestions(store, tenantId, { companyIds: touched });
    } else {
      const endUserIds = result.confirmed.map((l) => (l as ContactLink).endUserId);
      const users = await AdapterError.wrap('mapping store', 'findEndUsers', () =>
        store.findEndUsers(tenantId, { ids: endUserIds }),
      );
      await refreshContactSuggestions(store, tenantId, { ...endUserSeed(users), ids: touched });
    }
  }
  return result;
}
