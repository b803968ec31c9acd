import { PreconditionError, RateLimitError, TransitionError } from '../../errors.js';
import type { SessionEvent } from '../../machine/events.js';
import type { VerificationSession } from '../../machine/session.js';
import { transition } from '../../machine/transition.js';
import {
  type Actor,
  type CodeMode,
  type EndUser,
  type FallbackReason,
  isPushMethod,
  type Method,
} from '../../types.js';
import { generateCode, generateId, maskDestination } from '../codes.js';
import { claimKey, counterKey, requireUnlocked } from '../counters.js';
import { codeRouteProblem, fallbackReasonText, fallbackRoutes, pushTargets } from '../routes.js';
import {
  callPort,
  commit,
  deadline,
  type OperationRecord,
  type Runtime,
  refresh,
  requireOwner,
  scoped,
  systemActor,
  technicianActor,
} from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The send operation: check policy and limits, pick the route, then commit one transition per attempt: a push, or
// a code; when a push cannot be delivered, a code down each fallback route in turn. The effect runner delivers what
// each transition asks for and says whether the provider took it.

/** What {@link Verifier.send} returns. @public */
export interface SendResult {
  /** The session after the send (and any fallback). */
  session: SessionSnapshot;
  /**
   * What only the technician's screen may show: the code in `compare` mode (for push + code, the code the device
   * shows after its Approve), the number to read out for `number_match`. Empty otherwise. Never log it.
   */
  display: { code?: string; matchNumber?: string };
  /** True when this send repeated an earlier one with the same idempotency key: nothing new was sent or shown. */
  replayed: boolean;
}

type CodeRoute = 'sms' | 'email';

