import { callPort, type Runtime, refresh, scoped } from '../runtime.js';

// The sweep operation: gives every session past its deadline its `expired` outcome (audit record, event, note on the
// ticket). Expiry is lazy, so a session nobody reads again would otherwise never get one. Each close goes through
// compare-and-set, so any number of instances may sweep at once and every outcome is still recorded exactly once.

/** What {@link Verifier.sweep} did. @public */
export interface SweepResult {
  /** Sessions found past their deadline that are now closed as expired (by this call or a concurrent one). */
  expired: number;
  /** True when more sessions were due than `limit`: call again. */
  more: boolean;
}

export async function sweep(rt: Runtime, limit: number): Promise<SweepResult> {
  const now = rt.clock.now();
  const due = await callPort('session store', 'listDue', () => rt.store.listDue(now, limit));
  let expired = 0;
  for (const stored of due) {
    const policyRt = await scoped(rt, stored.tenantId, stored.customerId);
    const after = await refresh(policyRt, stored.tenantId, stored.id);
    if (after.status === 'expired') expired++;
  }
  return { expired, more: due.length >= limit };
}
