import { eventBase } from '../events.js';
import type { VerificationSession } from '../machine/session.js';
import type { TransitionResult } from '../machine/transition.js';
import { type VerificationNote, verificationNoteMarker } from '../note.js';
import type { Channel, DeliveryResult, OutboundMessage } from '../ports/channel.js';
import type { EndUser, Outcome, Route } from '../types.js';
import { emailContent, pushContent, smsText } from './messages.js';
import { pushTargets } from './routes.js';
import { callPort, publish, type Runtime, record, systemActor } from './runtime.js';

/** What a `deliver` effect found: the provider took it, or refused it for good or for now. @internal */
export interface DeliveryOutcome {
  route: Route;
  status: DeliveryResult['status'];
  /** The provider's reason when it was refused. */
  reason: string | null;
}

/** The key of an end-user's consecutive-failure counter. @internal */
export const FAILURES_KEY = (endUserId: string) => `failures:${endUserId}`;

/**
 * The one effect runner: executes every effect {@link transition} returned, in order. `deliver` sends the code the
 * effect holds (it exists nowhere else) or the push; `record_outcome` audits the outcome and writes the ticket
 * note; the failure effects move the end-user's consecutive-failure counter; `emit` publishes the event.
 * @internal
 */
export async function runEffects(
  rt: Runtime,
  result: TransitionResult,
  endUser: EndUser | null,
): Promise<DeliveryOutcome | null> {
  const session = result.session;
  const window = { windowMs: null, now: rt.clock.now() };
  let delivery: DeliveryOutcome | null = null;
  for (const effect of result.effects) {
    switch (effect.type) {
      case 'emit':
        publish(rt, effect.event.name, effect.event.payload as never);
        break;
      case 'deliver':
        if (!endUser) throw new Error('A deliver effect needs the end-user it delivers to.');
        delivery =
          effect.route === 'push'
            ? await deliverPush(rt, session, endUser)
            : await deliverCode(rt, session, endUser, effect.route, effect.code);
        break;
      case 'record_failure':
        await callPort('rate counter', 'increment', () =>
          rt.counters.increment(session.tenantId, FAILURES_KEY(session.endUser.id), window),
        );
        break;
      case 'clear_failures':
        await callPort('rate counter', 'reset', () =>
          rt.counters.reset(session.tenantId, FAILURES_KEY(session.endUser.id)),
        );
        break;
      case 'record_outcome':
        await recordOutcome(rt, session, effect.outcome);
        break;
    }
  }
  return delivery;
}

async function deliverCode(
  rt: Runtime,
  session: VerificationSession,
  user: EndUser,
  route: 'sms' | 'email',
  code: string,
): Promise<DeliveryOutcome> {
  const context = {
    code,
    technicianName: session.technician.name,
    ticketNumber: session.ticket?.number ?? null,
    companyName: session.ticket?.companyName ?? null,
    expiresInMinutes: Math.round(rt.policy.codeTtlMs / 60_000),
  };
  const common = { tenantId: session.tenantId, sessionId: session.id, context };
  const message: OutboundMessage =
    route === 'sms'
      ? { route, to: user.mobilePhone ?? '', text: smsText(rt.appName, context), ...common }
      : { route, to: user.email, ...emailContent(rt.appName, context), ...common };
  const result = await sendSafely(route === 'sms' ? rt.channels.sms : rt.channels.email, message);
  if (result.status !== 'accepted') await reportFailure(rt, session, route, result);
  return { route, status: result.status, reason: result.status === 'accepted' ? null : result.reason };
}

/**
 * Pushes to every reachable device. Accepted when one device accepted; a permanent failure when every device failed
 * for good (dead addresses are dropped from the directory when it manages devices); otherwise a transient one.
 */