export async function send(
  base: Runtime,
  actor: Actor,
  sessionId: string,
  method: Method,
  requestedMode: CodeMode | undefined,
  sendKey: string | null,
): Promise<SendResult> {
  const session = await refresh(base, actor.tenantId, sessionId);
  requireOwner(session, actor);
  if (sendKey !== null && (await claimKey(base, session.tenantId, `send-key:${session.id}`, sendKey)) > 1) {
    // A send with the same key (a double click, a retried request) came first: it sends; this one reports what is
    // there. The claim outlives the session, so one atomic counter covers sequential and concurrent repeats.
    return { session: toSnapshot(session), display: {}, replayed: true };
  }
  const rt = await scoped(base, session.tenantId, session.customerId);
  if (session.purpose === 'reverse' && method !== 'number_match') {
    throw new PreconditionError(
      'A reverse verification is a number match: the end-user types the number you read out.',
      {
        code: 'method_unavailable',
      },
    );
  }
  // The first send fixes the code mode: the machine refuses another one (found by the probe below, before quota).
  // Push + code in compare mode: the technician's screen shows the code the device shows after its Approve.
  const codeMode = requestedMode ?? session.codeMode;
  if (!rt.policy.methods.includes(method)) {
    throw new PreconditionError(
      `The ${method} method is turned off by this customer's policy; pick another.`,
      {
        code: 'method_unavailable',
      },
    );
  }
  if (!rt.policy.allowedCodeModes.includes(codeMode)) {
    throw new PreconditionError(`The ${codeMode} code mode is turned off by this customer's policy.`, {
      code: 'method_unavailable',
    });
  }
  const user = await callPort('directory', 'getById', () =>
    rt.directory.getById(session.tenantId, session.endUser.id),
  );
  if (!user) {
    throw new PreconditionError('The end-user of this verification no longer exists; start again.', {
      code: 'end_user_not_found',
    });
  }
  await requireUnlocked(rt, session.tenantId, user.id, user.displayName);

  // Decide the route before counting, so a request that cannot be delivered does not use up the end-user's sends.
  const blocked: FallbackReason | null = isPushMethod(method)
    ? rt.channels.push.length
      ? pushTargets(rt, user).blocked
      : 'no_push_device'
    : null;
  const fallbacks = fallbackRoutes(rt, user);
  // A reverse verification has no code to fall back to: without the app, an SMS points the end-user to the
  // self-serve page where the request waits (the push step's delivery sends it).
  const reverseBySms = blocked !== null && session.purpose === 'reverse';
  if (reverseBySms && codeRouteProblem(rt, user, 'sms') !== null) {
    throw new PreconditionError(
      `Cannot reach ${user.displayName}: ${fallbackReasonText(blocked!)}, and no mobile phone can take an SMS pointing to the self-serve page. Ask them to open the self-serve page and allow notifications, then start the check again.`,
      { code: 'no_delivery_route' },
    );
  }
  if (blocked && fallbacks.length === 0 && session.purpose !== 'reverse') {
    throw new PreconditionError(
      `Cannot reach ${user.displayName}: ${fallbackReasonText(blocked)}, and no mobile phone or email can take a code instead.`,
      { code: 'no_delivery_route' },
    );
  }
  if (!isPushMethod(method)) {
    const problem = codeRouteProblem(rt, user, method);
    if (problem) {
      throw new PreconditionError(`Cannot send by ${method}: ${problem}.`, { code: 'method_unavailable' });
    }
  }
  const pushing = isPushMethod(method) && (blocked === null || reverseBySms);
  // A send the session's state refuses (closed, a push already out, another code mode) spends no quota.
  const now = rt.clock.now();
  const probe: SessionEvent = pushing
    ? {
        type: 'push_sent',
        now,
        method: method as 'push',
        codeMode,
        challengeNonce: '',
        matchHash: '',
        expiresAt: now + 1,
      }
    : ({
        type: blocked ? 'fell_back' : 'code_sent',
        now,
        ...(blocked ? { from: method, to: fallbacks[0]!, reason: blocked } : { method: method as 'sms' }),
        codeMode,
        destination: '',
        code: '',
        codeHash: '',
        expiresAt: now + 1,
      } as SessionEvent);
  const refusal = transition(session, probe).rejection;
  if (refusal) {
    throw new TransitionError(refusal.message, {
      code: refusal.code,
      details: { sessionId, status: session.status },
    });
  }
  await spend(
    rt,
    session,
    user,
    'sends',
    rt.policy.sendsPerWindow,
    rt.policy.sendWindowMs,
    'codes or pushes',
  );
  if (pushing)
    await spend(rt, session, user, 'pushes', rt.policy.pushesPerWindow, rt.policy.pushWindowMs, 'pushes');

  const operation: OperationRecord = {
    action: 'send',
    actor: technicianActor(actor),
    detail: { requested: method },
  };
  const display: SendResult['display'] = {};
  if (!isPushMethod(method)) {
    return sendCodes(rt, session, user, [method], null, null, codeMode, display, operation);
  }
  if (blocked && !reverseBySms) {
    return sendCodes(rt, session, user, fallbacks, method, blocked, codeMode, display, operation);
  }

  const matchNumber = method === 'number_match' ? generateCode(rt.random, rt.policy.codeLength) : null;
  const challengeNonce = generateId(rt.random, 16);
  const pushed = await commit(
    rt,
    session,
    (current, now) => ({
      type: 'push_sent',
      now,
      method,
      codeMode,
      challengeNonce,
      matchHash: matchNumber === null ? null : rt.digests.secret('number', sessionId, matchNumber),
      expiresAt: deadline(rt, current, now, rt.policy.pushTtlMs),
    }),
    operation,
    user,
  );
  if (pushed.delivery?.status === 'accepted') {
    // The number to read out only matters while the push can be answered: a fallback to a code drops it.
    const compareCode =
      method === 'push_code' && codeMode === 'compare'
        ? rt.digests.pushCode(sessionId, challengeNonce, rt.policy.codeLength)
        : null;
    return {
      session: toSnapshot(pushed.session),
      display: matchNumber !== null ? { matchNumber } : compareCode !== null ? { code: compareCode } : {},
      replayed: false,
    };
  }
  const why: FallbackReason =
    pushed.delivery?.status === 'permanent_failure' ? 'push_failed_permanently' : 'push_unreachable';
  if (session.purpose === 'reverse') {
    // A reverse verification has no code to fall back to: the end-user answers in the self-serve page.
    const failed = await commit(
      rt,
      pushed.session,
      (_s, at) => ({
        type: 'delivery_failed',
        now: at,
        reason: `push: ${pushed.delivery?.reason ?? 'not delivered'}`,
      }),
      null,
    );
    return { session: toSnapshot(failed.session), display: {}, replayed: false };
  }
  return sendCodes(rt, pushed.session, user, fallbacks, method, why, codeMode, display, null);
}

