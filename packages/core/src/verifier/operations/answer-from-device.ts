import { AuthenticationError, TransitionError } from '../../errors.js';
import type { SessionEvent } from '../../machine/events.js';
import type { SessionStatus, VerificationSession } from '../../machine/session.js';
import { generateCode } from '../codes.js';
import { reserveCheck } from '../counters.js';
import { parseDigits } from '../inputs.js';
import { commit, deadline, load, type Runtime, scoped } from '../runtime.js';

// The device-answer operation: the end-user's app answers a push with Approve, Deny or the number the technician
// read out. The answer is authenticated by the challenge token (derived from the session's nonce under the server
// key, never stored); for push + code, an Approve makes a code that only the device shows.

/** A device's answer to a push challenge, authenticated by the challenge token. @public */
export type DeviceAnswer =
  | { tenantId: string; sessionId: string; token: string; answer: 'approve' }
  | { tenantId: string; sessionId: string; token: string; answer: 'deny' }
  | { tenantId: string; sessionId: string; token: string; answer: 'number'; number: string };

/** What {@link Verifier.answerFromDevice} returns to the device. @public */
export interface DeviceAnswerResult {
  /** Status after the answer. */
  status: SessionStatus;
  /** For `push_code` after Approve: the code the end-user reads to the technician. Show it once; never log it. */
  code?: string;
}

const closed = (session: VerificationSession) =>
  new TransitionError(`This request is no longer waiting for an answer (${session.status}).`, {
    code: 'session_closed',
  });

export async function answerFromDevice(base: Runtime, answer: DeviceAnswer): Promise<DeviceAnswerResult> {
  const session = await load(base, answer.tenantId, answer.sessionId);
  const rt = await scoped(base, session.tenantId, session.customerId);
  const number =
    answer.answer === 'number' ? parseDigits(answer.number, rt.policy.codeLength, 'number') : null;
  if (
    session.status !== 'awaiting_push' ||
    !rt.digests.checkDeviceToken(session.id, session.challengeNonce, answer.token)
  ) {
    // A wrong token on a challenge that is (or could become) open reads as unauthorized; a closed one says so.
    if (['awaiting_push', 'idle', 'sent'].includes(session.status)) {
      throw new AuthenticationError('This challenge token is not valid for this request; refresh the app.');
    }
    throw closed(session);
  }
  // A typed number is a check like a code: counted first, so parallel answers never exceed the failure cap.
  if (number !== null)
    await reserveCheck(rt, session.tenantId, session.endUser.id, session.endUser.displayName);
  let code: string | undefined;
  const result = await commit(
    rt,
    session,
    (current, now): SessionEvent => {
      // The token was checked against this challenge: a newer push (another nonce) must be answered anew.
      if (current.status !== 'awaiting_push' || current.challengeNonce !== session.challengeNonce)
        throw closed(current);
      if (answer.answer === 'deny') return { type: 'device_denied', now };
      if (number !== null) {
        return { type: 'number_submitted', now, numberHash: rt.digests.secret('number', current.id, number) };
      }
      if (current.method !== 'push_code')
        return { type: 'device_approved', now, codeHash: null, expiresAt: null };
      // Compare mode: the code the technician's screen got at send, derived again from this challenge's nonce.
      code =
        current.codeMode === 'compare'
          ? rt.digests.pushCode(current.id, current.challengeNonce, rt.policy.codeLength)
          : generateCode(rt.random, rt.policy.codeLength);
      return {
        type: 'device_approved',
        now,
        codeHash: rt.digests.secret('code', current.id, code),
        expiresAt: deadline(rt, current, now, rt.policy.codeTtlMs),
      };
    },
    {
      action: 'device_answer',
      actor: { type: 'device', id: session.endUser.id },
      detail: { answer: answer.answer },
    },
  );
  const status = result.session.status;
  return code && status === 'awaiting_code' ? { status, code } : { status };
}
