import { RateLimitError } from '../errors.js';
import { MAX_SESSION_LIFETIME_MS } from '../machine/session.js';
import { callPort, type Runtime } from './runtime.js';

// The per-end-user counters the verifier keeps through the RateCounter port: sends, pushes and consecutive failed
// checks, plus idempotency keys claimed atomically.

/**
 * The key of a per-end-user counter: the counter's name, then the id percent-encoded, so no id (one holding `:`)
 * can reach another counter's key. @internal
 */
export const counterKey = (counter: 'sends' | 'pushes' | 'failures', endUserId: string) =>
  `${counter}:${encodeURIComponent(endUserId)}`;

/**
 * Claims an idempotency key atomically through the rate counter: 1 for the first caller, more for every repeat
 * within the longest a session lives. @internal
 */
export function claimKey(rt: Runtime, tenantId: string, scope: string, key: string): Promise<number> {
  return callPort('rate counter', 'increment', () =>
    rt.counters.increment(tenantId, `${scope}:${encodeURIComponent(key)}`, {
      windowMs: MAX_SESSION_LIFETIME_MS,
      now: rt.clock.now(),
    }),
  );
}

/**
 * Refuses when the end-user has `maxConsecutiveFailures` failed checks in a row (until a success or an
 * administrator's unlock). @internal
 */
export async function requireUnlocked(
  rt: Runtime,
  tenantId: string,
  endUserId: string,
  name: string,
): Promise<void> {
  const failures = await callPort('rate counter', 'count', () =>
    rt.counters.count(tenantId, counterKey('failures', endUserId), { windowMs: null, now: rt.clock.now() }),
  );
  if (failures >= rt.policy.maxConsecutiveFailures) throw locked(rt, name);
}

const locked = (rt: Runtime, name: string) =>
  new RateLimitError(
    `${name} has ${rt.policy.maxConsecutiveFailures} failed checks in a row; an administrator must review the account and unlock it before another code is sent or checked.`,
    { code: 'end_user_locked', retryAfterMs: null },
  );

/**
 * Counts one failed check before the check is made, refusing once the cap is reached: parallel checks therefore
 * never evaluate more than `maxConsecutiveFailures` wrong answers. A correct answer resets the counter (the
 * machine's `clear_failures`), so counting it first costs nothing. @internal
 */
export async function reserveCheck(
  rt: Runtime,
  tenantId: string,
  endUserId: string,
  name: string,
): Promise<void> {
  const count = await callPort('rate counter', 'increment', () =>
    rt.counters.increment(tenantId, counterKey('failures', endUserId), {
      windowMs: null,
      now: rt.clock.now(),
    }),
  );
  if (count > rt.policy.maxConsecutiveFailures) throw locked(rt, name);
}
