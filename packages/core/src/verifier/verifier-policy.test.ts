import { describe, expect, it } from 'vitest';
import { createMemoryDirectory } from '../memory/directory.js';
import type { Actor, ContactSource, EndUser } from '../types.js';
import { createVerifier } from './create-verifier.js';
import { demoLinks, SECRET, setup } from './setup.test-helpers.js';

// Each defect an adversarial review found in the verifier, as the behaviour that now holds. Every test here failed
// on the code before the review's fixes.

const _second: Actor = { tenantId: 'demo-msp', technicianId: 'tech-2', technicianName: 'Kim Lee' };
const admin: Actor = {
  tenantId: 'demo-msp',
  technicianId: 'admin-1',
  technicianName: 'Alex Admin',
  role: 'admin',
};

describe('NIST SP 800-63B rev 4 defaults', () => {
  it('offers number match first, and neither approve-only push nor email codes', async () => {
    const t = setup('nist-defaults');
    const lookup = await t.verifier.lookupTicket({ actor: t.actor, ticketId: '1001' });
    expect(lookup.methods.map((m) => m.method)).toEqual(['number_match', 'push_code', 'sms']);
    expect(t.verifier.policy).toMatchObject({ fallback: ['sms'], allowedCodeModes: ['verify'] });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    for (const method of ['push', 'email'] as const) {
      await expect(t.verifier.send({ actor: t.actor, sessionId: session.id, method })).rejects.toMatchObject({
        code: 'method_unavailable',
      });
    }
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms', codeMode: 'compare' }),
    ).rejects.toMatchObject({ code: 'method_unavailable' });
  });

  it('a push method never becomes an email code by default', async () => {
    const t = setup('nist-defaults');
    // Dev Patel: a web device only, no phone. Before: the push fell back to an email code.
    await t.directory.reportPermission!(t.demo.tenantId, 'eu-dev', 'dev-dev-web', 'denied', t.clock.now());
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1004' });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'number_match' }),
    ).rejects.toMatchObject({ code: 'no_delivery_route' });
    expect(t.email.messages()).toEqual([]);
  });

  it('refuses a configuration that turns on a weaker choice without a risk acceptance', () => {
    const directory = createMemoryDirectory([]);
    expect(() => createVerifier({ secret: SECRET, directory, policy: { methods: ['push', 'sms'] } })).toThrow(
      /approve-only push is weaker than NIST SP 800-63B rev 4 allows/,
    );
    expect(() => createVerifier({ secret: SECRET, directory, policy: { fallback: ['email'] } })).toThrow(
      /riskAcceptances/,
    );
  });

  it('a verification by a weaker method says so in its note and its outcome record', async () => {
    const t = setup(); // every weaker choice accepted
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    const { token } = await t.challengeFor('eu-ana');
    await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: session.id,
      token,
      answer: 'approve',
    });
    expect(t.psa.notes('1001')[0]!.text).toContain(
      "Weaker method: approve-only push, used under the customer's recorded risk acceptance",
    );
    expect(t.audit.all().find((r) => r.action === 'outcome')?.detail).toMatchObject({ weaker: 'push' });
  });
});

