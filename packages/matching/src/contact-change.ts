import { AdapterError, type AuditLog, type Clock, type PsaAdapter } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import { z } from 'zod';
import { checkRecord, idSchema, parseInput, recordProblem, SHAPES } from './_inputs.js';
import { endUserSeed, recompute, refreshContactSuggestions } from './_kept-suggestions.js';
import { auditLinkChange, SYSTEM } from './_link-audit.js';
import type { MappingStore } from './mapping-store.js';
import { contactKeys } from './match-keys.js';
import type { ContactLink } from './types.js';

/**
 * A change to one PSA contact, as a PSA webhook reports it (PSA-agnostic: the app maps its PSA's callout to this).
 * `created` / `updated` carry the contact as the PSA now holds it, or only its id (then it is read through
 * `PsaAdapter.getContact`); `deleted` carries the id.
 * @example
 * ```ts
 * // Autotask: const hook = readAutotaskWebhook(body, signature, secret);
 * await sync.applyContactChange({ action: hook.Action === 'Delete' ? 'deleted' : 'updated', contactId: String(hook.Id) });
 * ```
 * @public
 */
export type ContactChange =
  | {
      /** What happened in the PSA. */
      action: 'created' | 'updated';
      /** The contact as the PSA now holds it. */
      contact: PsaContact;
    }
  | {
      /** What happened in the PSA. */
      action: 'created' | 'updated' | 'deleted';
      /** The contact's PSA id (a created or updated one is read through `PsaAdapter.getContact`). */
      contactId: string;
    };

/** What {@link MatchingSync.applyContactChange} did. @public */
export interface ContactChangeResult {
  /** The contact concerned. */
  contactId: string;
  /**
   * - `stored`: the contact was added or replaced.
   * - `removed`: it was deleted (or the PSA no longer has it) and is gone from the store.
   * - `absent`: it was deleted and the store did not have it.
   */
  outcome: 'stored' | 'removed' | 'absent';
  /** The contact's confirmed link, dropped because the contact is gone, or `null`. */
  unlinked: ContactLink | null;
}

const changeSchema = z
  .object({
    action: z.enum(['created', 'updated', 'deleted'], { error: 'must be created, updated or deleted' }),
    contact: z.unknown().optional(),
    contactId: idSchema.optional(),
  })
  .strict()
  .superRefine((change, ctx) => {
    if (change.action === 'deleted' && change.contactId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['contactId'], message: 'is required to delete a contact' });
    } else if (change.action === 'deleted' && change.contact !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['contact'], message: 'give only contactId to delete a contact' });
    } else if ((change.contact === undefined) === (change.contactId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['contact'],
        message: 'give exactly one of contact or contactId',
      });
    }
  });

/** What {@link applyContactChange} works with: the sync's ports. @internal */
export interface ContactChangeContext {
  psa: PsaAdapter;
  store: MappingStore;
  tenantId: string;
  clock: Clock;
  audit: AuditLog | undefined;
}

/**
 * Applies a webhook's contact change to the store. A deleted contact's link goes with it, recorded as
 * `unlink_contact` by QDesk itself (`via: 'contact_deleted'`).
 * @internal
 */
export async function applyContactChange(
  ctx: ContactChangeContext,
  change: ContactChange,
): Promise<ContactChangeResult> {
  const { psa, store, tenantId } = ctx;
  const operation = 'applyContactChange';
  const parsed = parseInput(changeSchema, change, operation);
  // The emails the contact had: the contacts sharing them lose (or keep) a conflict with it.
  const emailsBefore = async (contactId: string) => {
    const [before] = await AdapterError.wrap('mapping store', 'findContacts', () =>
      store.findContacts(tenantId, { ids: [contactId] }),
    );
    return before ? contactKeys(before).emails : [];
  };
  const put = async (contact: PsaContact): Promise<ContactChangeResult> => {
    // One read finds the contact as stored and the contacts holding its new emails; only emails it dropped need a
    // second. The write goes on meanwhile; the new suggestions are stored after it.
    const emails = contactKeys(contact).emails;
    const found = await AdapterError.wrap('mapping store', 'findContacts', () =>
      store.findContacts(tenantId, { ids: [contact.id], emails }),
    );
    const before = found.find((c) => c.id === contact.id);
    const dropped = before ? contactKeys(before).emails.filter((e) => !emails.includes(e)) : [];
    const written = AdapterError.wrap('mapping store', 'putContact', () =>
      store.putContact(tenantId, contact),
    );
    written.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const holders =
      dropped.length === 0
        ? []
        : await AdapterError.wrap('mapping store', 'findContacts', () =>
            store.findContacts(tenantId, { emails: dropped }),
          );
    const targets = new Map<string, PsaContact>();
    for (const c of [...found, ...holders]) if (c.id !== contact.id) targets.set(c.id, c);
    targets.set(contact.id, contact);
    await recompute(store, tenantId, [...targets.values()], new Set([...emails, ...dropped]), written);
    return { contactId: contact.id, outcome: 'stored', unlinked: null };
  };
  const remove = async (contactId: string): Promise<ContactChangeResult> => {
    const emails = await emailsBefore(contactId);
    const { removed, unlinked } = await AdapterError.wrap('mapping store', 'removeContact', () =>
      store.removeContact(tenantId, contactId),
    );
    // An end-user whose contact is gone is free again: the contacts it is a candidate of are recomputed too.
    const freed = unlinked
      ? await AdapterError.wrap('mapping store', 'findEndUsers', () =>
          store.findEndUsers(tenantId, { ids: [unlinked.endUserId] }),
        )
      : [];
    const seed = endUserSeed(freed);
    await refreshContactSuggestions(store, tenantId, {
      emails: [...emails, ...seed.emails!],
      names: seed.names!,
    });
    if (unlinked) {
      // The contact is gone from the PSA, so its link cannot be put back if the record fails.
      await auditLinkChange(ctx.audit, {
        kind: 'contact',
        actor: SYSTEM,
        at: ctx.clock.now(),
        via: 'contact_deleted',
        before: unlinked,
        after: null,
      });
    }
    return { contactId, outcome: removed ? 'removed' : 'absent', unlinked };
  };

  if (parsed.contact !== undefined) {
    checkRecord(operation, 'contact', parsed.contact, SHAPES.contact);
    return put(parsed.contact as PsaContact);
  }
  const contactId = parsed.contactId!;
  if (parsed.action === 'deleted') return remove(contactId);
  const port = `PSA (${psa.name})`;
  const fetched = await AdapterError.wrap(port, 'getContact', () => psa.getContact(contactId));
  if (fetched === null) return remove(contactId);
  const problem = recordProblem(fetched, SHAPES.contact, 'contact');
  if (problem || fetched.id !== contactId) {
    throw new AdapterError(
      `The ${port} returned a malformed contact for ${contactId} ` +
        `(${problem ? `${problem.path}: ${problem.message}` : `id ${fetched.id}`}); check the adapter.`,
      { port, operation: 'getContact', details: { contactId } },
    );
  }
  return put(fetched);
}
