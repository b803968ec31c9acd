import { NotFoundError, PreconditionError } from '../../errors.js';
import { eventBase } from '../../events.js';
import type { IdleSession } from '../../machine/session.js';
import type { PsaAdapter, PsaContact, TicketContext } from '../../ports/psa.js';
import type { Actor, EndUser, TicketRef } from '../../types.js';
import { generateId, maskDestination } from '../codes.js';
import { availability, type MethodAvailability } from '../routes.js';
import {
  callPort,
  publish,
  type Runtime,
  record,
  SESSION_RETENTION_MS,
  technicianActor,
} from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The start operation: find who the verification is about (from a ticket, a contact, or an end-user id or email),
// bind it to the ticket when one is given, and store an idle session. Nothing is sent yet.

/** The end-user as a technician sees them: enough to confirm who, never the full phone number. @public */
export interface EndUserSummary {
  /** Directory id. */
  id: string;
  /** Name. */
  displayName: string;
  /** Email on file. */
  email: string;
  /** Masked mobile phone, or `null` when none is on file. */
  maskedPhone: string | null;
  /** Registered devices (platform and reported permission only). */
  devices: { id: string; platform: string; notificationPermission: string; label?: string }[];
}

/** A ticket resolved to the end-user it leads to, without starting anything. @public */
export interface TicketLookup {
  /** The ticket context read from the PSA. */
  context: TicketContext;
  /** Who would be verified. */
  endUser: EndUserSummary;
  /** The methods and whether each can reach this end-user now. */
  methods: MethodAvailability[];
}

/** What every start returns. @public */
export interface StartResult {
  /** The new session, `idle` until a send; `session.ticket` is set whenever a ticket was given. */
  session: SessionSnapshot;
  /** Who is being verified. */
  endUser: EndUserSummary;
  /** The methods and whether each can reach this end-user now. */
  methods: MethodAvailability[];
  /** The ticket context read from the PSA, when a ticket was given. */
  context: TicketContext | null;
}

/** Reads a ticket and the end-user its contact leads to; throws the failed precondition's own error. */
export async function lookupTicket(rt: Runtime, actor: Actor, ticketId: string): Promise<TicketLookup> {
  const context = await readTicket(rt, ticketId);
  const contact = requireContact(context);
  const user = await endUserForContact(rt, actor, contact, context.ticket.number);
  return { context, endUser: summarise(user), methods: availability(rt, user) };
}

/** Starts from a ticket: its company and contact must be set, and the contact must lead to an end-user. */
export async function startFromTicket(rt: Runtime, actor: Actor, ticketId: string): Promise<StartResult> {
  const context = await readTicket(rt, ticketId);
  const contact = requireContact(context);
  const user = await endUserForContact(rt, actor, contact, context.ticket.number);
  return createSession(rt, actor, user, context, contact.id);
}

/**
 * Starts from a PSA contact. With a ticket, the session is bound to it and the given contact is used even when the
 * ticket names another contact or none; the contact must belong to the ticket's company.
 */
export async function startFromContact(
  rt: Runtime,
  actor: Actor,
  contactId: string,
  ticketId: string | undefined,
): Promise<StartResult> {
  const context = ticketId === undefined ? null : await readTicket(rt, ticketId);
  const psa = requirePsa(rt);
  const contact = await callPort(`PSA (${psa.name})`, 'getContact', () => psa.getContact(contactId));
  if (!contact) {
    throw new NotFoundError(`No contact with id ${contactId} was found in the PSA.`, {
      code: 'contact_not_found',
      details: { contactId },
    });
  }
  if (context?.company && contact.companyId !== context.company.id) {
    throw new PreconditionError(
      `${nameOf(contact)} belongs to another company than ticket ${context.ticket.number} (${context.company.name}). Pick a contact of ${context.company.name}, or change the ticket's company.`,
      { code: 'contact_not_on_ticket_company', details: { contactId, ticketId: context.ticket.id } },
    );
  }
  const user = await endUserForContact(rt, actor, contact, context?.ticket.number ?? null);
  return createSession(rt, actor, user, context, contact.id);
}