/** The send's own record for the first step; a `fall_back` record by QDesk for each later one. */
function recordFor(
  operation: OperationRecord | null,
  fallback: { from: Method; to: CodeRoute; reason: FallbackReason } | null,
): OperationRecord {
  if (!operation) return { action: 'fall_back', actor: systemActor, detail: { ...fallback } };
  return fallback ? { ...operation, detail: { ...operation.detail, ...fallback } } : operation;
}

/** Counts one use of a windowed per-end-user limit, refusing once it is spent. */
async function spend(
  rt: Runtime,
  session: VerificationSession,
  user: EndUser,
  counter: 'sends' | 'pushes',
  limit: number,
  windowMs: number,
  what: string,
): Promise<void> {
  const used = await callPort('rate counter', 'increment', () =>
    rt.counters.increment(session.tenantId, counterKey(counter, user.id), { windowMs, now: rt.clock.now() }),
  );
  if (used > limit) {
    throw new RateLimitError(
      `${session.endUser.displayName} was sent ${limit} ${what} in the last ${Math.ceil(windowMs / 60_000)} minutes; wait before sending another.`,
      { code: 'rate_limited', retryAfterMs: windowMs, details: { limit, windowMs } },
    );
  }
}

/**
 * Sends a code down each route in turn until a provider accepts one. The first step is a plain send (`from` null)
 * or a fallback from a push method; later steps are fallbacks from the route that failed. A route the technician
 * picked by name is never swapped for another; only a push's fallback chain goes on.
 */
async function sendCodes(
  rt: Runtime,
  start: VerificationSession,
  user: EndUser,
  routes: CodeRoute[],
  from: Method | null,
  reason: FallbackReason | null,
  codeMode: CodeMode,
  display: SendResult['display'],
  operation: OperationRecord | null,
): Promise<SendResult> {
  let current = start;
  let previous = from;
  let why = reason;
  let lastFailure = 'no route could take the code';
  for (const route of routes) {
    const code = generateCode(rt.random, rt.policy.codeLength);
    const fields = {
      codeMode,
      destination: maskDestination(route === 'sms' ? user.mobilePhone! : user.email),
      code,
      codeHash: rt.digests.secret('code', current.id, code),
    };
    const fellBack = previous !== null && why !== null;
    const sent = await commit(
      rt,
      current,
      (s, now): SessionEvent =>
        fellBack
          ? {
              type: 'fell_back',
              now,
              from: previous!,
              to: route,
              reason: why!,
              expiresAt: deadline(rt, s, now, rt.policy.codeTtlMs),
              ...fields,
            }
          : {
              type: 'code_sent',
              now,
              method: route,
              expiresAt: deadline(rt, s, now, rt.policy.codeTtlMs),
              ...fields,
            },
      recordFor(operation, fellBack ? { from: previous!, to: route, reason: why! } : null),
      user,
    );
    operation = null;
    current = sent.session;
    if (sent.delivery?.status === 'accepted') {
      if (codeMode === 'compare') display.code = code;
      return { session: toSnapshot(current), display, replayed: false };
    }
    lastFailure = `${route}: ${sent.delivery?.reason ?? 'not delivered'}`;
    if (from === null) break;
    previous = route;
    why = 'channel_failed';
  }
  const failed = await commit(
    rt,
    current,
    (_s, now) => ({ type: 'delivery_failed', now, reason: lastFailure }),
    null,
  );
  return { session: toSnapshot(failed.session), display, replayed: false };
}
