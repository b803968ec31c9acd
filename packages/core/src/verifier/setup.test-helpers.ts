import { createDemoData } from '../demo/data.js';
import { VERIFIER_EVENT_NAMES, type VerifierEventName } from '../events.js';
import { createMemoryAuditLog } from '../memory/audit-log.js';
import { createMemoryDirectory } from '../memory/directory.js';
import { createOutboxChannel } from '../memory/outbox-channel.js';
import { createMemoryPsa } from '../memory/psa.js';
import { createManualClock } from '../memory/runtime.js';
import { createMemorySessionStore } from '../memory/session-store.js';
import type { ContactLinks } from '../ports/contact-links.js';
import type { Actor } from '../types.js';
import { METHODS } from '../types.js';
import type { VerifierConfig } from './config.js';
import { createVerifier } from './create-verifier.js';
import { type PolicySettings, WEAKER_CHOICES, type WeakerChoice } from './policy.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

const accepted = (choice: WeakerChoice) => ({
  choice,
  acceptedBy: { id: 'admin-1', name: 'Test Admin' },
  acceptedAt: 0,
  reason: 'the flows under test need every method',
});

/**
 * Most flow tests exercise every method, so their verifier runs under a policy that turns every weaker choice on
 * with a recorded acceptance. `'nist-defaults'` runs under the shipped defaults instead.
 */
export const EVERY_METHOD: PolicySettings = {
  methods: [...METHODS],
  fallback: ['sms', 'email'],
  allowedCodeModes: ['verify', 'compare'],
  riskAcceptances: WEAKER_CHOICES.map(accepted),
};

/** The company links an administrator confirmed for the demo data: each PSA company to its customer. */
export const DEMO_COMPANY_CUSTOMERS: Record<string, string> = {
  '101': 'cust-northwind',
  '102': 'cust-contoso',
  '103': 'cust-fabrikam',
};

/** Contact links with the demo's company links and, optionally, contact links by hand. */
export function demoLinks(contacts: Record<string, string> = {}): ContactLinks {
  return {
    specificationVersion: 'v1',
    endUserForContact: async (_tenantId, contactId) => {
      const endUserId = contacts[contactId];
      return endUserId ? { endUserId } : null;
    },
    customerForCompany: async (_tenantId, companyId) => {
      const customerId = DEMO_COMPANY_CUSTOMERS[companyId];
      return customerId ? { customerId } : null;
    },
  };
}

export function setup(
  policy: PolicySettings | 'nist-defaults' = {},
  extra: Pick<VerifierConfig, 'contactLinks' | 'policies'> = {},
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
    policy: policy === 'nist-defaults' ? {} : { ...EVERY_METHOD, ...policy },
    contactLinks: demoLinks(),
    ...extra,
  });
  const actor: Actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam Rivera' };
  const events: { name: VerifierEventName; payload: unknown }[] = [];

  for (const name of VERIFIER_EVENT_NAMES)
    verifier.events.on(name, (payload: unknown) => events.push({ name, payload }));
  const lastCode = (channel = sms) => {
    const m = channel.last()?.message;
    if (!m || m.route === 'push' || !('code' in m.context)) throw new Error('no code message sent');
    return m.context.code;
  };
  const challengeFor = async (endUserId: string) => {
    const [challenge] = await verifier.pendingChallenges({ tenantId: demo.tenantId, endUserId });
    if (!challenge) throw new Error(`no pending challenge for ${endUserId}`);
    return challenge;
  };
  /** The end-user types `number` into the challenge waiting on their device. */
  const typeNumber = async (endUserId: string, number: string) => {
    const challenge = await challengeFor(endUserId);
    return verifier.answerFromDevice({
      tenantId: demo.tenantId,
      sessionId: challenge.challengeId,
      token: challenge.token,
      answer: 'number',
      number,
    });
  };
  return {
    typeNumber,
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