/** Starts from an end-user id or email with no PSA contact; with a ticket, the session is bound to it. */
export async function startForEndUser(
  rt: Runtime,
  actor: Actor,
  by: { endUserId?: string | undefined; email?: string | undefined; ticketId?: string | undefined },
): Promise<StartResult> {
  const context = by.ticketId === undefined ? null : await readTicket(rt, by.ticketId);
  const user = by.endUserId
    ? await callPort('directory', 'getById', () => rt.directory.getById(actor.tenantId, by.endUserId!))
    : await callPort('directory', 'findByEmail', () => rt.directory.findByEmail(actor.tenantId, by.email!));
  if (!user) {
    throw new NotFoundError(
      by.email
        ? `No end-user account has the email ${by.email}. Check the spelling or invite them to the self-serve app.`
        : `No end-user account has the id ${by.endUserId}.`,
      { code: 'end_user_not_found' },
    );
  }
  return createSession(rt, actor, user, context, null);
}

function requirePsa(rt: Runtime): PsaAdapter {
  if (rt.psa) return rt.psa;
  throw new PreconditionError(
    'No PSA is connected, so a verification cannot use a ticket or a contact; start from an email without a ticket.',
    { code: 'psa_unavailable' },
  );
}

/** The ticket with its company; a ticket without a company cannot say whose employee is calling. */
async function readTicket(rt: Runtime, ticketId: string): Promise<TicketContext> {
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

function requireContact(context: TicketContext): PsaContact {
  if (context.contact) return context.contact;
  const number = context.ticket.number;
  throw new PreconditionError(
    `Ticket ${number} has no contact. Set the caller as the ticket's contact in the PSA, or start from the end-user's email.`,
    { code: 'ticket_missing_contact', details: { ticketId: context.ticket.id, ticketNumber: number } },
  );
}

const nameOf = (contact: PsaContact) =>
  `${contact.firstName} ${contact.lastName}`.trim() || `contact ${contact.id}`;

/** The end-user an admin linked to the contact, when there is one; else the first of its emails with an account. */
async function endUserForContact(
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

function summarise(user: EndUser): EndUserSummary {
  return {
    id: user.id,
    displayName: user.displayName,
    email: user.email,
    maskedPhone: user.mobilePhone ? maskDestination(user.mobilePhone) : null,
    devices: user.devices.map((d) => ({
      id: d.id,
      platform: d.platform,
      notificationPermission: d.notificationPermission,
      ...(d.label ? { label: d.label } : {}),
    })),
  };
}

/** Stores one idle session, bound to the ticket when there is one, then audits and announces it. */
async function createSession(
  rt: Runtime,
  actor: Actor,
  user: EndUser,
  context: TicketContext | null,
  contactId: string | null,
): Promise<StartResult> {
  const now = rt.clock.now();
  const ticket: TicketRef | null = context && {
    id: context.ticket.id,
    number: context.ticket.number,
    title: context.ticket.title,
    ...(context.company ? { companyName: context.company.name } : {}),
  };
  const session: IdleSession = {
    id: `vs_${generateId(rt.random, 18)}`,
    version: 1,
    tenantId: actor.tenantId,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + rt.policy.codeTtlMs,
    technician: { id: actor.technicianId, name: actor.technicianName },
    endUser: { id: user.id, displayName: user.displayName, email: user.email },
    ticket,
    contactId,
    requestedMethod: null,
    method: null,
    codeMode: rt.policy.codeMode,
    attempts: 0,
    maxAttempts: rt.policy.maxAttempts,
    sends: 0,
    fallbacks: [],
    status: 'idle',
  };
  const created = await callPort('session store', 'create', () =>
    rt.store.create(session, { retainMs: SESSION_RETENTION_MS }),
  );
  if (!created) throw new Error('session id collision'); // 144 random bits: unreachable unless Random is broken
  await record(rt, session, { action: 'start', actor: technicianActor(actor), result: 'ok' });
  publish(rt, 'session.created', eventBase(session, now));
  return { session: toSnapshot(session), endUser: summarise(user), methods: availability(rt, user), context };
}
