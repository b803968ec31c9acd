import { type Actor, AdapterError, type AuditLog, type EndUser } from '@qdesk/core';
import { z } from 'zod';
import { actorSchema, assertPorts, idSchema, parseInput, requireAdmin, timestampSchema } from './_inputs.js';
import { afterCompanyLinkChange, afterContactLinkChange } from './_kept-suggestions.js';
import { auditLinkChange, technician } from './_link-audit.js';
import { crossCustomerCheck, crossCustomerError } from './cross-customer-link.js';
import type { LinkResult, MappingStore } from './mapping-store.js';
import type { CompanyLink, ContactLink } from './types.js';

interface ByHandBase {
  /** Where links are kept. */
  store: MappingStore;
  /** The admin acting (recorded in `confirmedBy` and as the audit actor). */
  actor: Actor;
  /** Epoch milliseconds of the change (default: now). */
  at?: number;
  /** Where the change is recorded, with the link before and after. */
  audit?: AuditLog;
}

/** Links a PSA company to a customer an admin picked. @public */
export interface MatchCompanyByHandInput extends ByHandBase {
  /** The companies tab. */
  kind: 'companies';
  /** PSA company id. */
  companyId: string;
  /** Customer id (a customer of the actor's tenant). */
  customerId: string;
}

/** Links a PSA contact to an end-user an admin picked. @public */
export interface MatchContactByHandInput extends ByHandBase {
  /** The contacts tab. */
  kind: 'contacts';
  /** PSA contact id. */
  contactId: string;
  /** End-user id in the directory. */
  endUserId: string;
  /**
   * The end-user as the directory has it (its `id` is `endUserId`). With it, the link is checked against the
   * contact's company: an end-user of another customer than the one the company is matched to, or any end-user when
   * the company is matched to none, is refused (see {@link crossCustomerLinkOf}) unless `confirmCrossCustomer` is
   * true. Pass it: without it no check is made (kept optional for callers written before the check).
   */
  endUser?: Pick<EndUser, 'id' | 'displayName' | 'customerId'>;
  /**
   * The admin saw both customers named and confirms the link across them. Recorded as `matched_across_customers`
   * with both customers in the record's detail. Needs `endUser`; ignored for a link within one customer.
   */
  confirmCrossCustomer?: boolean;
}

/** Removes a PSA company's link. @public */
export interface UnmatchCompanyInput extends ByHandBase {
  /** The companies tab. */
  kind: 'companies';
  /** PSA company id. */
  companyId: string;
}

/** Removes a PSA contact's link. @public */
export interface UnmatchContactInput extends ByHandBase {
  /** The contacts tab. */
  kind: 'contacts';
  /** PSA contact id. */
  contactId: string;
}

const base = {
  store: z.unknown(),
  audit: z.unknown().optional(),
  actor: actorSchema,
  at: timestampSchema.optional(),
};
const matchSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...base, kind: z.literal('companies'), companyId: idSchema, customerId: idSchema }).strict(),
    z
      .object({
        ...base,
        kind: z.literal('contacts'),
        contactId: idSchema,
        endUserId: idSchema,
        // The directory's record as it is (devices and all): only these fields are read.
        endUser: z
          .looseObject({ id: idSchema, displayName: z.string().max(1000), customerId: idSchema.optional() })
          .optional(),
        confirmCrossCustomer: z.boolean().optional(),
      })
      .strict()
      .refine((i) => i.endUser === undefined || i.endUser.id === i.endUserId, {
        message: 'must be the end-user of endUserId',
        path: ['endUser', 'id'],
      })
      .refine((i) => !i.confirmCrossCustomer || i.endUser !== undefined, {
        message: 'needs endUser: without it there is no cross-customer check to confirm',
        path: ['confirmCrossCustomer'],
      }),
  ],
  { error: 'must be companies or contacts' },
);
const unmatchSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...base, kind: z.literal('companies'), companyId: idSchema }).strict(),
    z.object({ ...base, kind: z.literal('contacts'), contactId: idSchema }).strict(),
  ],
  { error: 'must be companies or contacts' },
);

/**
 * "Match by hand": links the PSA company (or contact) to the customer (or end-user) an admin picked, and records it
 * as `link_company` (`link_contact`) with the admin as actor. Linking a pair that is linked already changes nothing
 * and records nothing (`created: false`).
 *
 * Note: a contact's link decides who a ticket from that contact verifies. Given `endUser`, a contact is linked
 * without a question only to an end-user of the customer its company is matched to; any other end-user needs
 * `confirmCrossCustomer: true`, which the admin gives after seeing the refusal that names both customers.
 * @example
 * ```ts
 * const endUser = await directory.getById(tenantId, 'eu-eva');
 * const { link } = await matchByHand({ kind: 'contacts', store, actor, audit, contactId: '206', endUserId: 'eu-eva', endUser });
 * ```
 * @throws `InputError` naming the bad field (or a customer the tenant does not have, or with `endUser` a contact
 * no sync stored); a `QdeskError` with code `conflict` when either side is linked to something else (unmatch it
 * first), or, with `endUser`, when the link crosses customers without `confirmCrossCustomer` (read the pair with
 * {@link crossCustomerLinkOf}); `AdapterError` when the store or the audit log fails (then nothing is linked).
 * @public
 */
