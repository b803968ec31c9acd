import { PreconditionError, RateLimitError } from '../errors.js';
import { eventBase } from '../events.js';
import type { SessionEvent } from '../machine/events.js';
import type { VerificationSession } from '../machine/session.js';
import type { DeliveryResult, OutboundMessage } from '../ports/channel.js';
import {
  type Actor,
  type CodeMode,
  type EndUser,
  type FallbackReason,
  isPushMethod,
  type Method,
} from '../types.js';
import { generateCode, generateId, maskDestination } from './codes.js';
import {
  applyEvent,
  audit,
  callPort,
  failureCount,
  publish,
  refreshSession,
  type VerifierContext,
} from './context.js';
import { emailContent, pushContent, smsText } from './messages.js';
import {
  codeRouteProblem,
  fallbackReasonText,
  fallbackRoutes,
  type PushTarget,
  pushTargets,
} from './routes.js';
import { type SessionSnapshot, toSnapshot } from './snapshot.js';

/** What {@link Verifier.send} returns. @public */
export interface SendResult {
  /** The session after the send (and any fallback). */
  session: SessionSnapshot;
  /**
   * What only the technician's screen may show: the code in `compare` mode, the number to read out for
   * `number_match`. Empty otherwise. Never log it.
   */
  display: { code?: string; matchNumber?: string };
}

type Route = 'sms' | 'email';

/** @internal */
export async function send(
  ctx: VerifierContext,
  actor: Actor,
  sessionId: string,
  method: Method,
  requestedMode: CodeMode | undefined,
): Promise<SendResult> {
  const session = await refreshSession(ctx, sessionId, actor.tenantId);
  // Push + code: only the device sees the code, so the technician can only type it (verify), never compare it.
  const codeMode = method === 'push_code' ? 'verify' : (requestedMode ?? session.codeMode);
  if (!ctx.policy.methods.includes(method)) {
    throw new PreconditionError(
      'method_unavailable',
      `The ${method} method is turned off by policy; pick another.`,
    );
  }
  if (!ctx.policy.allowedCodeModes.includes(codeMode)) {
    throw new PreconditionError('method_unavailable', `The ${codeMode} code mode is turned off by policy.`);
  }
  const user = await callPort('directory', 'getById', () =>
    ctx.directory.getById(session.tenantId, session.endUser.id),
  );
  if (!user) {
    throw new PreconditionError(
      'end_user_not_found',
      'The end-user of this verification no longer exists; start again.',
    );
  }
  const failures = await failureCount(ctx, session.tenantId, user.id);
  if (failures >= ctx.policy.maxConsecutiveFailures) {
    throw new RateLimitError(
      'end_user_locked',
      `${user.displayName} has ${failures} failed verifications in a row; an administrator must review the account before another is sent.`,
      null,
    );
  }

  // Decide the route before counting, so a request that cannot be delivered does not use up the end-user's sends.
  let route: 'push' | Route;
  let fallbackReason: FallbackReason | null = null;
  let targets: PushTarget[] = [];
  if (isPushMethod(method)) {
    const planned = ctx.channels.push.length
      ? pushTargets(ctx, user)
      : { targets: [], blocked: 'no_push_device' as const };
    targets = planned.targets;
    fallbackReason = planned.blocked;
    const next = fallbackReason ? fallbackRoutes(ctx, user)[0] : undefined;
    if (fallbackReason && !next) {
      throw new PreconditionError(
        'no_delivery_route',
        `Cannot reach ${user.displayName}: ${fallbackReasonText(fallbackReason)}, and no mobile phone or email can take a code instead.`,
      );
    }
    route = next ?? 'push';
  } else {
    route = method as Route;
    const problem = codeRouteProblem(ctx, user, route);
    if (problem) throw new PreconditionError('method_unavailable', `Cannot send by ${route}: ${problem}.`);
  }

  await spend(
    ctx,
    session,
    `qdesk:send:${session.tenantId}:${user.id}`,
    ctx.policy.sendsPerWindow,
    ctx.policy.sendWindowMs,
    'codes or pushes',
  );
  if (route === 'push') {
    await spend(
      ctx,
      session,
      `qdesk:push:${session.tenantId}:${user.id}`,
      ctx.policy.pushesPerWindow,
      ctx.policy.pushWindowMs,
      'pushes',
    );
  }

  const display: SendResult['display'] = {};
  let current: VerificationSession;
  if (route === 'push') {
    let matchNumber: string | null = null;
    const result = await applyEvent(ctx, sessionId, actor.tenantId, (_s, now): SessionEvent => {
      matchNumber = method === 'number_match' ? generateCode(ctx.random, ctx.policy.codeLength) : null;
      return {
        type: 'push_sent',
        now,
        method: method as 'push' | 'push_code' | 'number_match',
        codeMode,
        challengeNonce: generateId(ctx.random, 16),
        matchHash: matchNumber === null ? null : ctx.digests.secret('number', sessionId, matchNumber),
        expiresAt: now + ctx.policy.pushTtlMs,
      };
    });
    if (matchNumber !== null) display.matchNumber = matchNumber;
    current = result.session;
    const pushed = await deliverPush(ctx, current, user, targets);
    if (pushed) return { session: toSnapshot(current), display };
    fallbackReason = pushed === null ? 'push_failed_permanently' : 'push_unreachable';
    const chain = fallbackRoutes(ctx, user);
    if (chain.length === 0)
      return { session: toSnapshot(await fail(ctx, current, 'the push could not be delivered')), display };
    return codeChain(ctx, current, user, chain, method, fallbackReason, codeMode, display);
  }
  if (fallbackReason)
    return codeChain(
      ctx,
      session,
      user,
      fallbackRoutes(ctx, user),
      method,
      fallbackReason,
      codeMode,
      display,
    );
  return codeChain(ctx, session, user, [route], null, null, codeMode, display);
}

