import { eventBase } from '../events.js';
import type { VerificationSession } from '../machine/session.js';
import type { TransitionResult } from '../machine/transition.js';
import { outcomeReasonOf, type VerificationNote, verificationNoteMarker } from '../note.js';
import type { Channel, DeliveryResult, NoticeMessageContext, OutboundMessage } from '../ports/channel.js';
import type { EndUser, Outcome, Route } from '../types.js';
import { counterKey } from './counters.js';
import { failureReason, providerCodeOf } from './delivery-failures.js';
import { emailContent, pushContent, reverseNoticeText, smsText } from './messages.js';
import { weakerChoicesUsed } from './policy.js';
import { pushTargets } from './routes.js';
import { callPort, publish, type Runtime, record, systemActor } from './runtime.js';

/** What a `deliver` effect found: the provider took it, or refused it for good or for now. @internal */
export interface DeliveryOutcome {
  route: Route;
  status: DeliveryResult['status'];
  /** Why it was refused, in QDesk's fixed words (see {@link failureReason}), or `null` when accepted. */
  reason: string | null;
}

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
      case 'clear_failures':
        await callPort('rate counter', 'reset', () =>
          rt.counters.reset(session.tenantId, counterKey('failures', session.endUser.id)),
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
    ...lifetimeLeft(rt, session),
  };
  const common = { tenantId: session.tenantId, sessionId: session.id, context };
  const message: OutboundMessage =
    route === 'sms'
      ? { route, to: user.mobilePhone ?? '', text: smsText(rt.appName, context), ...common }
      : { route, to: user.email, ...emailContent(rt.appName, context), ...common };
  return deliverMessage(rt, session, route === 'sms' ? rt.channels.sms : rt.channels.email, message);
}

/** What a message says about its deadline: the session's, as minutes left and as the instant itself. */
const lifetimeLeft = (rt: Runtime, session: VerificationSession) => ({
  expiresInMinutes: Math.max(1, Math.ceil((session.expiresAt - rt.clock.now()) / 60_000)),
  expiresAt: session.expiresAt,
});

/** Sends one SMS or email, audits and announces a refusal, and says what happened in QDesk's words. */
async function deliverMessage(
  rt: Runtime,
  session: VerificationSession,
  channel: Channel | null,
  message: Exclude<OutboundMessage, { route: 'push' }>,
): Promise<DeliveryOutcome> {
  const result = await sendSafely(channel, message);
  if (result.status === 'accepted') return { route: message.route, status: 'accepted', reason: null };
  await reportFailure(rt, session, message.route, result);
  return { route: message.route, status: result.status, reason: failureReason(result) };
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
  const { targets } = pushTargets(rt, user);
  if (targets.length === 0 && session.purpose === 'reverse') return deliverReverseNotice(rt, session, user);
  const method = session.method ?? 'push';
  const display = {
    technicianName: session.technician.name,
    ticketNumber: session.ticket?.number ?? null,
    companyName: session.ticket?.companyName ?? null,
    method,
  };
  const { title, body } = pushContent(
    method,
    display,
    session.purpose === 'reverse' ? { mspName: rt.mspName } : null,
  );
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
  const reasons = [...new Set(results.flatMap((r) => (r.status === 'accepted' ? [] : [failureReason(r)])))];
  return {
    route: 'push',
    status: accepted ? 'accepted' : permanent ? 'permanent_failure' : 'transient_failure',
    reason: accepted ? null : reasons.join('; ') || 'no device could be reached',
  };
}

/** A reverse verification for an end-user without the app: an SMS that points to the self-serve page, no code. */
async function deliverReverseNotice(
  rt: Runtime,
  session: VerificationSession,
  user: EndUser,
): Promise<DeliveryOutcome> {
  const context: NoticeMessageContext = {
    kind: 'reverse_notice',
    technicianName: session.technician.name,
    mspName: rt.mspName,
    ticketNumber: session.ticket?.number ?? null,
    link: rt.selfServeUrl,
    ...lifetimeLeft(rt, session),
  };
  return deliverMessage(rt, session, rt.channels.sms, {
    route: 'sms',
    tenantId: session.tenantId,
    to: user.mobilePhone ?? '',
    text: reverseNoticeText(context),
    sessionId: session.id,
    context,
  });
}

async function sendSafely(channel: Channel | null, message: OutboundMessage): Promise<DeliveryResult> {
  if (!channel)
    return {
      status: 'permanent_failure',
      reason: 'no channel is configured for this route',
      scope: 'configuration',
    };
  try {
    return await channel.send(message);
  } catch {
    // A channel that throws instead of answering is treated as down for now, never as a crash of the verification.
    // Its message is not kept: it could quote what was being sent.
    return { status: 'transient_failure', reason: 'the channel threw instead of answering' };
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
    reason: failureReason(result),
  });
  await record(rt, session, {
    action: 'delivery_failed',
    actor: systemActor,
    result: result.status,
    detail: {
      route,
      reason: failureReason(result),
      providerCode: providerCodeOf(result.providerCode),
      ...(permanent ? { scope: result.scope ?? 'address' } : {}),
    },
  });
}

/** Audits the outcome, then writes it on the ticket when the session is bound to one and the PSA can take notes. */
async function recordOutcome(rt: Runtime, session: VerificationSession, outcome: Outcome): Promise<void> {
  const weaker = weakerChoicesUsed(session);
  const reason = outcomeReasonOf(session);
  await record(rt, session, {
    action: 'outcome',
    actor: systemActor,
    result: outcome,
    detail: {
      ...(reason ? { reason } : {}),
      purpose: session.purpose,
      codeMode: session.codeMode,
      ...(weaker.length ? { weaker: weaker.join(',') } : {}),
      ...(session.override ? { override: session.override.reason } : {}),
    },
  });
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
    purpose: session.purpose,
    weaker,
    override: session.override,
    ...(reason ? { reason } : {}),
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
