import { NotFoundError } from '../../errors.js';
import type { SessionStatus } from '../../machine/session.js';
import { type OutcomeReason, outcomeReasonOf } from '../../note.js';
import { callPort, type Runtime, refresh } from '../runtime.js';

// The pending-challenges operation: the push challenges waiting for one end-user, for the self-serve app to list
// (it polls, because notifications can be off). Each carries the token the app presents with its answer.

/** A push challenge waiting on an end-user's device, as the self-serve app lists it. @public */
export interface PendingChallenge {
  /** Challenge (session) id. */
  challengeId: string;
  /** Token the device presents with its answer. Give it only to the signed-in end-user's app. */
  token: string;
  /** The method: approve/deny, approve then read a code, or type the technician's number. */
  method: 'push' | 'push_code' | 'number_match';
  /**
   * `verify`: the technician checks the end-user. `reverse`: the end-user checks the technician calling them (the app
   * says "This is <technician> from <MSP>"; typing the number they read proves the caller is that technician).
   */
  purpose: 'verify' | 'reverse';
  /** Epoch milliseconds when the challenge expires. */
  expiresAt: number;
  /** Who asks, for which ticket and company. */
  display: {
    technicianName: string;
    ticketNumber: string | null;
    companyName: string | null;
    mspName: string;
  };
}

export async function pendingChallenges(
  rt: Runtime,
  tenantId: string,
  endUserId: string,
): Promise<PendingChallenge[]> {
  const active = await callPort('session store', 'listActive', () =>
    rt.store.listActive(tenantId, endUserId),
  );
  const out: PendingChallenge[] = [];
  for (const stored of active) {
    if (stored.tenantId !== tenantId || stored.endUser.id !== endUserId) continue;
    // A challenge whose deadline passed is recorded as expired here, so its outcome is written once.
    const session = rt.clock.now() < stored.expiresAt ? stored : await refresh(rt, tenantId, stored.id);
    if (session.status !== 'awaiting_push') continue;
    const method = session.method;
    if (method !== 'push' && method !== 'push_code' && method !== 'number_match') continue;
    out.push({
      challengeId: session.id,
      token: rt.digests.deviceToken(session.id, session.challengeNonce),
      method,
      purpose: session.purpose,
      expiresAt: session.expiresAt,
      display: {
        technicianName: session.technician.name,
        ticketNumber: session.ticket?.number ?? null,
        companyName: session.ticket?.companyName ?? null,
        mspName: rt.mspName,
      },
    });
  }
  return out.sort((a, b) => a.expiresAt - b.expiresAt);
}

/** Where one of an end-user's own requests stands, for their app after it left the pending list. @public */
export interface ChallengeState {
  /** Challenge (session) id. */
  challengeId: string;
  /** Status as it reads now (a passed deadline reads, and is recorded, as `expired`). */
  status: SessionStatus;
  /** Why it closed (cancelled, superseded, a wrong number...), or `null` while it is open. */
  reason: OutcomeReason | null;
}

/**
 * One of the end-user's own requests, as their app may know it: the status and why it closed, nothing else. A
 * session of another end-user reads exactly like a missing one (`session_not_found`), so no id tells whose it is.
 */
export async function challengeState(
  rt: Runtime,
  tenantId: string,
  endUserId: string,
  sessionId: string,
): Promise<ChallengeState> {
  const notFound = () =>
    new NotFoundError('No request of yours has that id; check the list of requests again.', {
      code: 'session_not_found',
      details: { sessionId },
    });
  let session: Awaited<ReturnType<typeof refresh>>;
  try {
    session = await refresh(rt, tenantId, sessionId);
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound();
    throw error;
  }
  if (session.endUser.id !== endUserId) throw notFound();
  return { challengeId: session.id, status: session.status, reason: outcomeReasonOf(session) };
}
