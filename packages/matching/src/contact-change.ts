import { z } from 'zod';
import { AdapterError } from '../errors.js';
import type { PsaAdapter, PsaContact } from '../ports/psa.js';
import { callPort } from '../verifier/context.js';
import { checkRecord, idSchema, parseInput, recordProblem, SHAPES } from './_inputs.js';
import type { MappingStore } from './mapping-store.js';
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

/** Applies a webhook's contact change to the store. @internal */
export async function applyContactChange(
  psa: PsaAdapter,
  store: MappingStore,
  tenantId: string,
  change: ContactChange,
): Promise<ContactChangeResult> {
  const operation = 'applyContactChange';
  const parsed = parseInput(changeSchema, change, operation);
  const put = async (contact: PsaContact): Promise<ContactChangeResult> => {
    await callPort('mapping store', operation, () => store.putContact(tenantId, contact));
    return { contactId: contact.id, outcome: 'stored', unlinked: null };
  };
  const remove = async (contactId: string): Promise<ContactChangeResult> => {
    const { removed, unlinked } = await callPort('mapping store', operation, () =>
      store.removeContact(tenantId, contactId),
    );
    return { contactId, outcome: removed ? 'removed' : 'absent', unlinked };
  };

  if (parsed.contact !== undefined) {
    checkRecord(operation, 'contact', parsed.contact, SHAPES.contact);
    return put(parsed.contact as PsaContact);
  }
  const contactId = parsed.contactId!;
  if (parsed.action === 'deleted') return remove(contactId);
  const fetched = await callPort('PSA', 'getContact', () => psa.getContact(contactId));
  if (fetched === null) return remove(contactId);
  const problem = recordProblem(fetched, SHAPES.contact, 'contact');
  if (problem || fetched.id !== contactId) {
    throw new AdapterError(
      'adapter_failed',
      `The PSA (${psa.name}) returned a malformed contact for ${contactId} ` +
        `(${problem ? `${problem.path}: ${problem.message}` : `id ${fetched.id}`}); check the adapter.`,
      { details: { contactId } },
    );
  }
  return put(fetched);
}
