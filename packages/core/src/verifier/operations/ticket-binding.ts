import { ForbiddenError, PreconditionError } from '../../errors.js';
import { readSession, type VerificationSession } from '../../machine/session.js';
import type { TicketContext } from '../../ports/psa.js';
import type { Actor, EndUser } from '../../types.js';
import { plainText } from '../messages.js';
import { callPort, commit, type Runtime, scoped, technicianActor } from '../runtime.js';
import type { StartOptions } from './start.js';

// The ticket binding is never weaker than the ticket: the end-user must belong to the ticket company's customer, and
// a ticket has one verification in progress at a time (a newer start resumes or supersedes it).

/** The open sessions of a ticket as they read now, oldest first (the first is the one a ticket keeps). */
export async function activeOnTicket(
  rt: Runtime,
  tenantId: string,
  ticketId: string,
): Promise<VerificationSession[]> {
  const all = await callPort('session store', 'listForTicket', () =>
    rt.store.listForTicket(tenantId, ticketId),
  );
  const now = rt.clock.now();
  return all
    .filter((s) => s.tenantId === tenantId && s.ticket?.id === ticketId)
    .filter(
      (s) => !['approved', 'denied', 'expired', 'cancelled', 'failed'].includes(readSession(s, now).status),
    )
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** The customer the ticket's company is matched to, or `null` (no company link, or no contact links at all). */
export async function ticketCustomer(
  rt: Runtime,
  actor: Actor,
  context: TicketContext,
): Promise<{ customerId: string } | null> {
  const links = rt.contactLinks;
  const company = context.company;
  if (!links || !company) return null;
  return callPort('contact links', 'customerForCompany', () =>
    links.customerForCompany(actor.tenantId, company.id),
  );
}

/**
 * Checks that the ticket binding is never weaker than the ticket: the end-user must belong to the customer the
 * ticket's company is matched to. From a ticket's own contact (`contact`), only a known mismatch refuses (the PSA
 * already ties the contact to the company); from an email or id (`direct`), the match must be shown. Returns the
 * customer whose policy applies (the ticket's, when its company is matched; else the end-user's) and the override to
 * record, or `null`.
 */
export async function checkBinding(
  rt: Runtime,
  actor: Actor,
  user: EndUser,
  context: TicketContext,
  source: 'contact' | 'direct',
  options: StartOptions,
): Promise<{ customerId: string | null; override: { reason: string } | null }> {
  const company = context.company!;
  const link = await ticketCustomer(rt, actor, context);
  const userCustomer = user.customerId ?? null;
  const matches = link !== null && userCustomer !== null && link.customerId === userCustomer;
  const knownMismatch = link !== null && userCustomer !== null && link.customerId !== userCustomer;
  const customerId = link?.customerId ?? userCustomer;
  if (matches || (source === 'contact' && !knownMismatch)) return { customerId, override: null };
  const why = link
    ? `${user.displayName} belongs to another customer than ${company.name}, the company of ticket ${context.ticket.number}`
    : `${company.name} (the company of ticket ${context.ticket.number}) is not matched to a customer, so QDesk cannot tell whether ${user.displayName} works there`;
  if (options.override) {
    const policyRt = await scoped(rt, actor.tenantId, link?.customerId ?? null);
    if (policyRt.policy.allowTicketOverride) {
      return { customerId, override: { reason: plainText(options.override.reason, 300) } };
    }
    throw new ForbiddenError(
      `${why}, and the policy does not allow overriding that. An administrator can turn on allowTicketOverride for the customer.`,
      { code: 'forbidden', details: { ticketId: context.ticket.id, reason: 'override_not_allowed' } },
    );
  }
  throw new PreconditionError(
    `${why}. Verify the ticket's own contact, match the company to its customer, or give an override with a reason where the policy allows one.`,
    {
      code: 'end_user_not_on_ticket_customer',
      details: { ticketId: context.ticket.id, endUserId: user.id, companyId: company.id },
    },
  );
}

/** Cancels a session that a newer start on its ticket replaces; its device request can no longer be answered. */
export async function supersede(
  rt: Runtime,
  actor: Actor,
  old: VerificationSession,
  why: string,
): Promise<void> {
  try {
    await commit(rt, old, (_s, now) => ({ type: 'cancelled', now, by: 'technician', superseded: true }), {
      action: 'supersede',
      actor: technicianActor(actor),
      detail: { why },
    });
  } catch {
    // Closed in the meantime (answered, expired): nothing is left to supersede.
  }
}
