import { EventEmitter } from 'node:events';
import { AdapterError, ForbiddenError, NotFoundError, TransitionError } from '../errors.js';
import type { VerifierEventMap, VerifierEventName, VerifierEvents } from '../events.js';
import type { SessionEvent } from '../machine/events.js';
import type { SessionTechnician } from '../machine/session.js';
import { isTerminalStatus, type VerificationSession } from '../machine/session.js';
import { type TransitionResult, transition } from '../machine/transition.js';
import type { AuditActor, AuditLog, AuditRecord } from '../ports/audit-log.js';
import type { Channel } from '../ports/channel.js';
import type { ContactLinks } from '../ports/contact-links.js';
import type { EndUserDirectory } from '../ports/directory.js';
import type { PolicyStore } from '../ports/policy-store.js';
import type { PsaAdapter } from '../ports/psa.js';
import type { RateCounter } from '../ports/rate-counter.js';
import type { Clock, Random } from '../ports/runtime.js';
import type { SessionStore } from '../ports/session-store.js';
import type { Actor, EndUser } from '../types.js';
import type { Digests } from './codes.js';
import { type DeliveryOutcome, runEffects } from './effects.js';
import { layerPolicy, policyProblems, type VerificationPolicy, weakerChoicesOf } from './policy.js';

/**
 * What every operation shares: the ports, the policy, the keyed digests and the event emitter. Operations read and
 * change sessions only through {@link load}, {@link refresh} and {@link commit}.
 * @internal
 */
export interface Runtime {
  /** The policy in force for the operation at hand: the configuration's, or a customer's once {@link scoped}. */
  policy: VerificationPolicy;
  /** The configuration's policy: the bottom layer of every customer's. */
  basePolicy: VerificationPolicy;
  policies: PolicyStore;
  digests: Digests;
  store: SessionStore;
  counters: RateCounter;
  directory: EndUserDirectory;
  psa: PsaAdapter | null;
  contactLinks: ContactLinks | null;
  channels: { sms: Channel | null; email: Channel | null; push: Channel[] };
  audit: AuditLog;
  clock: Clock;
  random: Random;
  events: VerifierEvents & EventEmitter;
  appName: string;
  /** The MSP's name in reverse verification messages. */
  mspName: string;
  /** The self-serve page, for messages that link to it. */
  selfServeUrl: string | null;
}

/** @internal */
export function createEvents(): VerifierEvents & EventEmitter {
  return new EventEmitter() as VerifierEvents & EventEmitter;
}

/** Sessions are kept this long after their deadline so history and late device answers still read. @internal */
export const SESSION_RETENTION_MS = 24 * 60 * 60_000;
const MAX_CAS_ATTEMPTS = 100;

/**
 * The deadline of a step that starts at `now`: `stepMs` later, but never past `codeTtlMs` after the session was
 * created, whatever resends, pushes and fallbacks happened in between (NIST SP 800-63B: a secret is valid for at
 * most 10 minutes). @internal
 */
export const deadline = (rt: Runtime, session: { createdAt: number }, now: number, stepMs: number): number =>
  Math.min(now + stepMs, session.createdAt + rt.policy.codeTtlMs);

/**
 * The runtime with the policy of one customer: the configuration's policy, then the tenant's stored layer, then the
 * customer's. A weaker choice whose risk acceptance is gone (an administrator removed it in a lower layer) is
 * dropped rather than allowed: a policy never grows weaker by accident. @internal
 */
export async function scoped(rt: Runtime, tenantId: string, customerId: string | null): Promise<Runtime> {
  const [tenant, customer] = await Promise.all([
    callPort('policy store', 'get', () => rt.policies.get(tenantId, null)),
    customerId === null ? null : callPort('policy store', 'get', () => rt.policies.get(tenantId, customerId)),
  ]);
  if (!tenant && !customer) return rt.policy === rt.basePolicy ? rt : { ...rt, policy: rt.basePolicy };
  return {
    ...rt,
    policy: enforceAcceptances(
      layerPolicy(rt.basePolicy, tenant?.settings ?? null, customer?.settings ?? null),
    ),
  };
}

