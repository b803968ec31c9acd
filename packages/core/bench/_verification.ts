// One complete SMS verification (start -> send -> right code) through createVerifier with memory defaults, over 1,000
// end-users served in turn so the per-end-user send limit stays in force. Shared by run.ts and where-time-goes.ts.
import { randomBytes } from 'node:crypto';
import { createVerifier, type Random } from '@qdesk/core';
import {
  createDemoData,
  createMemoryDirectory,
  createMemoryPsa,
  createOutboxChannel,
  cryptoRandom,
} from '@qdesk/core/memory';

export function createVerificationLoop(random: Random = cryptoRandom) {
  const demo = createDemoData();
  const users = Array.from({ length: 1000 }, (_, i) => ({
    ...demo.endUsers[0]!,
    id: `eu-${i}`,
    email: `user${i}@example.com`,
  }));
  const sms = createOutboxChannel('sms');
  const verifier = createVerifier({
    secret: randomBytes(32),
    directory: createMemoryDirectory(users),
    psa: createMemoryPsa(demo),
    channels: { sms },
    random,
    policy: { sendsPerWindow: 100, sendWindowMs: 1000 },
  });
  const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Bench' };
  let turn = 0;
  return async function oneVerification(): Promise<void> {
    const { session } = await verifier.startForEndUser({ actor, endUserId: `eu-${turn++ % users.length}` });
    await verifier.send({ actor, sessionId: session.id, method: 'sms' });
    const m = sms.last()!.message;
    const code = m.route === 'sms' && 'code' in m.context ? m.context.code : '';
    const r = await verifier.checkCode({ actor, sessionId: session.id, code });
    if (!r.correct) throw new Error('verification failed');
    sms.clear();
  };
}
