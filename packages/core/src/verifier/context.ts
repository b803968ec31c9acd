import { EventEmitter } from 'node:events';
import type TypedEmitter from 'typed-emitter';
import { AdapterError, isQdeskError, NotFoundError, QdeskError, TransitionError } from '../errors.js';
import { eventBase, type VerifierEvents } from '../events.js';
import type { SessionEvent } from '../machine/events.js';
import { isTerminalStatus, type VerificationSession } from '../machine/session.js';
import { type TransitionResult, transition } from '../machine/transition.js';
import type { MappingStore } from '../matching/mapping-store.js';
import type { AuditLog, AuditRecord } from '../ports/audit-log.js';
import type { Channel } from '../ports/channel.js';
import type { EndUserDirectory } from '../ports/directory.js';
import type { PsaAdapter } from '../ports/psa.js';
import type { Clock, Random } from '../ports/runtime.js';
import type { SessionStore } from '../ports/session-store.js';
import type { Digests } from './codes.js';
import type { VerificationPolicy } from './config.js';
import { OUTCOME_TEXT } from './outcome-text.js';

/** Everything the verifier's operations share. @internal */
export interface VerifierContext {
  policy: VerificationPolicy;
  digests: Digests;
  store: SessionStore;
  directory: EndUserDirectory;
  psa: PsaAdapter | null;
  mappings: MappingStore | null;
  channels: { sms: Channel | null; email: Channel | null; push: Channel[] };
  audit: AuditLog;
  clock: Clock;
  random: Random;
  events: TypedEmitter<VerifierEvents>;
  appName: string;
}

/** @internal */
export function createEmitter(): TypedEmitter<VerifierEvents> {
  return new EventEmitter() as TypedEmitter<VerifierEvents>;
}

/** Sessions are kept this long after their deadline so history and late device responses still read. */
export const SESSION_RETENTION_MS = 24 * 60 * 60_000;
const MAX_CAS_ATTEMPTS = 100;

/**
 * Runs a port call so that any failure surfaces as one error type with the original as `cause`; a `QdeskError` the
 * port threw on purpose passes through unchanged.
 * @internal
 */
export async function callPort<T>(port: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isQdeskError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AdapterError('adapter_failed', `The ${port} failed during ${operation}: ${reason}`, {
      cause: error,
      details: { port, operation },
    });
  }
}

/** Reads a session of `tenantId` (any tenant when `null`) or throws {@link NotFoundError}. @internal */
export async function loadSession(
  ctx: VerifierContext,
  sessionId: string,
  tenantId: string | null,
): Promise<VerificationSession> {
  const session = await callPort('session store', 'get', () => ctx.store.get(sessionId));
  // Another tenant's session reads exactly like a missing one, so ids cannot be probed across tenants.
  if (!session || (tenantId !== null && session.tenantId !== tenantId)) {
    throw new NotFoundError(
      'session_not_found',
      'No verification with that id; it may have been removed. Start a new one.',
      {
        details: { sessionId },
      },
    );
  }
  return session;
}

/**
 * Applies the event built from the current session, stores it with compare-and-set and runs the effects. On a
 * version conflict it re-reads and rebuilds, so concurrent callers serialise without losing an update.
 * A refused event throws {@link TransitionError} (after storing the expiry when the deadline had passed).
 * @internal
 */
export async function applyEvent(
  ctx: VerifierContext,
  sessionId: string,
  tenantId: string | null,
  build: (session: VerificationSession, now: number) => SessionEvent,
): Promise<TransitionResult> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const current = await loadSession(ctx, sessionId, tenantId);
    const now = ctx.clock.now();
    const result = isTerminalStatus(current.status)
      ? transition(current, { type: 'tick', now })
      : transition(current, build(current, now));
    if (result.changed) {
      const stored = await callPort('session store', 'compareAndSet', () =>
        ctx.store.compareAndSet(result.session, current.version, SESSION_RETENTION_MS),
      );
      if (!stored) continue;
      await runEffects(ctx, result);
    }
    if (isTerminalStatus(current.status)) {
      throw new TransitionError(
        'session_closed',
        `This verification is already ${current.status}; start a new one.`,
        {
          details: { sessionId, status: current.status },
        },
      );
    }
    if (result.rejection) {
      throw new TransitionError(result.rejection.code, result.rejection.message, {
        details: { sessionId, status: result.session.status },
      });
    }
    return result;
  }
  throw new QdeskError('conflict', 'The verification changed too often to apply this action; try again.', {
    details: { sessionId },
  });
}

/** Reads a session and stores its expiry if its deadline has passed (so the outcome is recorded once). @internal */
export async function refreshSession(
  ctx: VerifierContext,
  sessionId: string,
  tenantId: string | null,
): Promise<VerificationSession> {
  const current = await loadSession(ctx, sessionId, tenantId);
  if (isTerminalStatus(current.status) || ctx.clock.now() < current.expiresAt) return current;
  try {
    return (await applyEvent(ctx, sessionId, tenantId, (_s, now) => ({ type: 'tick', now }))).session;
  } catch (error) {
    if (error instanceof TransitionError) return loadSession(ctx, sessionId, tenantId);
    throw error;
  }
}

