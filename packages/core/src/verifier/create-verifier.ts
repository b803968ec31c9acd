import type TypedEmitter from 'typed-emitter';
import { AuthenticationError, isQdeskError, TransitionError } from '../errors.js';
import { eventBase, type VerifierEvents } from '../events.js';
import type { SessionEvent } from '../machine/events.js';
import { readSession, type VerificationSession } from '../machine/session.js';
import { createMemoryAuditLog } from '../memory/audit-log.js';
import { cryptoRandom, systemClock } from '../memory/runtime.js';
import { createMemorySessionStore } from '../memory/session-store.js';
import type { AuditRecord } from '../ports/audit-log.js';
import type { DeliveryStatusReport } from '../ports/channel.js';
import type { Actor, CodeMode, Method, TicketRef } from '../types.js';
import { createDigests, generateCode } from './codes.js';
import { resolveConfig, type VerificationPolicy, type VerifierConfig } from './config.js';
import {
  type AuditSubject,
  applyEvent,
  audit,
  callPort,
  createEmitter,
  loadSession,
  publish,
  refreshSession,
  type VerifierContext,
} from './context.js';
import { parseDigits, parseInput, schemas } from './inputs.js';
import { availability, type MethodAvailability } from './routes.js';
import { type SendResult, send } from './send.js';
import { type SessionSnapshot, toSnapshot } from './snapshot.js';
import {
  lookupTicket,
  type StartResult,
  startForEndUser,
  startFromContact,
  startFromTicket,
  type TicketLookup,
} from './start.js';

/** What {@link Verifier.checkCode} returns. @public */
export interface CheckCodeResult {
  /** Whether the code matched. */
  correct: boolean;
  /** Checks left before the session is denied (0 once closed). */
  attemptsLeft: number;
  /** The session after the check: `approved`, still `sent`, or `denied` after the last allowed attempt. */
  session: SessionSnapshot;
}

/** A device's answer to a push challenge, authenticated by the challenge token. @public */
export type DeviceResponse =
  | { sessionId: string; token: string; response: 'approve' }
  | { sessionId: string; token: string; response: 'deny' }
  | { sessionId: string; token: string; response: 'number'; number: string };

/** What {@link Verifier.respondFromDevice} returns to the device. @public */
export interface DeviceResponseResult {
  /** Status after the response. */
  status: VerificationSession['status'];
  /** For `push_code` after Approve: the code the end-user reads to the technician. Show it once; never log it. */
  code?: string;
}

/** A push challenge waiting on an end-user's device, as the self-serve app lists it. @public */
export interface PendingChallenge {
  /** Challenge (session) id. */
  challengeId: string;
  /** Token the device presents with its answer. Give it only to the signed-in end-user's app. */
  token: string;
  /** The method: approve/deny, approve then read a code, or type the technician's number. */
  method: 'push' | 'push_code' | 'number_match';
  /** Epoch milliseconds when the challenge expires. */
  expiresAt: number;
  /** Who asks, for which ticket and company. */
  display: { technicianName: string; ticketNumber: string | null; companyName: string | null };
}

/**
 * The verifier service. Every operation validates its input (an {@link InputError} changes nothing), is scoped to
 * the actor's tenant, persists with compare-and-set, emits typed events and leaves an audit record.
 * @public
 */
