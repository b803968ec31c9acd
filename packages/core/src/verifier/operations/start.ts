import { NotFoundError, PreconditionError, TransitionError } from '../../errors.js';
import { eventBase } from '../../events.js';
import type { IdleSession, VerificationSession } from '../../machine/session.js';
import type { TicketContext } from '../../ports/psa.js';
import type { Actor, ContactProvenance, EndUser, TicketRef } from '../../types.js';
import { generateId } from '../codes.js';
import { claimKey } from '../counters.js';
import { plainText } from '../messages.js';
import { availability, type MethodAvailability } from '../routes.js';
import {
  callPort,
  publish,
  type Runtime,
  record,
  SESSION_RETENTION_MS,
  scoped,
  sessionTechnician,
  technicianActor,
} from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';
import {
  endUserForContact,
  nameOf,
  readTicket,
  requireContact,
  requirePsa,
  summarise,
} from './find-end-user.js';
import { activeOnTicket, checkBinding, supersede, ticketCustomer } from './ticket-binding.js';

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
  /** Masked email (`j•••@example.com`), for screens that must not show the address in full. */
  maskedEmail: string;
  /** The customer the end-user belongs to, when known. */
  customerId: string | null;
  /**
   * Where the mobile number came from and when a sync saw it change, so the technician sees it before SEND; `null`
   * when there is no number or its source was not recorded.
   */
  phoneProvenance: ContactProvenance | null;
  /** Likewise for the email on file. */
  emailProvenance: ContactProvenance | null;
  /**
   * Registered devices (platform and reported permission only). `alerts` is whether a push to the device would
   * alert the end-user (notifications granted, or an Android app that never reported): only those count for a push.
   */
  devices: {
    id: string;
    platform: string;
    notificationPermission: string;
    alerts: boolean;
    label?: string;
  }[];
}

/** A ticket resolved to the end-user it leads to, without starting anything. @public */
export interface TicketLookup {
  /** The ticket context read from the PSA. */
  context: TicketContext;
  /** Who would be verified. */
  endUser: EndUserSummary;
  /** The methods and whether each can reach this end-user now (under the end-user's customer's policy). */
  methods: MethodAvailability[];
  /** The verification in progress on this ticket, if any (a reload resumes it instead of starting another). */
  active: SessionSnapshot | null;
}

/**
 * How a start behaves beyond whom it verifies.
 * @public
 */
export interface StartOptions {
  /**
   * A key the caller makes up per start request (a UUID per click): a repeated start with the same key by the same
   * technician returns the session the first one created instead of a second.
   */
  idempotencyKey?: string;
  /**
   * What to do when the ticket already has a verification in progress: `resume` (default) returns it when it is
   * about the same end-user and refuses with `verification_in_progress` otherwise; `supersede` cancels it (its
   * device request can no longer be answered) and starts a new one. A ticket never has two at a time.
   */
  ifActive?: 'resume' | 'supersede';
  /**
   * Bind the verification to a ticket of another customer than the end-user's. Allowed only when the policy's
   * `allowTicketOverride` is on; the reason is recorded in the audit trail and on the note.
   */
  override?: { reason: string };
}

/** What every start returns. @public */
export interface StartResult {
  /** The session, `idle` until a send; `session.ticket` is set whenever a ticket was given. */
  session: SessionSnapshot;
  /** True when the session already existed (same idempotency key, or the ticket's verification in progress). */
  resumed: boolean;
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
  const customer = await ticketCustomer(rt, actor, context);
  const policyRt = await scoped(rt, actor.tenantId, customer?.customerId ?? user.customerId ?? null);
  const [active] = await activeOnTicket(rt, actor.tenantId, context.ticket.id);
  return {
    context,
    endUser: summarise(user),
    methods: availability(policyRt, user),
    active: active ? toSnapshot(active) : null,
  };
}

/** Starts from a ticket: its company and contact must be set, and the contact must lead to an end-user. */
export async function startFromTicket(
  rt: Runtime,
  actor: Actor,
  ticketId: string,
  options: StartOptions,
): Promise<StartResult> {
  const context = await readTicket(rt, ticketId);
  const contact = requireContact(context);
  const user = await endUserForContact(rt, actor, contact, context.ticket.number);
  return createSession(rt, actor, user, context, contact.id, options, 'contact');
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
  options: StartOptions,
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
  return createSession(rt, actor, user, context, contact.id, options, 'contact');
}

/**
 * Starts from an end-user id or email with no PSA contact; with a ticket, the session is bound to it and the
 * end-user must belong to the ticket company's customer (or an allowed override names a reason).
 */
export async function startForEndUser(
  rt: Runtime,
  actor: Actor,
  by: { endUserId?: string | undefined; email?: string | undefined; ticketId?: string | undefined },
  options: StartOptions,
  purpose: VerificationSession['purpose'] = 'verify',
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
  return createSession(rt, actor, user, context, null, options, 'direct', purpose);
}

