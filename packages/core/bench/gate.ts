// `pnpm bench` runs this after run.ts: the cost of the reset gate and of per-customer policy.
// 1. A grant issued (`requireVerified`) and spent (`verifyGrant`) through the verifier, beside the floor a user could
//    pick instead: a bare `jose` HS256 sign + verify of the same claims, with none of QDesk's checks (no approved
//    verification looked up, no single-use counter, no audit record).
// 2. Complete verifications with the end-user's customer holding a stored policy layer, beside the configuration's
//    policy alone: what resolving a customer's policy per operation costs.
import { randomBytes } from 'node:crypto';
import { type Actor, createVerifier, type Verifier } from '@qdesk/core';
import {
  createDemoData,
  createMemoryDirectory,
  createMemoryPolicyStore,
  createMemoryPsa,
  createOutboxChannel,
  type OutboxChannel,
} from '@qdesk/core/memory';
import { jwtVerify, SignJWT } from 'jose';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const perSecond = async (n: number, run: (i: number) => Promise<void>) => {
  for (let i = 0; i < Math.min(200, n); i++) await run(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await run(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
};

/** One complete SMS verification: start, send, the right code. */
async function verifyBySms(
  v: Verifier,
  outbox: OutboxChannel,
  start: { actor: Actor; endUserId: string; ticketId?: string },
): Promise<void> {
  const { session } = await v.startForEndUser(start);
  await v.send({ actor: start.actor, sessionId: session.id, method: 'sms' });
  const m = outbox.last()!.message;
  const code = m.route === 'sms' && 'code' in m.context ? m.context.code : '';
  await v.checkCode({ actor: start.actor, sessionId: session.id, code });
  outbox.clear();
}

// ---------------------------------------------------------------- 1. grants
const demo = createDemoData();
const links = {
  specificationVersion: 'v1' as const,
  endUserForContact: async () => null,
  customerForCompany: async (_t: string, companyId: string) =>
    companyId === '101' ? { customerId: 'cust-northwind' } : null,
};
const GRANTS = 2_000;
const users = Array.from({ length: GRANTS + 200 }, (_, i) => ({
  ...demo.endUsers[0]!,
  id: `eu-${i}`,
  email: `user${i}@example.com`,
}));
const sms = createOutboxChannel('sms');
const secret = randomBytes(32);
// One ticket per end-user, as on a real helpdesk (a ticket holds a handful of verifications, not thousands).
const tickets = users.map((_, i) => ({
  id: `t-${i}`,
  number: `T2026.${i}`,
  title: 'Password reset',
  companyId: '101',
  contactId: null,
}));
const verifier = createVerifier({
  secret,
  directory: createMemoryDirectory(users),
  psa: createMemoryPsa({ ...demo, tickets }),
  contactLinks: links,
  channels: { sms },
  policy: { sendsPerWindow: 1000 },
});
const actor: Actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Bench' };
// Each grant needs its own approved verification (one grant per verification and action): approve them first.
for (let i = 0; i < users.length; i++) {
  await verifyBySms(verifier, sms, { actor, endUserId: `eu-${i}`, ticketId: `t-${i}` });
}
let issued = 0;
const ours = await perSecond(GRANTS, async () => {
  const n = issued++;
  const { grant } = await verifier.requireVerified({
    tenantId: demo.tenantId,
    endUserId: `eu-${n}`,
    ticketId: `t-${n}`,
    action: 'reset_password',
    within: 60 * 60_000,
  });
  await verifier.verifyGrant({ grant, action: 'reset_password' });
});
const key = new Uint8Array(randomBytes(32));
const bare = await perSecond(GRANTS, async (i) => {
  const jws = await new SignJWT({ tkt: '1001', act: 'reset_password' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`eu-${i}`)
    .setJti(`g-${i}`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
  await jwtVerify(jws, key, { algorithms: ['HS256'] });
});

// ---------------------------------------------------------------- 2. per-customer policy
async function verificationsPerSecond(withLayer: boolean): Promise<number> {
  const policies = createMemoryPolicyStore();
  const outbox = createOutboxChannel('sms');
  const v = createVerifier({
    secret,
    directory: createMemoryDirectory(users.map((u) => ({ ...u, customerId: 'cust-northwind' }))),
    channels: { sms: outbox },
    policies,
    policy: { sendsPerWindow: 1000 },
  });
  if (withLayer) {
    const admin: Actor = { ...actor, technicianId: 'admin', role: 'admin' };
    await v.setPolicy({
      actor: admin,
      customerId: 'cust-northwind',
      settings: { maxAttempts: 4, codeLength: 7 },
    });
  }
  return perSecond(5_000, (i) => verifyBySms(v, outbox, { actor, endUserId: `eu-${i % users.length}` }));
}
// Alternating runs, best of two each, so JIT warm-up does not favour whichever runs second.
let configured = 0;
let layered = 0;
for (let round = 0; round < 2; round++) {
  configured = Math.max(configured, await verificationsPerSecond(false));
  layered = Math.max(layered, await verificationsPerSecond(true));
}

console.log('\n3. The reset gate: a grant issued and spent, per second');
console.log(
  `   requireVerified + verifyGrant ${fmt(ours).padStart(10)} grants/s  (looks up the approval, signs, spends once, audits twice)`,
);
console.log(
  `   bare jose sign + verify       ${fmt(bare).padStart(10)} grants/s  (the floor: no lookup, no single use, no audit)`,
);
console.log(`   QDesk / bare                  ${(ours / bare).toFixed(2).padStart(10)}x`);
console.log('\n4. Per-customer policy: complete SMS verifications per second');
console.log(`   configuration policy only     ${fmt(configured).padStart(10)} verifications/s`);
const slower = (100 * (configured - layered)) / configured;
console.log(
  `   customer layer stored         ${fmt(layered).padStart(10)} verifications/s  (${slower > 0 ? `${slower.toFixed(0)}% slower` : 'no slower, within noise'}: the layers are read on every operation)`,
);
