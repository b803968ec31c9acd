import type { Actor } from '../../types.js';
import { reserveCheck } from '../counters.js';
import { parseDigits } from '../inputs.js';
import { commit, load, type Runtime, requireOwner, scoped, technicianActor } from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The check-code operation: the technician types the code the caller read back; its keyed digest goes to the
// machine, which counts the attempt, compares in constant time and approves, keeps waiting or denies.

/** What {@link Verifier.checkCode} returns. @public */
export interface CheckCodeResult {
  /** Whether the code matched. */
  correct: boolean;
  /** Checks left before the session is denied (0 once closed). */
  attemptsLeft: number;
  /** The session after the check: `approved`, still waiting, or `denied` after the last allowed attempt. */
  session: SessionSnapshot;
}

export async function checkCode(
  base: Runtime,
  actor: Actor,
  sessionId: string,
  code: string,
): Promise<CheckCodeResult> {
  const stored = await load(base, actor.tenantId, sessionId);
  requireOwner(stored, actor);
  const rt = await scoped(base, stored.tenantId, stored.customerId);
  const digits = parseDigits(code, rt.policy.codeLength, 'code');
  // Counted before it is made, so parallel checks never exceed the consecutive-failure cap.
  await reserveCheck(rt, stored.tenantId, stored.endUser.id, stored.endUser.displayName);
  const result = await commit(
    rt,
    stored,
    (session, now) => {
      requireOwner(session, actor);
      return { type: 'code_submitted', now, codeHash: rt.digests.secret('code', session.id, digits) };
    },
    { action: 'check_code', actor: technicianActor(actor) },
  );
  const check = result.check ?? { correct: false, attempts: 0, attemptsLeft: 0 };
  const open = result.session.status === 'sent' || result.session.status === 'awaiting_code';
  return {
    correct: check.correct,
    attemptsLeft: open ? check.attemptsLeft : 0,
    session: toSnapshot(result.session),
  };
}
