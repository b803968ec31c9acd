import { NotFoundError, PreconditionError } from '../../errors.js';
import type { PsaAdapter, PsaContact, TicketContext } from '../../ports/psa.js';
import type { Actor, EndUser } from '../../types.js';
import { maskDestination } from '../codes.js';
import { canAlert } from '../routes.js';
import { callPort, type Runtime } from '../runtime.js';
import type { EndUserSummary } from './start.js';

// Who a start is about: the ticket read from the PSA, its contact, and the end-user account the contact leads to
// (a confirmed link first, then the contact's emails).

export function requirePsa(rt: Runtime): PsaAdapter {
  if (rt.psa) return rt.psa;
  throw new PreconditionError(
    'No PSA is connected, so a verification cannot use a ticket or a contact; start from an email without a ticket.',
    { code: 'psa_unavailable' },
  );
}

/** The ticket with its company; a ticket without a company cannot say whose employee is calling. */
export async function readTicket(rt: Runtime, ticketId: string): Promise<TicketContext> {
  const psa = requirePsa(rt);
  const context = await callPort(`PSA (${psa.name})`, 'getTicketContext', () =>
    psa.getTicketContext(ticketId),
  );
  if (!context) {
    throw new NotFoundError(
      `No ticket with id ${ticketId} was found in the PSA. Check the ticket id and that the API user can read it.`,
      { code: 'ticket_not_found', details: { ticketId } },
    );
  }
  if (!context.company) {
    throw new PreconditionError(
      `Ticket ${context.ticket.number} has no company. Set the ticket's company in the PSA, then reload.`,
      { code: 'ticket_missing_company', details: { ticketId, ticketNumber: context.ticket.number } },
    );
  }
  return context;
}

export function requireContact(context: TicketContext): PsaContact {
  if (context.contact) return context.contact;
  const number = context.ticket.number;
  throw new PreconditionError(
    `Ticket ${number} has no contact. Set the caller as the ticket's contact in the PSA, or start from the end-user's email.`,
    { code: 'ticket_missing_contact', details: { ticketId: context.ticket.id, ticketNumber: number } },
  );
}

export const nameOf = (contact: PsaContact) =>
  `${contact.firstName} ${contact.lastName}`.trim() || `contact ${contact.id}`;

/** The end-user an admin linked to the contact, when there is one; else the first of its emails with an account. */
export async function endUserForContact(
  rt: Runtime,
  actor: Actor,
  contact: PsaContact,
  ticketNumber: string | null,
): Promise<EndUser> {
  const links = rt.contactLinks;
  if (links) {
    const link = await callPort('contact links', 'endUserForContact', () =>
      links.endUserForContact(actor.tenantId, contact.id),
    );
    const linked =
      link &&
      (await callPort('directory', 'getById', () => rt.directory.getById(actor.tenantId, link.endUserId)));
    if (linked) return linked;
  }
  const on = ticketNumber ? ` (ticket ${ticketNumber})` : '';
  if (contact.emails.length === 0) {
    throw new PreconditionError(
      `${nameOf(contact)} has no email address in the PSA${on}. Add their email to the contact, then reload; or start from the end-user's email.`,
      { code: 'contact_missing_email', details: { contactId: contact.id } },
    );
  }
  for (const email of contact.emails) {
    const user = await callPort('directory', 'findByEmail', () =>
      rt.directory.findByEmail(actor.tenantId, email),
    );
    if (user) return user;
  }
  throw new PreconditionError(
    `No end-user account matches ${contact.emails.join(' or ')} (${nameOf(contact)}). Invite them to the self-serve app, match the contact to an account, or start from an email.`,
    { code: 'end_user_not_found', details: { contactId: contact.id } },
  );
}

export function summarise(user: EndUser): EndUserSummary {
  return {
    id: user.id,
    displayName: user.displayName,
    email: user.email,
    maskedPhone: user.mobilePhone ? maskDestination(user.mobilePhone) : null,
    maskedEmail: maskDestination(user.email),
    customerId: user.customerId ?? null,
    phoneProvenance: user.mobilePhone ? (user.provenance?.mobilePhone ?? null) : null,
    emailProvenance: user.provenance?.email ?? null,
    devices: user.devices.map((d) => ({
      id: d.id,
      platform: d.platform,
      notificationPermission: d.notificationPermission,
      alerts: canAlert(d),
      ...(d.label ? { label: d.label } : {}),
    })),
  };
}
