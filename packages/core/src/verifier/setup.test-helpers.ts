import { createDemoData } from '../demo/data.js';
import { VERIFIER_EVENT_NAMES, type VerifierEventName } from '../events.js';
import { createMemoryAuditLog } from '../memory/audit-log.js';
import { createMemoryDirectory } from '../memory/directory.js';
import { createOutboxChannel } from '../memory/outbox-channel.js';
import { createMemoryPsa } from '../memory/psa.js';
import { createManualClock } from '../memory/runtime.js';
import { createMemorySessionStore } from '../memory/session-store.js';
import type { Actor } from '../types.js';
import type { VerificationPolicy, VerifierConfig } from './config.js';
import { createVerifier } from './create-verifier.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export function setup(
  policy: Partial<VerificationPolicy> = {},
  extra: Pick<VerifierConfig, 'contactLinks'> = {},
) {
  const demo = createDemoData();
  const clock = createManualClock();
  const store = createMemorySessionStore({ now: clock.now });
  const directory = createMemoryDirectory(demo.endUsers);
  const psa = createMemoryPsa(demo);
  const audit = createMemoryAuditLog();
  const sms = createOutboxChannel('sms', { now: clock.now });
  const email = createOutboxChannel('email', { now: clock.now });
  const push = createOutboxChannel('push', { now: clock.now });
  const verifier = createVerifier({
    secret: SECRET,
    directory,
    psa,
    store,
    audit,
    clock,
    channels: { sms, email, push },
    policy,
    ...extra,
  });
  const actor: Actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam Rivera' };
  const events: { name: VerifierEventName; payload: unknown }[] = [];

  for (const name of VERIFIER_EVENT_NAMES)
    verifier.events.on(name, (payload: unknown) => events.push({ name, payload }));
  const lastCode = (channel = sms) => {
    const m = channel.last()?.message;
    if (!m || m.route === 'push') throw new Error('no code message sent');
    return m.context.code;
  };
  const challengeFor = async (endUserId: string) => {
    const [challenge] = await verifier.pendingChallenges({ tenantId: demo.tenantId, endUserId });
    if (!challenge) throw new Error(`no pending challenge for ${endUserId}`);
    return challenge;
  };
  return {
    demo,
    clock,
    store,
    directory,
    psa,
    audit,
    sms,
    email,
    push,
    verifier,
    actor,
    events,
    lastCode,
    challengeFor,
  };
}

/** A different code of the same length. */
export const wrongCode = (code: string) =>
  code
    .split('')
    .map((d) => String((Number(d) + 1) % 10))
    .join('');