describe('per-customer policy', () => {
  it("a verification bound to a ticket runs under the ticket customer's policy, also after an override", async () => {
    const t = setup('nist-defaults');
    await t.verifier.setPolicy({ actor: admin, customerId: null, settings: { allowTicketOverride: true } });
    await t.verifier.setPolicy({ actor: admin, customerId: 'cust-northwind', settings: { maxAttempts: 2 } });
    const { session } = await t.verifier.startForEndUser({
      actor: t.actor,
      endUserId: 'eu-eva',
      ticketId: '1001',
      override: { reason: 'Fabrikam contractor on a Northwind ticket' },
    });
    expect(session).toMatchObject({ customerId: 'cust-northwind', maxAttempts: 2 });
    const own = await t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-eva', ticketId: '1005' });
    expect(own.session).toMatchObject({ customerId: 'cust-fabrikam', maxAttempts: 5 });
  });

  it('is changed by administrators only, with a risk acceptance for a weaker choice, audited before and after', async () => {
    const t = setup('nist-defaults');
    await expect(
      t.verifier.setPolicy({ actor: t.actor, customerId: 'cust-contoso', settings: { maxAttempts: 3 } }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      t.verifier.setPolicy({
        actor: admin,
        customerId: 'cust-contoso',
        settings: { methods: ['push', 'sms'] },
      }),
    ).rejects.toMatchObject({ code: 'config_invalid' });
    const view = await t.verifier.setPolicy({
      actor: admin,
      customerId: 'cust-contoso',
      settings: { methods: ['number_match', 'push', 'sms'] },
      accept: [{ choice: 'push', reason: 'front desk tablets have no keyboard' }],
    });
    expect(view.effective.methods).toEqual(['number_match', 'push', 'sms']);
    expect(view.effective.riskAcceptances).toEqual([
      {
        choice: 'push',
        reason: 'front desk tablets have no keyboard',
        acceptedBy: { id: 'admin-1', name: 'Alex Admin' },
        acceptedAt: t.clock.now(),
      },
    ]);
    const change = t.audit.all().find((r) => r.action === 'policy_change' && r.result === 'ok');
    expect(change).toMatchObject({
      actor: { id: 'admin-1' },
      detail: { customerId: 'cust-contoso', before: 'null' },
    });
    expect(JSON.parse(String(change!.detail!.after))).toMatchObject({
      methods: ['number_match', 'push', 'sms'],
    });
    // The verifier resolves the policy from the end-user's customer: push works at Contoso, not at Northwind.
    const contoso = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1004' });
    expect(contoso.methods.map((m) => m.method)).toContain('push');
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: contoso.session.id, method: 'push' }),
    ).resolves.toMatchObject({ session: { status: 'awaiting_push' } });
    const northwind = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: northwind.session.id, method: 'push' }),
    ).rejects.toMatchObject({ code: 'method_unavailable' });
  });
});