export function matchByHand(input: MatchCompanyByHandInput): Promise<LinkResult<CompanyLink>>;
/** Contacts: as for companies, linking a PSA contact to an end-user. @public */
export function matchByHand(input: MatchContactByHandInput): Promise<LinkResult<ContactLink>>;
export async function matchByHand(
  input: MatchCompanyByHandInput | MatchContactByHandInput,
): Promise<LinkResult<CompanyLink> | LinkResult<ContactLink>> {
  const parsed = parseInput(matchSchema, input, 'matchByHand');
  requireAdmin(parsed.actor, 'match a link by hand');
  assertPorts(input);
  const { store, audit } = input;
  const { actor } = parsed;
  const tenantId = actor.tenantId;
  const at = parsed.at ?? Date.now();
  const confirmation = {
    confirmedBy: { id: actor.technicianId, name: actor.technicianName },
    confirmedAt: at,
  };
  const change = { actor: technician(actor), at, via: 'matched_by_hand' as const, before: null };
  if (parsed.kind === 'companies') {
    const { companyId, customerId } = parsed;
    const result = await AdapterError.wrap('mapping store', 'linkCompany', () =>
      store.linkCompany(tenantId, { companyId, customerId, ...confirmation }),
    );
    if (result.created) {
      await auditLinkChange(audit, { ...change, kind: 'company', after: result.link }, () =>
        store.unlinkCompany(tenantId, companyId),
      );
      await afterCompanyLinkChange(store, tenantId, companyId);
    }
    return result;
  }
  const { contactId, endUserId } = parsed;
  const cross = parsed.endUser
    ? await crossCustomerCheck(store, tenantId, contactId, parsed.endUser, 'matchByHand')
    : null;
  if (cross && !parsed.confirmCrossCustomer) throw crossCustomerError(cross);
  const result = await AdapterError.wrap('mapping store', 'linkContact', () =>
    store.linkContact(tenantId, { contactId, endUserId, ...confirmation }),
  );
  if (result.created) {
    const how = cross
      ? {
          via: 'matched_across_customers' as const,
          extra: {
            companyId: cross.company.id,
            companyCustomerId: cross.companyCustomer?.id ?? null,
            endUserCustomerId: cross.endUserCustomer?.id ?? null,
          },
        }
      : {};
    await auditLinkChange(audit, { ...change, ...how, kind: 'contact', after: result.link }, () =>
      store.unlinkContact(tenantId, contactId),
    );
    await afterContactLinkChange(store, tenantId, contactId, endUserId);
  }
  return result;
}

/**
 * "Unmatch": removes the link of a PSA company (or contact) and records it as `unlink_company` (`unlink_contact`)
 * with the link it removed as `before`. Returns that link, or `null` (recording nothing) when there was none.
 * @example
 * ```ts
 * const removed = await unmatch({ kind: 'contacts', store, actor, audit, contactId: '206' });
 * ```
 * @throws `InputError` naming the bad field; `AdapterError` when the store or the audit log fails (then the
 * link is put back).
 * @public
 */
export function unmatch(input: UnmatchCompanyInput): Promise<CompanyLink | null>;
/** Contacts: as for companies, removing a PSA contact's link to its end-user. @public */
export function unmatch(input: UnmatchContactInput): Promise<ContactLink | null>;
export async function unmatch(
  input: UnmatchCompanyInput | UnmatchContactInput,
): Promise<CompanyLink | ContactLink | null> {
  const parsed = parseInput(unmatchSchema, input, 'unmatch');
  requireAdmin(parsed.actor, 'remove a link');
  assertPorts(input);
  const { store, audit } = input;
  const tenantId = parsed.actor.tenantId;
  const change = {
    actor: technician(parsed.actor),
    at: parsed.at ?? Date.now(),
    via: 'unmatched_by_hand' as const,
    after: null,
  };
  if (parsed.kind === 'companies') {
    const removed = await AdapterError.wrap('mapping store', 'unlinkCompany', () =>
      store.unlinkCompany(tenantId, parsed.companyId),
    );
    if (removed) {
      const { tenantId: _, ...again } = removed;
      await auditLinkChange(audit, { ...change, kind: 'company', before: removed }, () =>
        store.linkCompany(tenantId, again),
      );
      await afterCompanyLinkChange(store, tenantId, removed.companyId);
    }
    return removed;
  }
  const removed = await AdapterError.wrap('mapping store', 'unlinkContact', () =>
    store.unlinkContact(tenantId, parsed.contactId),
  );
  if (removed) {
    const { tenantId: _, ...again } = removed;
    await auditLinkChange(audit, { ...change, kind: 'contact', before: removed }, () =>
      store.linkContact(tenantId, again),
    );
    await afterContactLinkChange(store, tenantId, removed.contactId, removed.endUserId);
  }
  return removed;
}
