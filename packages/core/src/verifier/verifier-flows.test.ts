import { describe, expect, it } from 'vitest';
import { OUTCOME_TEXT } from '../note.js';
import type { ContactLinks } from '../ports/contact-links.js';
import { demoLinks, setup, wrongCode } from './setup.test-helpers.js';

describe('verifier flows', () => {
  it('SMS in verify mode: the right code verifies, the note and audit say so', async () => {
    const t = setup();
    const started = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    expect(started.endUser).toMatchObject({
      id: 'eu-ana',
      displayName: 'Ana Silva',
      maskedPhone: '+1••••••0001',
    });
    expect(started.methods.find((m) => m.method === 'sms')).toMatchObject({ available: true });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: started.session.id, method: 'sms' });
    expect(sent.session.status).toBe('sent');
    expect(sent.display).toEqual({});
    const text = t.sms.last()!.message;
    expect(text.route === 'sms' && text.text).toMatch(
      /^\d{6} is your QDesk code\. Only read it to Sam Rivera on ticket T20261124\.0001\./,
    );
    expect(text.route === 'sms' && text.text.length).toBeLessThanOrEqual(160);
    const checked = await t.verifier.checkCode({
      actor: t.actor,
      sessionId: started.session.id,
      code: t.lastCode(),
    });
    expect(checked).toMatchObject({
      correct: true,
      session: { status: 'approved', approvedBy: 'technician' },
    });
    const [note] = t.psa.notes('1001');
    expect(note?.title).toBe(`QDesk: ${OUTCOME_TEXT.approved}: Ana Silva`);
    expect(note?.text).toContain('Ana Silva');
    expect(note?.text).toContain('Method: sms');
    expect(note?.text).toContain(started.session.id);
    expect(note?.text).not.toContain(t.lastCode());
    const actions = t.audit.all().map((r) => `${r.action}:${r.result}`);
    expect(t.audit.all()[0]).toMatchObject({
      sessionId: started.session.id,
      endUserId: 'eu-ana',
      ticketNumber: 'T20261124.0001',
    });
    // Causal order: the check that approved comes before the outcome and the note it caused.
    expect(actions).toEqual([
      'start:ok',
      'send:sent',
      'check_code:approved',
      'outcome:approved',
      'write_note:ok',
    ]);
    expect(t.events.map((e) => e.name)).toEqual([
      'session.created',
      'session.sent',
      'code.checked',
      'session.approved',
      'note.written',
    ]);
  });

  it('SMS in compare mode: the technician sees the code and approves', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({
      actor: t.actor,
      sessionId: session.id,
      method: 'sms',
      codeMode: 'compare',
    });
    expect(sent.display.code).toBe(t.lastCode());
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode() }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    expect((await t.verifier.approve({ actor: t.actor, sessionId: session.id })).status).toBe('approved');
  });

  it('email code, and deny is final', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1003' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'email' });
    const mail = t.email.last()!.message;
    expect(mail.route === 'email' && mail.to).toBe('Chloe.Martin@contoso-dental.example');
    expect(mail.route === 'email' && mail.html).toContain(t.lastCode(t.email));
    expect((await t.verifier.deny({ actor: t.actor, sessionId: session.id })).status).toBe('denied');
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode(t.email) }),
    ).rejects.toMatchObject({
      code: 'session_closed',
    });
    expect(t.psa.notes('1003')[0]?.title).toBe('QDesk: Unable to Verify Identity: Chloé Martin');
  });

  it('push approve through the device token', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    const pushed = t.push.last()!.message;
    expect(pushed.route === 'push' && pushed.challengeId).toBe(session.id);
    const { device: _device, ...payload } = pushed as Extract<typeof pushed, { route: 'push' }>;
    expect(JSON.stringify(payload)).not.toMatch(/token|code|nonce/i);
    const challenge = await t.challengeFor('eu-ana');
    expect(challenge.display).toEqual({
      technicianName: 'Sam Rivera',
      ticketNumber: 'T20261124.0001',
      companyName: 'Northwind Traders Inc.',
      mspName: 'QDesk',
    });
    const answer = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: session.id,
      token: challenge.token,
      answer: 'approve',
    });
    expect(answer).toEqual({ status: 'approved' });
    expect(t.psa.notes('1001')[0]?.text).toContain('Method: push');
  });

  it('push deny, and a push timeout reads and records as expired without a timer', async () => {
    const t = setup();
    const a = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: a.session.id, method: 'push' });
    const challenge = await t.challengeFor('eu-ana');
    expect(
      (
        await t.verifier.answerFromDevice({
          tenantId: t.demo.tenantId,
          sessionId: a.session.id,
          token: challenge.token,
          answer: 'deny',
        })
      ).status,
    ).toBe('denied');

    const b = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: b.session.id, method: 'push' });
    t.clock.advance(59_999);
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: b.session.id })).status).toBe(
      'awaiting_push',
    );
    t.clock.advance(1);
    const late = await t.challengeFor('eu-ana').catch(() => null);
    expect(late).toBeNull();
    // The device's poll recorded the expiry: the event fired and the note is written without a technician read.
    expect(t.events.filter((e) => e.name === 'session.expired')).toHaveLength(1);
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: b.session.id })).status).toBe('expired');
    const notes = t.psa.notes('1001').map((n) => n.title);
    expect(notes).toEqual([
      'QDesk: Unable to Verify Identity: Ana Silva',
      'QDesk: Verification Timed Out: Ana Silva',
    ]);
    expect(t.events.filter((e) => e.name === 'session.expired')).toHaveLength(1);
  });

  it('push + code: the device gets a code after Approve and the technician checks it', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push_code' });
    expect(sent.session.codeMode).toBe('verify');
    expect(sent.display).toEqual({}); // verify mode: only the device ever shows the code
    const challenge = await t.challengeFor('eu-ana');
    const answer = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: session.id,
      token: challenge.token,
      answer: 'approve',
    });
    expect(answer.status).toBe('awaiting_code');
    expect(answer.code).toMatch(/^\d{6}$/);
    const wrong = await t.verifier.checkCode({
      actor: t.actor,
      sessionId: session.id,
      code: wrongCode(answer.code!),
    });
    expect(wrong).toMatchObject({ correct: false, attemptsLeft: 4 });
    const right = await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: answer.code! });
    expect(right.session.status).toBe('approved');
  });

  it('push + code in compare mode: the technician sees the code the device shows after Approve, then approves', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({
      actor: t.actor,
      sessionId: session.id,
      method: 'push_code',
      codeMode: 'compare',
    });
    expect(sent.session).toMatchObject({ status: 'awaiting_push', codeMode: 'compare' });
    expect(sent.display.code).toMatch(/^\d{6}$/);
    // Nothing secret in the push itself, and nothing approvable before the device answers.
    expect(JSON.stringify(t.push.last())).not.toContain(sent.display.code);
    await expect(t.verifier.approve({ actor: t.actor, sessionId: session.id })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    const challenge = await t.challengeFor('eu-ana');
    const answer = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: session.id,
      token: challenge.token,
      answer: 'approve',
    });
    expect(answer).toEqual({ status: 'awaiting_code', code: sent.display.code });
    const approved = await t.verifier.approve({ actor: t.actor, sessionId: session.id });
    expect(approved.status).toBe('approved');
    expect(t.psa.notes('1001').at(-1)?.text).toContain('Weaker method: comparing codes by eye');
  });

  it('push + code in compare mode: each challenge derives its own code', async () => {
    const t = setup();
    const codes = new Set<string>();
    for (const ticketId of ['1001', '1002', '1003']) {
      const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId });
      const sent = await t.verifier.send({
        actor: t.actor,
        sessionId: session.id,
        method: 'push_code',
        codeMode: 'compare',
      });
      codes.add(sent.display.code!);
    }
    expect(codes.size).toBe(3);
  });

  it('push + code in compare mode is refused where the policy allows only verify', async () => {
    const t = setup({ allowedCodeModes: ['verify'] });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push_code', codeMode: 'compare' }),
    ).rejects.toMatchObject({ code: 'method_unavailable' });
  });

  it('number match: the right number approves, a wrong one denies', async () => {
    const t = setup();
    const a = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: a.session.id, method: 'number_match' });
    expect(sent.display.matchNumber).toMatch(/^\d{6}$/);
    expect(JSON.stringify(t.push.last())).not.toContain(sent.display.matchNumber);
    const c1 = await t.challengeFor('eu-ana');
    await expect(
      t.verifier.answerFromDevice({
        tenantId: t.demo.tenantId,
        sessionId: a.session.id,
        token: c1.token,
        answer: 'approve',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    const ok = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: a.session.id,
      token: c1.token,
      answer: 'number',
      number: sent.display.matchNumber!,
    });
    expect(ok.status).toBe('approved');

    const b = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sentB = await t.verifier.send({ actor: t.actor, sessionId: b.session.id, method: 'number_match' });
    const c2 = await t.challengeFor('eu-ana');
    const bad = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: b.session.id,
      token: c2.token,
      answer: 'number',
      number: wrongCode(sentB.display.matchNumber!),
    });
    expect(bad.status).toBe('denied');
  });

  it('push falls back to SMS when notifications are off, with the reason in the audit log', async () => {
    const t = setup();
    const started = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1002' });
    expect(started.methods.find((m) => m.method === 'push')).toMatchObject({
      available: true,
      fallsBackTo: 'sms',
    });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: started.session.id, method: 'push' });
    expect(sent.session).toMatchObject({ status: 'sent', requestedMethod: 'push', method: 'sms' });
    expect(sent.session.fallbacks).toEqual([
      expect.objectContaining({ from: 'push', to: 'sms', reason: 'notifications_denied' }),
    ]);
    expect(t.push.messages()).toHaveLength(0);
    expect(t.audit.all().find((r) => r.action === 'send')?.detail).toEqual({
      requested: 'push',
      from: 'push',
      to: 'sms',
      reason: 'notifications_denied',
    });
    expect(t.events.find((e) => e.name === 'session.fell_back')?.payload).toMatchObject({
      reason: 'notifications_denied',
    });
  });

  it('push to a dead token falls back to SMS and the dead device is dropped', async () => {
    const t = setup();
    t.push.failFor('dev-ana-phone', {
      status: 'permanent_failure',
      reason: 'Unregistered',
      providerCode: '410',
    });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    expect(sent.session.fallbacks[0]?.reason).toBe('push_failed_permanently');
    expect(sent.session.method).toBe('sms');
    expect((await t.directory.getById(t.demo.tenantId, 'eu-ana'))?.devices).toEqual([]);
    expect(t.events.find((e) => e.name === 'delivery.failed')?.payload).toMatchObject({
      route: 'push',
      permanent: true,
    });
  });

  it('a push refused for a configuration error falls back but keeps the device', async () => {
    const t = setup();
    t.push.failFor('dev-ana-phone', {
      status: 'permanent_failure',
      reason: 'InvalidProviderToken: fix the APNs key',
      providerCode: 'InvalidProviderToken',
      scope: 'configuration',
    });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    expect(sent.session.fallbacks[0]?.reason).toBe('push_failed_permanently');
    expect((await t.directory.getById(t.demo.tenantId, 'eu-ana'))?.devices.map((d) => d.id)).toEqual([
      'dev-ana-phone',
    ]);
    expect(t.audit.all().find((r) => r.action === 'delivery_failed')?.detail).toMatchObject({
      scope: 'configuration',
    });
  });

  it('an end-user with no device and no phone gets an email code for a push; nothing at all is a typed error', async () => {
    const t = setup({ fallback: ['sms'] });
    const { session } = await t.verifier.startForEndUser({
      actor: t.actor,
      email: 'chloe.martin@contoso-dental.example',
    });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    expect(sent.session.fallbacks[0]?.reason).toBe('no_push_device');
    const t2 = setup({ fallback: [] });
    const s2 = await t2.verifier.startForEndUser({ actor: t2.actor, endUserId: 'eu-eva' });
    await expect(
      t2.verifier.send({ actor: t2.actor, sessionId: s2.session.id, method: 'push' }),
    ).rejects.toMatchObject({
      code: 'no_delivery_route',
    });
  });

  it('a failing SMS provider fails the session with the reason, without a crash', async () => {
    const t = setup();
    t.sms.failFor('+15550100001', {
      status: 'permanent_failure',
      reason: 'Unsubscribed recipient',
      providerCode: '21610',
    });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    // The provider's own words never reach the session: QDesk's fixed words and the provider's code do.
    expect(sent.session).toMatchObject({
      status: 'failed',
      reason: 'sms: the provider refused the address (provider code 21610)',
    });
  });

  it('looks up a ticket without starting anything', async () => {
    const t = setup();
    const found = await t.verifier.lookupTicket({ actor: t.actor, ticketId: '1002' });
    expect(found.endUser.id).toBe('eu-ben');
    expect(found.context.ticket.number).toBe('T20261124.0002');
    expect(found.methods.find((m) => m.method === 'push')?.fallsBackTo).toBe('sms');
    await expect(t.verifier.lookupTicket({ actor: t.actor, ticketId: '1005' })).rejects.toMatchObject({
      code: 'ticket_missing_contact',
    });
    expect(t.audit.all()).toEqual([]);
    expect(await t.store.listActive(t.demo.tenantId, 'eu-ben')).toEqual([]);
  });

  it('a contact matched by hand leads to its confirmed end-user before any email lookup', async () => {
    const links = new Map<string, string>();
    const contactLinks: ContactLinks = {
      specificationVersion: 'v1',
      endUserForContact: async (tenantId, contactId) => {
        const endUserId = links.get(`${tenantId}/${contactId}`);
        return endUserId ? { endUserId } : null;
      },
      customerForCompany: demoLinks().customerForCompany,
    };
    const t = setup({}, { contactLinks });
    // Farid (ticket 1007, contact 206) has no account with his email: an admin links him to Eva's account by hand.
    await expect(t.verifier.lookupTicket({ actor: t.actor, ticketId: '1007' })).rejects.toMatchObject({
      code: 'end_user_not_found',
    });
    links.set(`${t.demo.tenantId}/206`, 'eu-eva');
    await expect(t.verifier.lookupTicket({ actor: t.actor, ticketId: '1007' })).resolves.toMatchObject({
      endUser: { id: 'eu-eva' },
    });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1007' });
    expect(session.endUser.id).toBe('eu-eva');
    // A confirmed link wins over the email match too.
    links.set(`${t.demo.tenantId}/201`, 'eu-ben');
    await expect(t.verifier.lookupTicket({ actor: t.actor, ticketId: '1001' })).resolves.toMatchObject({
      endUser: { id: 'eu-ben' },
    });
  });

  it('cancel closes the session and writes the note', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    expect((await t.verifier.cancel({ actor: t.actor, sessionId: session.id })).status).toBe('cancelled');
    expect(t.psa.notes('1001')[0]?.title).toBe('QDesk: Verification Cancelled: Ana Silva');
  });

  it('starts from a contact, and from an email with no PSA match', async () => {
    const t = setup();
    const byContact = await t.verifier.startFromContact({ actor: t.actor, contactId: '203' });
    expect(byContact.endUser.id).toBe('eu-chloe');
    const byEmail = await t.verifier.startForEndUser({
      actor: t.actor,
      email: 'EVA.SCHMIDT@fabrikam.example',
    });
    expect(byEmail.session.ticket).toBeNull();
    await t.verifier.send({ actor: t.actor, sessionId: byEmail.session.id, method: 'sms' });
    expect(
      (await t.verifier.checkCode({ actor: t.actor, sessionId: byEmail.session.id, code: t.lastCode() }))
        .correct,
    ).toBe(true);
    expect(t.psa.notes()).toHaveLength(0);
  });

  it('a delivery report of a failure is announced and audited', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    await t.verifier.reportDelivery({
      tenantId: t.demo.tenantId,
      sessionId: session.id,
      route: 'sms',
      provider: 'twilio',
      providerMessageId: 'SM1',
      status: 'undelivered',
      permanent: false,
      reason: 'Carrier violation',
      providerCode: '30007',
    });
    expect(t.events.find((e) => e.name === 'delivery.failed')?.payload).toMatchObject({
      reason: 'the provider could not deliver it yet (provider code 30007)',
    });
    expect(JSON.stringify([t.events, t.audit.all()])).not.toContain('Carrier violation');
    expect(t.audit.all().at(-1)).toMatchObject({
      action: 'delivery_report',
      sessionId: session.id,
      result: 'undelivered',
    });
  });
});