describe('the ticket binding is never weaker than the ticket', () => {
  it('refuses an end-user of another customer on a ticket, and writes nothing on it', async () => {
    const t = setup();
    // Before: a Northwind ticket was noted verified for a Fabrikam user.
    await expect(
      t.verifier.startForEndUser({ actor: t.actor, email: 'eva.schmidt@fabrikam.example', ticketId: '1001' }),
    ).rejects.toMatchObject({ code: 'end_user_not_on_ticket_customer', name: 'PreconditionError' });
    await expect(
      t.verifier.startForEndUser({
        actor: t.actor,
        endUserId: 'eu-eva',
        ticketId: '1001',
        override: { reason: 'caller is a contractor on site' },
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(await t.store.listForTicket(t.demo.tenantId, '1001')).toEqual([]);
    expect(t.psa.notes()).toEqual([]);
  });

  it('an end-user of a company not matched to a customer cannot be bound to its ticket without an override', async () => {
    const t = setup({}, { contactLinks: demoLinks() });
    const unmatched = setup(
      {},
      {
        contactLinks: { ...demoLinks(), customerForCompany: async () => null },
      },
    );
    await expect(
      unmatched.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ana', ticketId: '1001' }),
    ).rejects.toMatchObject({ code: 'end_user_not_on_ticket_customer' });
    // The same customer passes.
    await expect(
      t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ben', ticketId: '1001' }),
    ).resolves.toMatchObject({ session: { ticket: { id: '1001' }, customerId: 'cust-northwind' } });
  });

  it('an allowed override names its reason in the audit trail and on the note', async () => {
    const t = setup({ allowTicketOverride: true });
    const { session } = await t.verifier.startForEndUser({
      actor: t.actor,
      endUserId: 'eu-eva',
      ticketId: '1001',
      override: { reason: 'Fabrikam contractor working on the Northwind ticket' },
    });
    expect(session.override).toEqual({ reason: 'Fabrikam contractor working on the Northwind ticket' });
    await t.verifier.cancel({ actor: t.actor, sessionId: session.id });
    const [note] = t.psa.notes('1001');
    expect(note!.title).toBe('QDesk: Verification Cancelled: Eva Schmidt');
    expect(note!.text).toContain(
      'Bound to this ticket by override: Fabrikam contractor working on the Northwind ticket',
    );
    expect(t.audit.all().find((r) => r.action === 'start')?.detail).toMatchObject({
      override: 'Fabrikam contractor working on the Northwind ticket',
    });
  });

  it('the start result says who is verified, with masked destinations', async () => {
    const t = setup();
    const { endUser } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    expect(endUser).toMatchObject({
      displayName: 'Ana Silva',
      maskedPhone: '+1••••••0001',
      maskedEmail: 'a•••@northwind.example',
    });
  });
});

describe('where the mobile number came from, and when it changed (NIST SP 800-63B rev 4, 3.1.3.3)', () => {
  const DAY = 24 * 3600_000;
  /** Chloé (ticket 1003) has no app, only a phone: an SMS code is the one way to reach her. */
  async function chloeWith(policy: Parameters<typeof setup>[0], provenance: EndUser['provenance']) {
    const t = setup(policy);
    const chloe = (await t.directory.getById(t.demo.tenantId, 'eu-chloe'))!;
    t.directory.put({ ...chloe, provenance });
    const lookup = await t.verifier.lookupTicket({ actor: t.actor, ticketId: '1003' });
    return { t, lookup, sms: lookup.methods.find((m) => m.method === 'sms')! };
  }

  it('texts a number only from the sources the policy names, and shows the technician where it came from', async () => {
    const policy = { smsSources: ['idp_mfa', 'directory'] as ContactSource[] };
    const fromPsa = await chloeWith(policy, { mobilePhone: { source: 'psa', changedAt: null } });
    expect(fromPsa.sms).toMatchObject({ available: false });
    expect(fromPsa.sms.reason).toBe(
      "the mobile number on file came from the PSA contact only, and this customer's policy texts codes only to numbers from an MFA method at the identity provider or the directory",
    );
    expect(fromPsa.lookup.endUser.phoneProvenance).toEqual({ source: 'psa', changedAt: null });
    const { session } = await fromPsa.t.verifier.startFromTicket({
      actor: fromPsa.t.actor,
      ticketId: '1003',
    });
    await expect(
      fromPsa.t.verifier.send({ actor: fromPsa.t.actor, sessionId: session.id, method: 'sms' }),
    ).rejects.toMatchObject({ code: 'method_unavailable' });
    expect(fromPsa.t.sms.messages()).toEqual([]);

    const unrecorded = await chloeWith(policy, undefined);
    expect(unrecorded.sms.reason).toContain('came from an unrecorded source');
    const fromMfa = await chloeWith(policy, { mobilePhone: { source: 'idp_mfa', changedAt: null } });
    expect(fromMfa.sms).toMatchObject({ available: true, reason: null });
    // The default policy texts a number whatever its source.
    expect(
      (await chloeWith('nist-defaults', { mobilePhone: { source: 'psa', changedAt: null } })).sms,
    ).toMatchObject({ available: true });
  });

  it('treats a number changed within newPhoneDays as new: no code to it, and a push method has no SMS to fall back to', async () => {
    const t0 = setup('nist-defaults').clock.now();
    const recent = await chloeWith('nist-defaults', {
      mobilePhone: { source: 'directory', changedAt: t0 - 2 * DAY },
    });
    expect(recent.sms).toMatchObject({ available: false });
    expect(recent.sms.reason).toBe(
      'the mobile number on file changed 2 days ago and counts as new for 7 days: verify with another method',
    );
    expect(recent.lookup.methods.find((m) => m.method === 'number_match')).toMatchObject({
      available: false,
      fallsBackTo: null,
    });
    const settled = await chloeWith('nist-defaults', {
      mobilePhone: { source: 'directory', changedAt: t0 - 8 * DAY },
    });
    expect(settled.sms).toMatchObject({ available: true });
    const off = await chloeWith(
      { newPhoneDays: 0 },
      { mobilePhone: { source: 'directory', changedAt: t0 - DAY } },
    );
    expect(off.sms).toMatchObject({ available: true });
  });

  it('refuses a policy naming no source or an unknown one, or newPhoneDays out of bounds', () => {
    const directory = createMemoryDirectory([]);
    const make = (policy: object) => () => createVerifier({ secret: SECRET, directory, policy });
    expect(make({ smsSources: [] })).toThrow(/smsSources/);
    expect(make({ smsSources: ['carrier'] })).toThrow(/smsSources/);
    expect(make({ newPhoneDays: 400 })).toThrow(/newPhoneDays/);
  });
});
