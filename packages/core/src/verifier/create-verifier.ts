import { isQdeskError } from '../errors.js';
import type { VerifierEvents } from '../events.js';
import { createMemoryAuditLog } from '../memory/audit-log.js';
import { createMemoryPolicyStore } from '../memory/policy-store.js';
import { createMemoryRateCounter } from '../memory/rate-counter.js';
import { cryptoRandom, systemClock } from '../memory/runtime.js';
import { createMemorySessionStore } from '../memory/session-store.js';
import type { AuditAction } from '../ports/audit-log.js';
import type { DeliveryStatusReport } from '../ports/channel.js';
import type { Actor, CodeMode, Method } from '../types.js';
import { createDigests } from './codes.js';
import { resolveConfig, type VerifierConfig } from './config.js';
import { parseInput, schemas, whoActed } from './inputs.js';
import {
  getPolicy,
  type PolicyChange,
  type PolicyView,
  setPolicy,
  takeOver,
  unlockEndUser,
} from './operations/admin.js';
import {
  answerFromDevice,
  type DeviceAnswer,
  type DeviceAnswerResult,
} from './operations/answer-from-device.js';
import { type CheckCodeResult, checkCode } from './operations/check-code.js';
import { decide } from './operations/decide.js';
import {
  type GrantCheck,
  type GrantRequest,
  type ResetGrant,
  requireVerified,
  verifyGrant,
} from './operations/grants.js';
import {
  type ChallengeState,
  challengeState,
  type PendingChallenge,
  pendingChallenges,
} from './operations/pending-challenges.js';
import { reportDelivery } from './operations/report-delivery.js';
import { type SendResult, send } from './operations/send.js';
import {
  lookupTicket,
  type StartOptions,
  type StartResult,
  startForEndUser,
  startFromContact,
  startFromTicket,
  type TicketLookup,
} from './operations/start.js';
import { type SweepResult, sweep } from './operations/sweep.js';
import type { VerificationPolicy } from './policy.js';
import { availability, type MethodAvailability } from './routes.js';
import { callPort, createEvents, type Runtime, record, refresh, scoped } from './runtime.js';
import { type SessionSnapshot, toSnapshot } from './snapshot.js';

/**
 * The verifier service. Every operation validates its input (an {@link InputError} changes nothing), is scoped to
 * the actor's tenant, persists with compare-and-set, emits typed events and leaves audit records in causal order.
 * @public
 */