export interface Verifier {
  /** Typed events: `verifier.events.on('session.approved', (e) => ...)`. Payloads never contain secrets. */
  readonly events: TypedEmitter<VerifierEvents>;
  /** The policy in force, with defaults applied. */
  readonly policy: Readonly<VerificationPolicy>;
  /**
   * Reads a ticket and who it leads to, with the methods available, without starting a verification (for a page
   * that shows the ticket before the technician picks a method). Throws the same precondition errors as
   * `startFromTicket`.
   */
  lookupTicket(input: { actor: Actor; ticketId: string }): Promise<TicketLookup>;
  /** Starts from a PSA ticket: its company and contact must be set and the contact's email must match an end-user. */
  startFromTicket(input: { actor: Actor; ticketId: string }): Promise<StartResult>;
  /** Starts from a PSA contact (optionally bound to a ticket). */
  startFromContact(input: { actor: Actor; contactId: string; ticketId?: string }): Promise<StartResult>;
  /** Starts from an end-user id or email, with no PSA match; `ticket` binds it to a ticket the app knows. */
  startForEndUser(input: {
    actor: Actor;
    endUserId?: string;
    email?: string;
    ticket?: TicketRef;
  }): Promise<StartResult>;
  /** Methods and whether each can reach this end-user now. */
  availableMethods(input: { actor: Actor; endUserId: string }): Promise<MethodAvailability[]>;
  /** Sends a code or push (falling back to a code where policy allows). Again on a `sent` session: a new code. */
  send(input: { actor: Actor; sessionId: string; method: Method; codeMode?: CodeMode }): Promise<SendResult>;
  /** Checks the code the caller read back (`verify` mode). */
  checkCode(input: { actor: Actor; sessionId: string; code: string }): Promise<CheckCodeResult>;
  /** The technician approves after comparing codes by eye (`compare` mode). */
  approve(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** The technician denies. Final. */
  deny(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** The technician cancels. */
  cancel(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** A device answers a push challenge, authenticated by its challenge token. */
  respondFromDevice(input: DeviceResponse): Promise<DeviceResponseResult>;
  /** Push challenges waiting for an end-user (the app polls this; notifications can be off). */
  pendingChallenges(input: { tenantId: string; endUserId: string }): Promise<PendingChallenge[]>;
  /** The session as it reads now (a passed deadline reads, and is recorded, as `expired`). */
  getSession(input: { actor: Actor; sessionId: string }): Promise<SessionSnapshot>;
  /** Records a provider's later delivery report (for example a Twilio status callback). */
  reportDelivery(report: DeliveryStatusReport): Promise<void>;
}

/**
 * Creates the verifier. Only `secret` and `directory` are required; every other port defaults to memory.
 * @throws {@link ConfigError} naming every bad field.
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
  const ctx: VerifierContext = {
    policy,
    digests: createDigests(key),
    store: config.store ?? createMemorySessionStore({ now: () => clock.now() }),
    directory: config.directory,
    psa: config.psa ?? null,
    mappings: config.mappings ?? null,
    channels: {
      sms: config.channels?.sms ?? null,
      email: config.channels?.email ?? null,
      push: push === undefined ? [] : Array.isArray(push) ? push : [push],
    },
    audit: config.audit ?? createMemoryAuditLog(),
    clock,
    random: config.random ?? cryptoRandom,
    events: createEmitter(),
    appName: config.appName ?? 'QDesk',
  };

  const technician = (actor: Actor): AuditRecord['actor'] => ({
    type: 'technician',
    id: actor.technicianId,
    name: actor.technicianName,
  });

  /**
   * Runs an operation and leaves one audit record for it whatever happens: the result, or the error code. Input
   * errors are recorded against the tenant when the input named one.
   */
  async function audited<T>(
    action: string,
    input: unknown,
    who: (input: unknown) => { tenantId: string; actor: AuditRecord['actor'] } | null,
    sessionIdOf: (input: unknown) => string | null,
    run: () => Promise<T>,
    resultOf: (value: T) => string = () => 'ok',
  ): Promise<T> {
    try {
      const value = await run();
      // Most operations return the session they changed (a start, the one it created): the record is about that
      // snapshot, with no second read of the store.
      await record(action, input, who, sessionIdOf, resultOf(value), undefined, snapshotOf(value));
      return value;
    } catch (error) {
      const code = isQdeskError(error) ? error.code : 'internal_error';
      await record(action, input, who, sessionIdOf, 'error', { error: code }).catch(() => undefined);
      throw error;
    }
  }

  async function record(
    action: string,
    input: unknown,
    who: (input: unknown) => { tenantId: string; actor: AuditRecord['actor'] } | null,
    sessionIdOf: (input: unknown) => string | null,
    result: string,
    detail?: AuditRecord['detail'],
    known: SessionSnapshot | null = null,
  ): Promise<void> {
    const sessionId = sessionIdOf(input);
    const stored: AuditSubject | null =
      known ??
      (sessionId
        ? await ctx.store.get(sessionId).then(
            (s) => s && readSession(s, clock.now()),
            () => null,
          )
        : null);
    const identity =
      who(input) ??
      (stored ? { tenantId: stored.tenantId, actor: { type: 'device' as const, id: 'device' } } : null);
    if (!identity) return; // Nothing identifies a tenant: there is no log this could belong to.
    const subject =
      stored && stored.tenantId === identity.tenantId ? stored : { tenantId: identity.tenantId };
    await audit(ctx, subject, { action, actor: identity.actor, result, ...(detail ? { detail } : {}) });
  }

  /** The session snapshot an operation returned, itself or as `session`, if any. */
  const snapshotOf = (value: unknown): SessionSnapshot | null => {
    const candidate = (value as { session?: unknown } | null | undefined)?.session ?? value;
    return typeof candidate === 'object' &&
      candidate !== null &&
      'endUser' in candidate &&
      'status' in candidate
      ? (candidate as SessionSnapshot)
      : null;
  };

  const actorOf = (input: unknown) => {
    const parsed = schemas.session.shape.actor.safeParse((input as { actor?: unknown } | null)?.actor);
    return parsed.success ? { tenantId: parsed.data.tenantId, actor: technician(parsed.data) } : null;
  };
  const sessionIdOf = (input: unknown) => {
    const parsed = schemas.session.shape.sessionId.safeParse(
      (input as { sessionId?: unknown } | null)?.sessionId,
    );
    return parsed.success ? parsed.data : null;
  };
  const none = () => null;

  const technicianAction =
    (action: 'approve' | 'deny' | 'cancel', event: (now: number) => SessionEvent) =>
    (input: { actor: Actor; sessionId: string }) =>
      audited(
        action,
        input,
        actorOf,
        sessionIdOf,
        async () => {
          const { actor, sessionId } = parseInput(schemas.session, input, action);
          const result = await applyEvent(ctx, sessionId, actor.tenantId, (_s, now) => event(now));
          return toSnapshot(result.session);
        },
        (s) => s.status,
      );

  return {
    events: ctx.events,
    policy,
    startFromTicket: (input) =>
      audited('start_from_ticket', input, actorOf, none, async () => {
        const { actor, ticketId } = parseInput(schemas.startFromTicket, input, 'startFromTicket');
        return startFromTicket(ctx, actor, ticketId);
      }),
    lookupTicket: async (input) => {
      const { actor, ticketId } = parseInput(schemas.startFromTicket, input, 'lookupTicket');
      return lookupTicket(ctx, actor, ticketId);
    },
    startFromContact: (input) =>
      audited('start_from_contact', input, actorOf, none, async () => {
        const { actor, contactId, ticketId } = parseInput(
          schemas.startFromContact,
          input,
          'startFromContact',
        );
        return startFromContact(ctx, actor, contactId, ticketId);
      }),
    startForEndUser: (input) =>
      audited('start_for_end_user', input, actorOf, none, async () => {
        const parsed = parseInput(schemas.startForEndUser, input, 'startForEndUser');
        return startForEndUser(ctx, parsed.actor, parsed, parsed.ticket ?? null);
      }),
    availableMethods: async (input) => {
      const { actor, endUserId } = parseInput(schemas.availableMethods, input, 'availableMethods');
      const user = await callPort('directory', 'getById', () =>
        ctx.directory.getById(actor.tenantId, endUserId),
      );
      if (!user) return [];
      return availability(ctx, user);
    },
    send: (input) =>
      audited(
        'send',
        input,
        actorOf,
        sessionIdOf,
        async () => {
          const { actor, sessionId, method, codeMode } = parseInput(schemas.send, input, 'send');
          return send(ctx, actor, sessionId, method, codeMode);
        },
        (r) => r.session.status,
      ),
    checkCode: (input) =>
      audited(
        'check_code',
        input,
        actorOf,
        sessionIdOf,
        async () => {
          const { actor, sessionId, code } = parseInput(schemas.checkCode, input, 'checkCode');
          const digits = parseDigits(code, policy.codeLength, 'code');
          const result = await applyEvent(ctx, sessionId, actor.tenantId, (s, now) => ({
            type: 'code_submitted',
            now,
            codeHash: ctx.digests.secret('code', s.id, digits),
          }));
          const checked = result.effects.find((e) => e.type === 'emit' && e.event.name === 'code.checked');
          const payload =
            checked?.type === 'emit' && checked.event.name === 'code.checked' ? checked.event.payload : null;
          return {
            correct: payload?.correct ?? false,
            attemptsLeft:
              result.session.status === 'sent' || result.session.status === 'awaiting_code'
                ? (payload?.attemptsLeft ?? 0)
                : 0,
            session: toSnapshot(result.session),
          };
        },
        (r) => (r.correct ? 'correct' : `wrong:${r.session.status}`),
      ),
    approve: technicianAction('approve', (now) => ({ type: 'technician_approved', now })),
    deny: technicianAction('deny', (now) => ({ type: 'technician_denied', now })),
    cancel: technicianAction('cancel', (now) => ({ type: 'cancelled', now, by: 'technician' })),
    respondFromDevice: (input) =>
      audited(
        'device_response',
        input,
        none,
        sessionIdOf,
        async () => {
          const parsed = parseInput(schemas.device, input, 'respondFromDevice');
          const number =
            parsed.response === 'number' ? parseDigits(parsed.number, policy.codeLength, 'number') : null;
          const session = await loadSession(ctx, parsed.sessionId, null);
          if (
            session.status !== 'awaiting_push' ||
            !ctx.digests.checkDeviceToken(session.id, session.challengeNonce, parsed.token)
          ) {
            if (
              session.status === 'awaiting_push' ||
              session.status === 'idle' ||
              session.status === 'sent'
            ) {
              throw new AuthenticationError(
                'unauthorized',
                'This challenge token is not valid for this request; refresh the app.',
              );
            }
            throw new TransitionError(
              'session_closed',
              `This request is no longer waiting for an answer (${session.status}).`,
            );
          }
          let code: string | undefined;
          const result = await applyEvent(ctx, session.id, null, (s, now) => {
            if (s.status !== 'awaiting_push' || s.challengeNonce !== session.challengeNonce) {
              throw new TransitionError(
                'session_closed',
                `This request is no longer waiting for an answer (${s.status}).`,
              );
            }
            if (parsed.response === 'deny') return { type: 'device_denied', now };
            if (number !== null)
              return {
                type: 'number_submitted',
                now,
                numberHash: ctx.digests.secret('number', s.id, number),
              };
            if (s.method !== 'push_code')
              return { type: 'device_approved', now, codeHash: null, expiresAt: null };
            code = generateCode(ctx.random, policy.codeLength);
            return {
              type: 'device_approved',
              now,
              codeHash: ctx.digests.secret('code', s.id, code),
              expiresAt: now + policy.codeTtlMs,
            };
          });
          return {
            status: result.session.status,
            ...(code && result.session.status === 'awaiting_code' ? { code } : {}),
          };
        },
        (r) => r.status,
      ),
    pendingChallenges: async (input) => {
      const { tenantId, endUserId } = parseInput(schemas.endUser, input, 'pendingChallenges');
      const ids = await callPort('session store', 'listActiveForEndUser', () =>
        ctx.store.listActiveForEndUser(endUserId),
      );
      const out: PendingChallenge[] = [];
      for (const id of ids) {
        const stored = await ctx.store.get(id);
        if (!stored || stored.tenantId !== tenantId) continue;
        // A challenge whose deadline passed is recorded as expired here, so its outcome is written once.
        const session = clock.now() < stored.expiresAt ? stored : await refreshSession(ctx, id, tenantId);
        if (
          session.status !== 'awaiting_push' ||
          session.method === null ||
          session.method === 'sms' ||
          session.method === 'email'
        )
          continue;
        out.push({
          challengeId: session.id,
          token: ctx.digests.deviceToken(session.id, session.challengeNonce),
          method: session.method,
          expiresAt: session.expiresAt,
          display: {
            technicianName: session.technician.name,
            ticketNumber: session.ticket?.number ?? null,
            companyName: session.ticket?.companyName ?? null,
          },
        });
      }
      return out.sort((a, b) => a.expiresAt - b.expiresAt);
    },
    getSession: async (input) => {
      const { actor, sessionId } = parseInput(schemas.session, input, 'getSession');
      return toSnapshot(await refreshSession(ctx, sessionId, actor.tenantId));
    },
    reportDelivery: (input) =>
      audited('delivery_report', input, none, sessionIdOf, async () => {
        const report = parseInput(schemas.report, input, 'reportDelivery');
        const session = await loadSession(ctx, report.sessionId, null);
        if (report.status === 'failed' || report.status === 'undelivered') {
          publish(ctx, 'delivery.failed', {
            ...eventBase(session, clock.now()),
            route: report.channel,
            permanent: report.permanent,
            reason: report.reason ?? report.status,
          });
        }
      }),
  };
}