function enforceAcceptances(policy: VerificationPolicy): VerificationPolicy {
  if (policyProblems(policy).length === 0) return policy;
  const accepted = new Set(policy.riskAcceptances.map((a) => a.choice));
  const off = new Set(weakerChoicesOf(policy).filter((c) => !accepted.has(c)));
  const methods = policy.methods.filter((m) => !((m === 'push' || m === 'email') && off.has(m)));
  const modes = policy.allowedCodeModes.filter((m) => !(m === 'compare' && off.has('compare')));
  return {
    ...policy,
    methods: methods.length ? methods : ['number_match'],
    fallback: policy.fallback.filter((r) => !(r === 'email' && off.has('email_fallback'))),
    allowedCodeModes: modes.length ? modes : ['verify'],
    codeMode: modes.includes(policy.codeMode) ? policy.codeMode : 'verify',
  };
}

/**
 * Only the session's own technician acts on it; another technician of the tenant must take it over first (an
 * audited action). @internal
 */
export function requireOwner(session: VerificationSession, actor: Actor): void {
  if (session.technician.id === actor.technicianId) return;
  throw new ForbiddenError(
    `This verification belongs to ${session.technician.name}. Take it over (an audited action) to act on it, or start your own.`,
    { code: 'forbidden', details: { sessionId: session.id, reason: 'not_session_technician' } },
  );
}

/** The audit actor for QDesk itself. @internal */
export const systemActor: AuditActor = Object.freeze({ type: 'system', id: 'qdesk' });

/** The audit actor for a technician. @internal */
export const technicianActor = (actor: { technicianId: string; technicianName: string }): AuditActor => ({
  type: 'technician',
  id: actor.technicianId,
  name: actor.technicianName,
});

/** The session's technician for an actor (the email only when the sign-in gave one). @internal */
export const sessionTechnician = (actor: Actor): SessionTechnician => ({
  id: actor.technicianId,
  name: actor.technicianName,
  ...(actor.technicianEmail ? { email: actor.technicianEmail } : {}),
});

/** Every port call goes through {@link AdapterError.wrap}: one error type, the original as `cause`. @internal */
export const callPort = AdapterError.wrap;

/** Reads a session of that tenant or throws {@link NotFoundError}; another tenant's session reads as missing. @internal */
export async function load(rt: Runtime, tenantId: string, sessionId: string): Promise<VerificationSession> {
  const session = await callPort('session store', 'get', () => rt.store.get(tenantId, sessionId));
  if (!session || session.tenantId !== tenantId) {
    throw new NotFoundError('No verification with that id; it may have been removed. Start a new one.', {
      code: 'session_not_found',
      details: { sessionId },
    });
  }
  return session;
}

/** What the operation that caused a transition records about itself. @internal */
export interface OperationRecord {
  action: AuditRecord['action'];
  actor: AuditActor;
  detail?: AuditRecord['detail'];
}

/** A stored transition with what running its effects found. @internal */
export interface Committed extends TransitionResult {
  /** What `deliver` found, when the transition delivered something. */
  delivery: DeliveryOutcome | null;
}

/**
 * The effect runner's entry: builds the event from the session (`read`, the copy the operation just read, on the
 * first attempt: a stale copy costs only a retry, since compare-and-set refuses it), applies {@link transition}, stores the
 * result with compare-and-set (re-reading and rebuilding on a version conflict, so concurrent callers serialise
 * without losing an update), appends the operation's audit record, then runs every effect in order. Audit records
 * therefore appear in causal order: the operation first, then the outcome and the note it caused.
 *
 * A refused event throws {@link TransitionError} after the expiry it may have caused is stored and run.
 * @internal
 */
