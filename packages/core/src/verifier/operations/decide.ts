import type { SessionEvent } from '../../machine/events.js';
import type { Actor } from '../../types.js';
import { commit, load, type Runtime, requireOwner, scoped, technicianActor } from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The technician's decisions: approve after comparing codes by eye (compare mode only), deny, or cancel. Each is
// one transition; the machine refuses what the session's state does not allow.

const EVENTS = {
  approve: (now: number): SessionEvent => ({ type: 'technician_approved', now }),
  deny: (now: number): SessionEvent => ({ type: 'technician_denied', now }),
  cancel: (now: number): SessionEvent => ({ type: 'cancelled', now, by: 'technician' }),
};

export async function decide(
  base: Runtime,
  decision: keyof typeof EVENTS,
  actor: Actor,
  sessionId: string,
): Promise<SessionSnapshot> {
  const stored = await load(base, actor.tenantId, sessionId);
  requireOwner(stored, actor);
  const rt = await scoped(base, stored.tenantId, stored.customerId);
  const build = (session: Parameters<typeof requireOwner>[0], now: number) => {
    requireOwner(session, actor);
    return EVENTS[decision](now);
  };
  const result = await commit(rt, stored, build, {
    action: decision,
    actor: technicianActor(actor),
  });
  return toSnapshot(result.session);
}