/** Counts one use of a windowed limit, refusing once it is spent. */
async function spend(
  ctx: VerifierContext,
  session: VerificationSession,
  key: string,
  limit: number,
  windowMs: number,
  what: string,
): Promise<void> {
  const used = await callPort('session store', 'increment', () =>
    ctx.store.increment(key, windowMs, ctx.clock.now()),
  );
  if (used > limit) {
    const minutes = Math.ceil(windowMs / 60_000);
    throw new RateLimitError(
      'rate_limited',
      `${session.endUser.displayName} was sent ${limit} ${what} in the last ${minutes} minutes; wait before sending another.`,
      windowMs,
      { details: { limit, windowMs } },
    );
  }
}

/**
 * Sends a code down each route in turn until one is accepted. The first step is a plain send (`from` null) or a
 * fallback from a push method; later steps are fallbacks from the route that failed.
 */
async function codeChain(
  ctx: VerifierContext,
  start: VerificationSession,
  user: EndUser,
  routes: Route[],
  from: Method | null,
  reason: FallbackReason | null,
  codeMode: CodeMode,
  display: SendResult['display'],
): Promise<SendResult> {
  let current = start;
  let previous: Method | null = from;
  let why: FallbackReason | null = reason;
  let lastFailure = 'no route could take the code';
  for (const route of routes) {
    const code = generateCode(ctx.random, ctx.policy.codeLength);
    const destination = route === 'sms' ? user.mobilePhone! : user.email;
    const common = {
      codeMode,
      destination: maskDestination(destination),
      codeHash: ctx.digests.secret('code', current.id, code),
    };
    const result = await applyEvent(
      ctx,
      current.id,
      current.tenantId,
      (_s, now): SessionEvent =>
        previous && why
          ? {
              type: 'fell_back',
              now,
              from: previous,
              to: route,
              reason: why,
              expiresAt: now + ctx.policy.codeTtlMs,
              ...common,
            }
          : { type: 'code_sent', now, method: route, expiresAt: now + ctx.policy.codeTtlMs, ...common },
    );
    current = result.session;
    if (previous && why) {
      await audit(ctx, current, {
        action: 'fallback',
        actor: { type: 'system', id: 'qdesk' },
        result: 'ok',
        detail: { from: previous, to: route, reason: why },
      });
    }
    const outcome = await deliverCode(ctx, current, route, code, destination);
    if (outcome.status === 'accepted') {
      if (codeMode === 'compare') display.code = code;
      return { session: toSnapshot(current), display };
    }
    lastFailure = `${route}: ${outcome.reason}`;
    previous = route;
    why = 'channel_failed';
    // A route the technician picked by name is not swapped for another; only a push's fallback chain goes on.
    if (from === null) break;
  }
  return { session: toSnapshot(await fail(ctx, current, lastFailure)), display };
}

