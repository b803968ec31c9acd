import { NotFoundError, PreconditionError } from '../errors.js';
import { eventBase } from '../events.js';
import type { IdleSession } from '../machine/session.js';
import type { PsaContact, TicketContext } from '../ports/psa.js';
import type { Actor, EndUser, TicketRef } from '../types.js';
import { generateId, maskDestination } from './codes.js';
import { callPort, publish, SESSION_RETENTION_MS, type VerifierContext } from './context.js';
import { availability, type MethodAvailability } from './routes.js';
import { type SessionSnapshot, toSnapshot } from './snapshot.js';

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

/** What every start operation returns. @public */
export interface StartResult {
  /** The new session, `idle` until a send. */
  session: SessionSnapshot;
  /** Who is being verified. */
  endUser: EndUserSummary;
  /** The methods and whether each can reach this end-user now. */
  methods: MethodAvailability[];
  /** The ticket context read from the PSA, when started from a ticket. */
  context: TicketContext | null;
}

/** @internal */
export function summarise(user: EndUser): EndUserSummary {
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

function requirePsa(ctx: VerifierContext) {
  if (!ctx.psa) {
    throw new PreconditionError(
      'psa_unavailable',
      'No PSA is connected, so a verification cannot start from a ticket or contact; start from an email instead.',
    );
  }
  return ctx.psa;
}

/**
 * Finds the end-user for a contact: the end-user an admin confirmed for it, when there is one; otherwise the first
 * of its emails that matches an account.
 */
async function endUserForContact(
  ctx: VerifierContext,
  actor: Actor,
  contact: PsaContact,
  ticketNumber: string | null,
) {
  const mappings = ctx.mappings;
  if (mappings) {
    const link = await callPort('mapping store', 'endUserForContact', () =>
      mappings.endUserForContact(actor.tenantId, contact.id),
    );
    if (link) {
      const linked = await callPort('directory', 'getById', () =>
        ctx.directory.getById(actor.tenantId, link.endUserId),
      );
      if (linked) return linked;
    }
  }
  const name = `${contact.firstName} ${contact.lastName}`.trim() || `contact ${contact.id}`;
  if (contact.emails.length === 0) {
    throw new PreconditionError(
      'contact_missing_email',
      `${name} has no email address in the PSA${ticketNumber ? ` (ticket ${ticketNumber})` : ''}. Add their email to the contact, then reload; or start from the end-user's email.`,
      { details: { contactId: contact.id } },
    );
  }
  for (const email of contact.emails) {
    const user = await callPort('directory', 'findByEmail', () =>
      ctx.directory.findByEmail(actor.tenantId, email),
    );
    if (user) return user;
  }
  throw new PreconditionError(
    'end_user_not_found',
    `No end-user account matches ${contact.emails.join(' or ')} (${name}). Invite them to the self-serve app, match the contact to an account, or start from an email.`,
    { details: { contactId: contact.id } },
  );
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

/** Reads a ticket and checks every precondition; throws the precondition's own error when one fails. */
async function resolveTicket(ctx: VerifierContext, actor: Actor, ticketId: string) {
  const psa = requirePsa(ctx);
  const context = await callPort(`PSA (${psa.name})`, 'getTicketContext', () =>
    psa.getTicketContext(ticketId),
  );
  if (!context) {
    throw new NotFoundError(
      'ticket_not_found',
      `No ticket with id ${ticketId} was found in the PSA. Check the ticket id and that the API user can read it.`,
      { details: { ticketId } },
    );
  }
  const number = context.ticket.number;
  if (!context.company) {
    throw new PreconditionError(
      'ticket_missing_company',
      `Ticket ${number} has no company. Set the ticket's company in the PSA, then reload.`,
      { details: { ticketId, ticketNumber: number } },
    );
  }
  if (!context.contact) {
    throw new PreconditionError(
      'ticket_missing_contact',
      `Ticket ${number} has no contact. Set the caller as the ticket's contact in the PSA, or start from the end-user's email.`,
      { details: { ticketId, ticketNumber: number } },
    );
  }
  const user = await endUserForContact(ctx, actor, context.contact, number);
  return { context, user, company: context.company, contact: context.contact };
}

/** @internal */
export async function lookupTicket(
  ctx: VerifierContext,
  actor: Actor,
  ticketId: string,
): Promise<TicketLookup> {
  const { context, user } = await resolveTicket(ctx, actor, ticketId);
  return { context, endUser: summarise(user), methods: availability(ctx, user) };
}

/** @internal */
export async function startFromTicket(
  ctx: VerifierContext,
  actor: Actor,
  ticketId: string,
): Promise<StartResult> {
  const { context, user, company, contact } = await resolveTicket(ctx, actor, ticketId);
  const ticket: TicketRef = {
    id: context.ticket.id,
    number: context.ticket.number,
    title: context.ticket.title,
    companyName: company.name,
  };
  return create(ctx, actor, user, ticket, contact.id, context);
}

/** @internal */
export async function startFromContact(
  ctx: VerifierContext,
  actor: Actor,
  contactId: string,
  ticketId: string | undefined,
): Promise<StartResult> {
  if (ticketId !== undefined) {
    const started = await startFromTicket(ctx, actor, ticketId);
    if (started.context?.contact?.id === contactId) return started;
  }
  const psa = requirePsa(ctx);
  const contact = await callPort(`PSA (${psa.name})`, 'getContact', () => psa.getContact(contactId));
  if (!contact) {
    throw new NotFoundError('contact_not_found', `No contact with id ${contactId} was found in the PSA.`, {
      details: { contactId },
    });
  }
  const user = await endUserForContact(ctx, actor, contact, null);
  return create(ctx, actor, user, null, contact.id, null);
}

/** @internal */
export async function startForEndUser(
  ctx: VerifierContext,
  actor: Actor,
  by: { endUserId?: string; email?: string },
  ticket: TicketRef | null,
): Promise<StartResult> {
  const user = by.endUserId
    ? await callPort('directory', 'getById', () => ctx.directory.getById(actor.tenantId, by.endUserId!))
    : await callPort('directory', 'findByEmail', () => ctx.directory.findByEmail(actor.tenantId, by.email!));
  if (!user) {
    throw new NotFoundError(
      'end_user_not_found',
      by.email
        ? `No end-user account has the email ${by.email}. Check the spelling or invite them to the self-serve app.`
        : `No end-user account has the id ${by.endUserId}.`,
    );
  }
  return create(ctx, actor, user, ticket, null, null);
}

async function create(
  ctx: VerifierContext,
  actor: Actor,
  user: EndUser,
  ticket: TicketRef | null,
  contactId: string | null,
  context: TicketContext | null,
): Promise<StartResult> {
  const now = ctx.clock.now();
  const session: IdleSession = {
    id: `vs_${generateId(ctx.random, 18)}`,
    version: 1,
    tenantId: actor.tenantId,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + ctx.policy.codeTtlMs,
    technician: { id: actor.technicianId, name: actor.technicianName },
    endUser: { id: user.id, displayName: user.displayName, email: user.email },
    ticket,
    contactId,
    requestedMethod: null,
    method: null,
    codeMode: ctx.policy.codeMode,
    attempts: 0,
    maxAttempts: ctx.policy.maxAttempts,
    sends: 0,
    fallbacks: [],
    status: 'idle',
  };
  const created = await callPort('session store', 'create', () =>
    ctx.store.create(session, SESSION_RETENTION_MS),
  );
  if (!created) throw new Error('session id collision'); // 144 random bits: unreachable unless Random is broken
  publish(ctx, 'session.created', eventBase(session, now));
  return {
    session: toSnapshot(session),
    endUser: summarise(user),
    methods: availability(ctx, user),
    context,
  };
}
