import type { SessionEvent } from '../../machine/events.js';
import type { Actor } from '../../types.js';
import { commit, type Runtime, technicianActor } from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The technician's decisions: approve after comparing codes by eye (compare mode only), deny, or cancel. Each is
// one transition; the machine refuses what the session's state does not allow.

const EVENTS = {
  approve: (now: number): SessionEvent => ({ type: 'technician_approved', now }),
  deny: (now: number): SessionEvent => ({ type: 'technician_denied', now }),
  cancel: (now: number): SessionEvent => ({ type: 'cancelled', now, by: 'technician' }),
};

export async function decide(
  rt: Runtime,
  decision: keyof typeof EVENTS,
  actor: Actor,
  sessionId: string,
): Promise<SessionSnapshot> {
  const result = await commit(rt, actor.tenantId, sessionId, (_s, now) => EVENTS[decision](now), {
    action: decision,
    actor: technicianActor(actor),
  });
  return toSnapshot(result.session);
}