async function fail(
  ctx: VerifierContext,
  session: VerificationSession,
  reason: string,
): Promise<VerificationSession> {
  const result = await applyEvent(ctx, session.id, session.tenantId, (_s, now) => ({
    type: 'delivery_failed',
    now,
    reason,
  }));
  return result.session;
}

async function deliverCode(
  ctx: VerifierContext,
  session: VerificationSession,
  route: Route,
  code: string,
  to: string,
): Promise<DeliveryResult> {
  const context = {
    code,
    technicianName: session.technician.name,
    ticketNumber: session.ticket?.number ?? null,
    companyName: session.ticket?.companyName ?? null,
    expiresInMinutes: Math.round(ctx.policy.codeTtlMs / 60_000),
  };
  const message: OutboundMessage =
    route === 'sms'
      ? { kind: 'sms', to, text: smsText(ctx.appName, context), sessionId: session.id, context }
      : { kind: 'email', to, ...emailContent(ctx.appName, context), sessionId: session.id, context };
  const channel = route === 'sms' ? ctx.channels.sms! : ctx.channels.email!;
  const result = await sendSafely(channel.send.bind(channel), message);
  if (result.status !== 'accepted') await reportFailure(ctx, session, route, result);
  return result;
}

/**
 * Pushes to every reachable device. Returns true when one accepted, null when every device failed permanently
 * (their addresses are dropped from the directory), false when at least one failed only for now.
 */
async function deliverPush(
  ctx: VerifierContext,
  session: VerificationSession,
  user: EndUser,
  targets: PushTarget[],
): Promise<boolean | null> {
  const display = {
    technicianName: session.technician.name,
    ticketNumber: session.ticket?.number ?? null,
    companyName: session.ticket?.companyName ?? null,
    method: session.method ?? 'push',
  };
  const { title, body } = pushContent(session.method ?? 'push', display);
  const results = await Promise.all(
    targets.map(async ({ device, channel }) => {
      const result = await sendSafely(channel.send.bind(channel), {
        kind: 'push',
        device,
        challengeId: session.id,
        title,
        body,
        ttlSeconds: Math.round(ctx.policy.pushTtlMs / 1000),
        display,
      });
      if (result.status !== 'accepted') await reportFailure(ctx, session, 'push', result);
      // Only a dead address is dropped: a configuration error (bad provider key) would otherwise wipe every device.
      const deadAddress = result.status === 'permanent_failure' && (result.scope ?? 'address') === 'address';
      if (deadAddress && ctx.directory.capabilities.manageDevices && ctx.directory.removeDevice) {
        await callPort('directory', 'removeDevice', () =>
          ctx.directory.removeDevice!(user.tenantId, user.id, device.id),
        );
      }
      return result.status;
    }),
  );
  if (results.includes('accepted')) return true;
  return results.every((s) => s === 'permanent_failure') ? null : false;
}

async function sendSafely(
  send: (m: OutboundMessage) => Promise<DeliveryResult>,
  message: OutboundMessage,
): Promise<DeliveryResult> {
  try {
    return await send(message);
  } catch (error) {
    // A channel that throws instead of answering is treated as down for now, never as a crash of the verification.
    return { status: 'transient_failure', reason: error instanceof Error ? error.message : String(error) };
  }
}

async function reportFailure(
  ctx: VerifierContext,
  session: VerificationSession,
  route: 'sms' | 'email' | 'push',
  result: Exclude<DeliveryResult, { status: 'accepted' }>,
): Promise<void> {
  const permanent = result.status === 'permanent_failure';
  publish(ctx, 'delivery.failed', {
    ...eventBase(session, ctx.clock.now()),
    route,
    permanent,
    reason: result.reason,
  });
  await audit(ctx, session, {
    action: 'delivery_failed',
    actor: { type: 'system', id: 'qdesk' },
    result: result.status,
    detail: {
      route,
      reason: result.reason.slice(0, 300),
      providerCode: result.providerCode ?? null,
      ...(result.status === 'permanent_failure' ? { scope: result.scope ?? 'address' } : {}),
    },
  });
}