export interface Verifier {
  /** Typed events: `verifier.events.on('session.approved', (e) => ...)`. Payloads never contain secrets. */
  readonly events: VerifierEvents;
  /** The deployment's policy (configuration over the NIST defaults): the bottom layer of every customer's. */
  readonly policy: Readonly<VerificationPolicy>;
  /**
   * Reads a ticket and who it leads to, with the methods available, without starting a verification (for a page
   * that shows the ticket before the technician picks a method). Throws what `startFromTicket` would.
   */
  lookupTicket(input: { actor: Actor; ticketId: string }): Promise<TicketLookup>;
  /**
   * Starts from a PSA ticket: its company and contact must be set and the contact must lead to an end-user. A ticket
   * has one verification at a time: see {@link StartOptions} for resume, supersede and idempotency.
   */
  startFromTicket(input: { actor: Actor; ticketId: string } & StartOptions): Promise<StartResult>;
  /**
   * Starts from a PSA contact. With `ticketId`, the one session is bound to that ticket and uses the given contact
   * (which must belong to the ticket's company).
   */
  startFromContact(
    input: { actor: Actor; contactId: string; ticketId?: string } & StartOptions,
  ): Promise<StartResult>;
  /**
   * Starts from an end-user id or email with no PSA contact. With `ticketId`, bound to that ticket, and the end-user
   * must belong to the customer the ticket's company is matched to (`end_user_not_on_ticket_customer` otherwise,
   * unless the policy allows an `override` with a reason).
   */
  startForEndUser(
    input: { actor: Actor; endUserId?: string; email?: string; ticketId?: string } & StartOptions,
  ): Promise<StartResult>;
  /**
   * Reverse verification: the technician calling an end-user proves they are real. Sends the end-user's app "This is
   * <technician> from <MSP> about ticket <number>"; the technician reads the number in `display.matchNumber`, the
   * end-user types it in the app, and a match confirms the technician (audited, noted on the ticket). Never counts
   * as a verified end-user.
   */
  startReverse(input: {
    actor: Actor;
    endUserId?: string;
    email?: string;
    ticketId?: string;
    idempotencyKey?: string;
  }): Promise<StartResult & SendResult>;
  /** Methods and whether each can reach this end-user now. */
  availableMethods(input: { actor: Actor; endUserId: string }): Promise<MethodAvailability[]>;
  /**
   * Sends a code or push (falling back to a code where policy allows). Again on a `sent` session: a new code by the
   * same route, in the code mode the first send fixed. A repeated `idempotencyKey` sends nothing (`replayed`).
   */
  send(input: {
    actor: Actor;
    sessionId: string;
    method: Method;
    codeMode?: CodeMode;
    idempotencyKey?: string;
  }): Promise<SendResult>;
  /** Checks the code the caller read back (`verify` mode). */
  checkCode(input: { actor: Actor; sessionId: string; code: string }): Promise<CheckCodeResult>;
  /** The technician approves after comparing codes by eye (`compare` mode). */
  approve(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** The technician denies. Final. */
  deny(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** The technician cancels. */
  cancel(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** The end-user's device answers a push challenge, authenticated by its challenge token. */
  answerFromDevice(input: DeviceAnswer): Promise<DeviceAnswerResult>;
  /** Push challenges waiting for an end-user (the app polls this; notifications can be off). */
  pendingChallenges(input: { tenantId: string; endUserId: string }): Promise<PendingChallenge[]>;
  /**
   * One of the end-user's own requests after it left the pending list: its status and why it closed, so the app
   * can say "your helpdesk replaced this request" rather than nothing. Another end-user's reads as not found.
   */
  challengeState(input: { tenantId: string; endUserId: string; sessionId: string }): Promise<ChallengeState>;
  /** The session as it reads now (a passed deadline reads, and is recorded, as `expired`). */
  getSession(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** Records a provider's later delivery report (for example a Twilio status callback). */
  reportDelivery(report: DeliveryStatusReport): Promise<void>;
  /** Hands a verification in progress to the acting technician (audited with before, after and the reason). */
  takeOver(input: { actor: Actor; sessionId: string; reason: string }): Promise<SessionSnapshot>;
  /**
   * Gives every session past its deadline its `expired` outcome (audit record, event, note), exactly once even
   * when every instance sweeps at once. Run it every few seconds (`limit` sessions per call, default 100).
   */
  sweep(input?: { limit?: number }): Promise<SweepResult>;
  /**
   * The gate before a reset: a short-lived signed grant (JWS, HS256 under a key derived from `secret`) for one
   * action on one end-user and ticket, issued only when a verification approved that end-user on that ticket within
   * `within`. One grant per verification and action; audited.
   * @throws {@link PreconditionError} `not_verified` when there is no such approval.
   */
  requireVerified(input: GrantRequest): Promise<{ grant: string; claims: ResetGrant }>;
  /**
   * For the tool that performs the reset: checks a grant's signature, expiry and binding to `action` (and the
   * end-user, ticket and tenant when given), and spends it: a grant allows one reset.
   * @throws {@link ForbiddenError} `grant_invalid`, whatever is wrong: refuse the reset.
   */
  verifyGrant(input: GrantCheck): Promise<ResetGrant>;
  /** A customer's policy (or the tenant's default layer with `customerId: null`): in force and as stored. */
  getPolicy(input: { actor: Actor; customerId?: string | null }): Promise<PolicyView>;
  /** Changes a customer's (or the tenant's) policy layer. Administrators only; audited with before and after. */
  setPolicy(input: PolicyChange): Promise<PolicyView>;
  /** Clears an end-user's consecutive-failure lock. Administrators only; audited with the count before. */
  unlockEndUser(input: {
    actor: Actor;
    endUserId: string;
    reason: string;
  }): Promise<{ failuresBefore: number }>;
}

/**
 * Creates the verifier. Only `secret` and `directory` are required; every other port defaults to memory.
 * @throws {@link ConfigError} naming every bad field, including every port method that is missing.
 * @example
 * ```ts
 * const verifier = createVerifier({ secret: process.env.QDESK_SECRET!, directory, psa, channels: { sms } });
 * const { session } = await verifier.startFromTicket({ actor, ticketId: '1001' });
 * await verifier.send({ actor, sessionId: session.id, method: 'sms' });
 * const { correct } = await verifier.checkCode({ actor, sessionId: session.id, code: '123456' });
 * ```
 * @public
 */
export function createVerifier(config: VerifierConfig): Verifier {
  const { key, policy } = resolveConfig(config);
  const clock = config.clock ?? systemClock;
  const push = config.channels?.push;
  const rt: Runtime = {
    policy,
    basePolicy: policy,
    policies: config.policies ?? createMemoryPolicyStore(),
    digests: createDigests(key),
    store: config.store ?? createMemorySessionStore({ now: () => clock.now() }),
    counters: config.counters ?? createMemoryRateCounter(),
    directory: config.directory,
    psa: config.psa ?? null,
    contactLinks: config.contactLinks ?? null,
    channels: {
      sms: config.channels?.sms ?? null,
      email: config.channels?.email ?? null,
      push: push === undefined ? [] : Array.isArray(push) ? push : [push],
    },
    audit: config.audit ?? createMemoryAuditLog(),
    clock,
    random: config.random ?? cryptoRandom,
    events: createEvents(),
    appName: config.appName ?? 'QDesk',
    mspName: config.mspName ?? config.appName ?? 'QDesk',
    selfServeUrl: config.selfServeUrl ?? null,
  };

  /**
   * Runs an operation; a refusal (bad input, precondition, limit, transition, a wrong device token, a grant asked for
   * too early, a forged or replayed grant) leaves one `error` record in the tenant the input names, so an attempt
   * that changed nothing is still on file.
   */
  const audited =
    <I, T>(action: AuditAction, run: (input: I) => Promise<T>) =>
    async (input: I): Promise<T> => {
      try {
        return await run(input);
      } catch (error) {
        const who = whoActed(input);
        if (who) {
          const sessionId = (input as { sessionId?: unknown }).sessionId;
          await record(
            rt,
            { tenantId: who.tenantId },
            {
              action,
              actor: who.actor,
              result: 'error',
              detail: {
                ...who.detail,
                error: isQdeskError(error) ? error.code : 'internal_error',
                ...(typeof sessionId === 'string' ? { sessionId: sessionId.slice(0, 100) } : {}),
              },
            },
          ).catch(() => undefined);
        }
        throw error;
      }
    };

  return {
    events: rt.events,
    policy,
    lookupTicket: async (input) => {
      const { actor, ticketId } = parseInput(schemas.ticket, input, 'lookupTicket');
      return lookupTicket(rt, actor, ticketId);
    },
    startFromTicket: audited('start', async (input) => {
      const { actor, ticketId, ...options } = parseInput(schemas.startTicket, input, 'startFromTicket');
      return startFromTicket(rt, actor, ticketId, options);
    }),
    startFromContact: audited('start', async (input) => {
      const { actor, contactId, ticketId, ...options } = parseInput(
        schemas.contact,
        input,
        'startFromContact',
      );
      return startFromContact(rt, actor, contactId, ticketId, options);
    }),
    startForEndUser: audited('start', async (input) => {
      const { actor, endUserId, email, ticketId, ...options } = parseInput(
        schemas.endUser,
        input,
        'startForEndUser',
      );
      return startForEndUser(rt, actor, { endUserId, email, ticketId }, options);
    }),
    startReverse: audited('start', async (input) => {
      const { actor, endUserId, email, ticketId, idempotencyKey } = parseInput(
        schemas.reverse,
        input,
        'startReverse',
      );
      const started = await startForEndUser(
        rt,
        actor,
        { endUserId, email, ticketId },
        idempotencyKey === undefined ? {} : { idempotencyKey },
        'reverse',
      );
      if (started.resumed) return { ...started, display: {}, replayed: true };
      try {
        const sent = await send(rt, actor, started.session.id, 'number_match', undefined, null);
        return { ...started, ...sent };
      } catch (error) {
        // Nothing could be sent: close the request, so it does not hold the ticket.
        await decide(rt, 'cancel', actor, started.session.id).catch(() => undefined);
        throw error;
      }
    }),
    availableMethods: async (input) => {
      const { actor, endUserId } = parseInput(schemas.availableMethods, input, 'availableMethods');
      const user = await callPort('directory', 'getById', () =>
        rt.directory.getById(actor.tenantId, endUserId),
      );
      return user ? availability(await scoped(rt, actor.tenantId, user.customerId ?? null), user) : [];
    },
    send: audited('send', async (input) => {
      const { actor, sessionId, method, codeMode, idempotencyKey } = parseInput(schemas.send, input, 'send');
      return send(rt, actor, sessionId, method, codeMode, idempotencyKey ?? null);
    }),
    checkCode: audited('check_code', async (input) => {
      const { actor, sessionId, code } = parseInput(schemas.checkCode, input, 'checkCode');
      return checkCode(rt, actor, sessionId, code);
    }),
    approve: audited('approve', async (input) => {
      const { actor, sessionId } = parseInput(schemas.session, input, 'approve');
      return decide(rt, 'approve', actor, sessionId);
    }),
    deny: audited('deny', async (input) => {
      const { actor, sessionId } = parseInput(schemas.session, input, 'deny');
      return decide(rt, 'deny', actor, sessionId);
    }),
    cancel: audited('cancel', async (input) => {
      const { actor, sessionId } = parseInput(schemas.session, input, 'cancel');
      return decide(rt, 'cancel', actor, sessionId);
    }),
    answerFromDevice: audited('device_answer', async (input) =>
      answerFromDevice(rt, parseInput(schemas.deviceAnswer, input, 'answerFromDevice')),
    ),
    pendingChallenges: async (input) => {
      const { tenantId, endUserId } = parseInput(schemas.pending, input, 'pendingChallenges');
      return pendingChallenges(rt, tenantId, endUserId);
    },
    challengeState: async (input) => {
      const { tenantId, endUserId, sessionId } = parseInput(schemas.challengeState, input, 'challengeState');
      return challengeState(rt, tenantId, endUserId, sessionId);
    },
    getSession: async (input) => {
      const { actor, sessionId } = parseInput(schemas.session, input, 'getSession');
      return toSnapshot(await refresh(rt, actor.tenantId, sessionId));
    },
    reportDelivery: async (input) => reportDelivery(rt, parseInput(schemas.report, input, 'reportDelivery')),
    takeOver: audited('take_over', async (input) => {
      const { actor, sessionId, reason } = parseInput(schemas.takeOver, input, 'takeOver');
      return takeOver(rt, actor, sessionId, reason);
    }),
    sweep: async (input = {}) => sweep(rt, parseInput(schemas.sweep, input, 'sweep').limit ?? 100),
    requireVerified: audited('grant_issued', async (input) =>
      requireVerified(rt, parseInput(schemas.requireVerified, input, 'requireVerified')),
    ),
    verifyGrant: audited('grant_refused', async (input) =>
      verifyGrant(rt, parseInput(schemas.verifyGrant, input, 'verifyGrant')),
    ),
    getPolicy: async (input) => {
      const { actor, customerId } = parseInput(schemas.getPolicy, input, 'getPolicy');
      return getPolicy(rt, actor, customerId ?? null);
    },
    setPolicy: audited('policy_change', async (input) =>
      setPolicy(rt, parseInput(schemas.setPolicy, input, 'setPolicy') as PolicyChange),
    ),
    unlockEndUser: audited('unlock', async (input) => {
      const { actor, endUserId, reason } = parseInput(schemas.unlock, input, 'unlockEndUser');
      return unlockEndUser(rt, actor, endUserId, reason);
    }),
  };
}
