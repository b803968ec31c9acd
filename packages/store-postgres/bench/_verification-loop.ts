// One complete verification on store-postgres for the bench: startForEndUser -> send SMS -> checkCode, over 1,000
// end-users served in turn (so the per-end-user send limit holds), as core's own bench does.
import { randomBytes } from 'node:crypto';
import { type Channel, createVerifier, type Verifier } from '@qdesk/core';
import { createDemoData, createMemoryPsa } from '@qdesk/core/memory';
import type { Database } from '../src/database.js';
import { createPostgresStores } from '../src/stores.js';

export const USERS = 1000;

/** An SMS channel that keeps each session's code until the bench reads it (concurrent sessions, one phone). */
function codeChannel(): Channel & { take(sessionId: string): string } {
  const codes = new Map<string, string>();
  let sent = 0;
  return {
    specificationVersion: 'v1',
    route: 'sms',
    name: 'bench-sms',
    async send(message) {
      if (message.route === 'sms' && 'code' in message.context) {
        codes.set(message.sessionId, message.context.code);
      }
      return { status: 'accepted', providerMessageId: `bench-${++sent}` };
    },
    take(sessionId) {
      const code = codes.get(sessionId) ?? '';
      codes.delete(sessionId);
      return code;
    },
  };
}

/** A verifier on every store of `database`, 1,000 end-users in its directory, and one verification as a function. */
export async function verificationLoop(database: Database): Promise<() => Promise<void>> {
  const demo = createDemoData();
  const { sessions, counters, audit, policies, directory, mappings } = createPostgresStores(database);
  await directory.putMany(
    Array.from({ length: USERS }, (_, i) => ({
      ...demo.endUsers[0]!,
      id: `eu-${i}`,
      email: `user${i}@example.com`,
    })),
  );
  const sms = codeChannel();
  const verifier: Verifier = createVerifier({
    secret: randomBytes(32),
    directory,
    psa: createMemoryPsa(demo),
    contactLinks: mappings,
    store: sessions,
    counters,
    audit,
    policies,
    channels: { sms },
    policy: { sendsPerWindow: 100, sendWindowMs: 1000 },
  });
  const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Bench' };
  let turn = 0;
  return async function oneVerification() {
    // Consecutive turns are distinct end-users, so verifications in flight together never share one.
    const endUserId = `eu-${turn++ % USERS}`;
    const { session } = await verifier.startForEndUser({ actor, endUserId });
    await verifier.send({ actor, sessionId: session.id, method: 'sms' });
    const r = await verifier.checkCode({ actor, sessionId: session.id, code: sms.take(session.id) });
    if (!r.correct || r.session.status !== 'approved') throw new Error('verification failed');
  };
}
