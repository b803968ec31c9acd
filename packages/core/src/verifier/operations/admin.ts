import { ConfigError, ForbiddenError, fieldIssues, TransitionError } from '../../errors.js';
import type { PolicyRecord } from '../../ports/policy-store.js';
import type { Actor } from '../../types.js';
import { counterKey } from '../counters.js';
import {
  layerPolicy,
  type PolicySettings,
  policyProblems,
  type RiskAcceptance,
  settingsSchema,
  type VerificationPolicy,
  type WeakerChoice,
  weakerChoicesOf,
} from '../policy.js';
import {
  callPort,
  commit,
  type Runtime,
  record,
  refresh,
  requireOwner,
  scoped,
  sessionTechnician,
  technicianActor,
} from '../runtime.js';
import { type SessionSnapshot, toSnapshot } from '../snapshot.js';

// The administrators' operations: read and change a customer's policy, unlock an end-user after too many failed
// checks, and hand a verification over to another technician. Each is audited with what it changed, before and after.

/** A customer's policy as an administrator sees it: what is in force, and the layer stored for it. @public */
export interface PolicyView {
  /** The customer, or `null` for the tenant's default layer. */
  customerId: string | null;
  /** The policy a verification of that customer runs under now (every layer applied). */
  effective: VerificationPolicy;
  /** The layer stored for exactly this customer (or the tenant), or `null` when none is. */
  stored: PolicyRecord | null;
}

/** What {@link Verifier.setPolicy} takes. @public */
export interface PolicyChange {
  /** The administrator (role `admin`). */
  actor: Actor;
  /** The customer whose layer changes, or `null` for the tenant's default layer. */
  customerId: string | null;
  /** The fields this layer sets from now on (replacing the stored layer's fields); omit `riskAcceptances`. */
  settings: Omit<PolicySettings, 'riskAcceptances'>;
  /**
   * Risk acceptances for weaker choices the settings turn on, each with the reason; recorded with the
   * administrator as `acceptedBy` and now as `acceptedAt`. Acceptances already stored for choices still in use are
   * kept.
   */
  accept?: { choice: WeakerChoice; reason: string }[];
  /** The stored layer's version this change was made against (0 when none was stored), to refuse lost updates. */
  expectedVersion?: number;
}

export function requireAdmin(actor: Actor, what: string): void {
  if (actor.role === 'admin') return;
  throw new ForbiddenError(
    `Only an administrator may ${what}; ask one, or sign in with an administrator account.`,
    {
      code: 'forbidden',
      details: { reason: 'admin_required' },
    },
  );
}

export async function getPolicy(rt: Runtime, actor: Actor, customerId: string | null): Promise<PolicyView> {
  const stored = await callPort('policy store', 'get', () => rt.policies.get(actor.tenantId, customerId));
  const effective = (await scoped(rt, actor.tenantId, customerId)).policy;
  return { customerId, effective, stored };
}

const changedMeanwhile = (customerId: string | null) =>
  new TransitionError(
    'The policy was changed by someone else meanwhile; reload it and make your change again.',
    {
      code: 'conflict',
      details: { customerId },
    },
  );

export async function setPolicy(rt: Runtime, change: PolicyChange): Promise<PolicyView> {
  const { actor, customerId } = change;
  requireAdmin(actor, 'change a verification policy');
  const settings = settingsSchema.omit({ riskAcceptances: true }).safeParse(change.settings);
  if (!settings.success)
    throw ConfigError.fromIssues('policy settings', fieldIssues(settings.error, 'settings'));
  const before = await callPort('policy store', 'get', () => rt.policies.get(actor.tenantId, customerId));
  const version = before?.version ?? 0;
  if (change.expectedVersion !== undefined && change.expectedVersion !== version) {
    throw changedMeanwhile(customerId);
  }
  const now = rt.clock.now();
  const by = { id: actor.technicianId, name: actor.technicianName };
  const accepted: RiskAcceptance[] = (change.accept ?? []).map((a) => ({
    ...a,
    acceptedBy: by,
    acceptedAt: now,
  }));
  const keep = (before?.settings.riskAcceptances ?? []).filter(
    (a) => !accepted.some((n) => n.choice === a.choice),
  );
  const next: PolicySettings = { ...settings.data, riskAcceptances: [...keep, ...accepted] };
  const lower =
    customerId === null
      ? null
      : await callPort('policy store', 'get', () => rt.policies.get(actor.tenantId, null));
  const effective = layerPolicy(rt.basePolicy, lower?.settings ?? null, next);
  // Only acceptances for choices the policy turns on are kept: a stale acceptance must not enable a choice later.
  const inUse = new Set(weakerChoicesOf(effective));
  next.riskAcceptances = next.riskAcceptances!.filter((a) => inUse.has(a.choice));
  const problems = policyProblems(layerPolicy(rt.basePolicy, lower?.settings ?? null, next));
  const checked = settingsSchema.safeParse(next);
  if (problems.length || !checked.success) {
    throw ConfigError.fromIssues('policy', [
      ...problems,
      ...(checked.success ? [] : fieldIssues(checked.error, 'settings')),
    ]);
  }
  const stored: PolicyRecord = {
    tenantId: actor.tenantId,
    customerId,
    version: version + 1,
    settings: checked.data,
    updatedAt: now,
    updatedBy: by,
  };
  const written = await callPort('policy store', 'put', () => rt.policies.put(stored, version));
  if (!written) {
    throw changedMeanwhile(customerId);
  }
  await record(
    rt,
    { tenantId: actor.tenantId },
    {
      action: 'policy_change',
      actor: technicianActor(actor),
      result: 'ok',
      detail: {
        customerId,
        version: stored.version,
        before: JSON.stringify(before?.settings ?? null),
        after: JSON.stringify(stored.settings),
      },
    },
  );
  return getPolicy(rt, actor, customerId);
}

export async function unlockEndUser(
  rt: Runtime,
  actor: Actor,
  endUserId: string,
  reason: string,
): Promise<{ failuresBefore: number }> {
  requireAdmin(actor, 'unlock an end-user');
  const key = counterKey('failures', endUserId);
  const failuresBefore = await callPort('rate counter', 'count', () =>
    rt.counters.count(actor.tenantId, key, { windowMs: null, now: rt.clock.now() }),
  );
  await callPort('rate counter', 'reset', () => rt.counters.reset(actor.tenantId, key));
  await record(
    rt,
    { tenantId: actor.tenantId },
    {
      action: 'unlock',
      actor: technicianActor(actor),
      result: 'ok',
      detail: { endUserId, reason, before: failuresBefore, after: 0 },
    },
  );
  return { failuresBefore };
}

/** Hands a verification in progress to the acting technician; audited with the technician before and after. */
export async function takeOver(
  base: Runtime,
  actor: Actor,
  sessionId: string,
  reason: string,
): Promise<SessionSnapshot> {
  const current = await refresh(base, actor.tenantId, sessionId);
  if (current.technician.id === actor.technicianId) return toSnapshot(current);
  const rt = await scoped(base, current.tenantId, current.customerId);
  const before = current.technician;
  const result = await commit(
    rt,
    current,
    (_s, now) => ({ type: 'handed_over', now, to: sessionTechnician(actor) }),
    {
      action: 'take_over',
      actor: technicianActor(actor),
      detail: { reason, before: before.id, after: actor.technicianId },
    },
  );
  requireOwner(result.session, actor);
  return toSnapshot(result.session);
}