async function deliverPush(
  rt: Runtime,
  session: VerificationSession,
  user: EndUser,
): Promise<DeliveryOutcome> {
  const method = session.method ?? 'push';
  const display = {
    technicianName: session.technician.name,
    ticketNumber: session.ticket?.number ?? null,
    companyName: session.ticket?.companyName ?? null,
    method,
  };
  const { title, body } = pushContent(method, display);
  const { targets } = pushTargets(rt, user);
  const directory = rt.directory;
  const results = await Promise.all(
    targets.map(async ({ device, channel }) => {
      const result = await sendSafely(channel, {
        route: 'push',
        tenantId: session.tenantId,
        device,
        challengeId: session.id,
        title,
        body,
        ttlSeconds: Math.round(rt.policy.pushTtlMs / 1000),
        display,
      });
      if (result.status !== 'accepted') await reportFailure(rt, session, 'push', result);
      // Only a dead address is dropped: a configuration error (bad provider key) would otherwise wipe every device.
      const deadAddress = result.status === 'permanent_failure' && (result.scope ?? 'address') === 'address';
      if (deadAddress && directory.capabilities.manageDevices && directory.removeDevice) {
        await callPort('directory', 'removeDevice', () =>
          directory.removeDevice!(user.tenantId, user.id, device.id),
        );
      }
      return result;
    }),
  );
  const accepted = results.some((r) => r.status === 'accepted');
  const permanent = results.length > 0 && results.every((r) => r.status === 'permanent_failure');
  const reasons = results.flatMap((r) => (r.status === 'accepted' ? [] : [r.reason]));
  return {
    route: 'push',
    status: accepted ? 'accepted' : permanent ? 'permanent_failure' : 'transient_failure',
    reason: accepted ? null : reasons.join('; ') || 'no device could be reached',
  };
}

async function sendSafely(channel: Channel | null, message: OutboundMessage): Promise<DeliveryResult> {
  if (!channel)
    return {
      status: 'permanent_failure',
      reason: `no ${message.route} channel is configured`,
      scope: 'configuration',
    };
  try {
    return await channel.send(message);
  } catch (error) {
    // A channel that throws instead of answering is treated as down for now, never as a crash of the verification.
    return { status: 'transient_failure', reason: error instanceof Error ? error.message : String(error) };
  }
}

async function reportFailure(
  rt: Runtime,
  session: VerificationSession,
  route: Route,
  result: Exclude<DeliveryResult, { status: 'accepted' }>,
): Promise<void> {
  const permanent = result.status === 'permanent_failure';
  publish(rt, 'delivery.failed', {
    ...eventBase(session, rt.clock.now()),
    route,
    permanent,
    reason: result.reason,
  });
  await record(rt, session, {
    action: 'delivery_failed',
    actor: systemActor,
    result: result.status,
    detail: {
      route,
      reason: result.reason.slice(0, 300),
      providerCode: result.providerCode ?? null,
      ...(permanent ? { scope: result.scope ?? 'address' } : {}),
    },
  });
}

/** Audits the outcome, then writes it on the ticket when the session is bound to one and the PSA can take notes. */
async function recordOutcome(rt: Runtime, session: VerificationSession, outcome: Outcome): Promise<void> {
  await record(rt, session, { action: 'outcome', actor: systemActor, result: outcome });
  const psa = rt.psa;
  if (
    !session.ticket ||
    !psa?.capabilities.writeNotes ||
    !psa.writeVerificationNote ||
    !rt.policy.writeNotes
  ) {
    return;
  }
  const note: VerificationNote = {
    ticketId: session.ticket.id,
    sessionId: session.id,
    outcome,
    method: session.method,
    endUser: session.endUser,
    technician: session.technician,
    at: 'closedAt' in session ? session.closedAt : session.updatedAt,
  };
  const base = { ...eventBase(session, rt.clock.now()), outcome };
  try {
    const { noteId, created } = await callPort(`PSA (${psa.name})`, 'writeVerificationNote', () =>
      psa.writeVerificationNote!(note),
    );
    publish(rt, 'note.written', { ...base, noteId, created });
    await record(rt, session, {
      action: 'write_note',
      actor: systemActor,
      result: 'ok',
      detail: { noteId, created, marker: verificationNoteMarker(session.id) },
    });
  } catch (error) {
    // The session's outcome stands; the failed note is announced and audited so someone can write it by hand.
    const message = error instanceof Error ? error.message : String(error);
    publish(rt, 'note.failed', { ...base, error: message });
    await record(rt, session, {
      action: 'write_note',
      actor: systemActor,
      result: 'error',
      detail: { error: message.slice(0, 300) },
    });
  }
}