export async function commit(
  rt: Runtime,
  read: VerificationSession,
  build: (session: VerificationSession, now: number) => SessionEvent,
  operation: OperationRecord | null,
  endUser: EndUser | null = null,
): Promise<Committed> {
  const { tenantId, id: sessionId } = read;
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const current = attempt === 0 ? read : await load(rt, tenantId, sessionId);
    const now = rt.clock.now();
    const closed = isTerminalStatus(current.status);
    const result = closed
      ? transition(current, { type: 'tick', now })
      : transition(current, build(current, now));
    let delivery: DeliveryOutcome | null = null;
    if (result.changed) {
      const stored = await callPort('session store', 'compareAndSet', () =>
        rt.store.compareAndSet(result.session, current.version, { retainMs: SESSION_RETENTION_MS }),
      );
      if (!stored) continue;
      // A passed deadline closes the session instead of applying the operation: that is what gets recorded.
      const expired = result.session.status === 'expired';
      const entry = expired ? { action: 'expire' as const, actor: systemActor } : operation;
      // A code check records what it found (never the code): right or wrong, and the checks left.
      const check = result.check && {
        correct: result.check.correct,
        attemptsLeft: result.check.attemptsLeft,
      };
      if (entry)
        await record(rt, result.session, check ? { ...entry, detail: { ...entry.detail, ...check } } : entry);
      delivery = await runEffects(rt, result, endUser);
    }
    if (closed) {
      throw new TransitionError(`This verification is already ${current.status}; start a new one.`, {
        code: 'session_closed',
        details: { sessionId, status: current.status },
      });
    }
    if (result.rejection) {
      throw new TransitionError(result.rejection.message, {
        code: result.rejection.code,
        details: { sessionId, status: result.session.status },
      });
    }
    return { ...result, delivery };
  }
  throw new TransitionError('The verification changed too often to apply this action; try again.', {
    code: 'conflict',
    details: { sessionId },
  });
}

/** Reads a session and stores its expiry when its deadline has passed, so the outcome is recorded once. @internal */
export async function refresh(
  rt: Runtime,
  tenantId: string,
  sessionId: string,
): Promise<VerificationSession> {
  const current = await load(rt, tenantId, sessionId);
  if (isTerminalStatus(current.status) || rt.clock.now() < current.expiresAt) return current;
  try {
    return (await commit(rt, current, (_s, now) => ({ type: 'tick', now }), null)).session;
  } catch (error) {
    if (error instanceof TransitionError) return load(rt, tenantId, sessionId);
    throw error;
  }
}

/** Emits an event; a throwing listener must not undo or interrupt a stored change. @internal */
export function publish<K extends VerifierEventName>(
  rt: Runtime,
  name: K,
  payload: VerifierEventMap[K],
): void {
  try {
    rt.events.emit(name, payload);
  } catch {
    // Listener errors are the listener's to handle.
  }
}

// Audit ids only need to be unique and ordered, not secret: a per-process random prefix and a counter.
const auditPrefix = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
let auditCounter = 0;

/** The session fields an audit record reads: a stored session or a snapshot of one. @internal */
export type AuditSubject = Pick<
  VerificationSession,
  'id' | 'tenantId' | 'customerId' | 'ticket' | 'endUser' | 'method' | 'status'
>;

/** Appends one audit record about `subject` (a session, or only a tenant when no session was reached). @internal */
export async function record(
  rt: Runtime,
  subject: AuditSubject | { tenantId: string },
  entry: OperationRecord & { result?: string },
): Promise<void> {
  const session = 'endUser' in subject ? subject : null;
  const audit: AuditRecord = {
    id: `au_${auditPrefix}_${(auditCounter++).toString(36)}`,
    at: rt.clock.now(),
    tenantId: subject.tenantId,
    sessionId: session?.id ?? null,
    action: entry.action,
    actor: entry.actor,
    ticketId: session?.ticket?.id ?? null,
    ticketNumber: session?.ticket?.number ?? null,
    endUserId: session?.endUser.id ?? null,
    ...(session ? { customerId: session.customerId } : {}),
    method: session?.method ?? null,
    result: entry.result ?? session?.status ?? 'ok',
    status: session?.status ?? null,
    ...(entry.detail ? { detail: entry.detail } : {}),
  };
  await callPort('audit log', 'append', () => rt.audit.append(audit));
}