/** A resumed session: the caller gets the one in progress instead of a second. */
function resumed(
  rt: Runtime,
  session: VerificationSession,
  user: EndUser,
  context: TicketContext | null,
): StartResult {
  return {
    session: toSnapshot(session),
    resumed: true,
    endUser: summarise(user),
    methods: availability(rt, user),
    context,
  };
}

/** The refusal of a start about someone else on a ticket that has a verification in progress. */
const busyTicket = (context: TicketContext, other: VerificationSession) =>
  new PreconditionError(
    `Ticket ${context.ticket.number} already has a verification in progress (${other.endUser.displayName}, by ${other.technician.name}). Resume it, or supersede it to start over.`,
    { code: 'verification_in_progress', details: { ticketId: context.ticket.id, sessionId: other.id } },
  );

/**
 * Stores one idle session, bound to the ticket when there is one, then audits and announces it. A ticket keeps at
 * most one verification in progress: a start resumes or supersedes the one there, and when two starts race, the
 * later one cancels itself and resumes the earlier.
 */
async function createSession(
  rt: Runtime,
  actor: Actor,
  user: EndUser,
  context: TicketContext | null,
  contactId: string | null,
  options: StartOptions,
  source: 'contact' | 'direct',
  purpose: VerificationSession['purpose'] = 'verify',
): Promise<StartResult> {
  // The ticket's customer decides the policy when the ticket is matched to one; else the end-user's.
  const { customerId, override } = context
    ? await checkBinding(rt, actor, user, context, source, options)
    : { customerId: user.customerId ?? null, override: null };
  const policyRt = await scoped(rt, actor.tenantId, customerId);
  const key = options.idempotencyKey ?? null;
  // The verifications in progress this start competes with: the ticket's, or else the end-user's own.
  const inProgress = () =>
    context
      ? activeOnTicket(rt, actor.tenantId, context.ticket.id)
      : callPort('session store', 'listActive', () => rt.store.listActive(actor.tenantId, user.id));
  const sameKey = (s: VerificationSession) => s.startKey === key && s.technician.id === actor.technicianId;
  const open = await inProgress();
  const repeat = key && open.find(sameKey);
  if (repeat) return resumed(policyRt, repeat, user, context);
  if (
    key &&
    (await claimKey(rt, actor.tenantId, `start-key:${encodeURIComponent(actor.technicianId)}`, key)) > 1
  ) {
    // A concurrent start with the same key is creating the session: wait for it rather than make a second.
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const made = (await inProgress()).find(sameKey);
      if (made) return resumed(policyRt, made, user, context);
    }
    throw new TransitionError(
      'A start with this idempotency key is still in progress; try again in a moment.',
      {
        code: 'conflict',
      },
    );
  }
  if (context && open.length > 0) {
    const same = open.find((s) => s.endUser.id === user.id && s.purpose === purpose);
    if ((options.ifActive ?? 'resume') === 'resume') {
      if (same) return resumed(policyRt, same, user, context);
      throw busyTicket(context, open[0]!);
    }
    for (const old of open) await supersede(rt, actor, old, 'superseded by a new verification on the ticket');
  }

  const now = rt.clock.now();
  const ticket: TicketRef | null = context && {
    id: context.ticket.id,
    number: plainText(context.ticket.number, 64),
    ...(context.ticket.title === undefined ? {} : { title: plainText(context.ticket.title, 200) }),
    ...(context.company ? { companyName: plainText(context.company.name, 100) } : {}),
  };
  const session: IdleSession = {
    id: `vs_${generateId(rt.random, 18)}`,
    version: 1,
    tenantId: actor.tenantId,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + policyRt.policy.codeTtlMs,
    purpose,
    technician: sessionTechnician(actor),
    customerId,
    endUser: { id: user.id, displayName: user.displayName, email: user.email },
    ticket,
    contactId,
    override,
    startKey: key,
    requestedMethod: null,
    method: null,
    codeMode: policyRt.policy.codeMode,
    attempts: 0,
    maxAttempts: policyRt.policy.maxAttempts,
    sends: 0,
    fallbacks: [],
    status: 'idle',
  };
  const created = await callPort('session store', 'create', () =>
    rt.store.create(session, { retainMs: SESSION_RETENTION_MS }),
  );
  if (!created) throw new Error('session id collision'); // 144 random bits: unreachable unless Random is broken
  await record(rt, session, {
    action: 'start',
    actor: technicianActor(actor),
    result: 'ok',
    detail: {
      purpose,
      customerId: session.customerId,
      ...(override ? { override: override.reason } : {}),
    },
  });
  publish(rt, 'session.created', eventBase(session, now));
  if (context) {
    // Two starts that raced past the check above: the earliest session stays, every later one steps aside.
    const [first] = await activeOnTicket(rt, actor.tenantId, context.ticket.id);
    if (first && first.id !== session.id) {
      await supersede(rt, actor, session, 'another verification started on the ticket at the same moment');
      if (first.endUser.id === user.id && first.purpose === purpose)
        return resumed(policyRt, first, user, context);
      throw busyTicket(context, first);
    }
  }
  return {
    session: toSnapshot(session),
    resumed: false,
    endUser: summarise(user),
    methods: availability(policyRt, user),
    context,
  };
}