const failureKey = (s: VerificationSession) => `qdesk:fail:${s.tenantId}:${s.endUser.id}`;

/** Consecutive failures of an end-user so far. @internal */
export function failureCount(ctx: VerifierContext, tenantId: string, endUserId: string): Promise<number> {
  return callPort('session store', 'count', () =>
    ctx.store.count(`qdesk:fail:${tenantId}:${endUserId}`, Number.POSITIVE_INFINITY, ctx.clock.now()),
  );
}

/** Runs the machine's effects other than `deliver` (which the send operation runs, as only it holds the code). @internal */
export async function runEffects(ctx: VerifierContext, result: TransitionResult): Promise<void> {
  const session = result.session;
  for (const effect of result.effects) {
    switch (effect.type) {
      case 'emit':
        publish(ctx, effect.event.name, effect.event.payload);
        break;
      case 'record_failure':
        await callPort('session store', 'increment', () =>
          ctx.store.increment(failureKey(session), Number.POSITIVE_INFINITY, ctx.clock.now()),
        );
        break;
      case 'clear_failures':
        await callPort('session store', 'resetCounter', () => ctx.store.resetCounter(failureKey(session)));
        break;
      case 'write_outcome':
        await writeOutcome(ctx, session, effect.outcome);
        break;
      case 'deliver':
        break;
    }
  }
}

/** Emits an event; a throwing listener must not undo or interrupt a stored change. @internal */
export function publish<K extends keyof VerifierEvents>(
  ctx: VerifierContext,
  name: K,
  payload: Parameters<VerifierEvents[K]>[0],
): void {
  try {
    (ctx.events.emit as (n: K, p: Parameters<VerifierEvents[K]>[0]) => boolean)(name, payload);
  } catch {
    // Listener errors are the listener's to handle.
  }
}

async function writeOutcome(
  ctx: VerifierContext,
  session: VerificationSession,
  outcome: keyof typeof OUTCOME_TEXT,
): Promise<void> {
  const base = { ...eventBase(session, ctx.clock.now()), outcome };
  await audit(ctx, session, { action: 'outcome', actor: { type: 'system', id: 'qdesk' }, result: outcome });
  const psa = ctx.psa;
  if (!session.ticket || !psa?.capabilities.writeNotes || !ctx.policy.writeNotes) return;
  const ticketId = session.ticket.id;
  try {
    const { noteId, created } = await psa.writeVerificationNote({
      ticketId,
      sessionId: session.id,
      outcome,
      outcomeText: OUTCOME_TEXT[outcome],
      method: session.method,
      endUser: session.endUser,
      technician: session.technician,
      at: 'closedAt' in session ? session.closedAt : session.updatedAt,
    });
    publish(ctx, 'outcome.written', { ...base, noteId, created });
    await audit(ctx, session, {
      action: 'write_note',
      actor: { type: 'system', id: 'qdesk' },
      result: 'ok',
      detail: { noteId },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    publish(ctx, 'outcome.write_failed', { ...base, error: message });
    await audit(ctx, session, {
      action: 'write_note',
      actor: { type: 'system', id: 'qdesk' },
      result: 'error',
      detail: { error: message.slice(0, 300) },
    });
  }
}

// Audit ids only need to be unique and ordered, not secret: a per-process random prefix and a counter.
const auditPrefix = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
let auditCounter = 0;
const nextAuditId = () => `au_${auditPrefix}_${(auditCounter++).toString(36)}`;

/** The fields of an audit record an operation supplies; the rest come from the session. @internal */
export interface AuditEntry {
  action: string;
  actor: AuditRecord['actor'];
  result: string;
  detail?: AuditRecord['detail'];
}

/** Appends one audit record about `session` (or about an operation that never reached one). @internal */
/** The session fields an audit record reads: a stored session or a snapshot of one. @internal */
export type AuditSubject = Pick<
  VerificationSession,
  'id' | 'tenantId' | 'ticket' | 'endUser' | 'method' | 'status'
>;

export async function audit(
  ctx: VerifierContext,
  session: AuditSubject | { tenantId: string; id?: undefined },
  entry: AuditEntry,
): Promise<void> {
  const full = 'endUser' in session ? session : null;
  const record: AuditRecord = {
    id: nextAuditId(),
    at: ctx.clock.now(),
    tenantId: session.tenantId,
    sessionId: full?.id ?? null,
    action: entry.action,
    actor: entry.actor,
    ticketId: full?.ticket?.id ?? null,
    ticketNumber: full?.ticket?.number ?? null,
    endUserId: full?.endUser.id ?? null,
    method: full?.method ?? null,
    result: entry.result,
    status: full?.status ?? null,
    ...(entry.detail ? { detail: entry.detail } : {}),
  };
  await callPort('audit log', 'append', () => ctx.audit.append(record));
}
