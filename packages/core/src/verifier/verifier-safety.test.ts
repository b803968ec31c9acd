import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDemoData } from '../demo/data.js';
import { createMemoryAuditLog } from '../memory/audit-log.js';
import { createMemoryDirectory } from '../memory/directory.js';
import { createOutboxChannel } from '../memory/outbox-channel.js';
import { createMemoryPsa } from '../memory/psa.js';
import { createManualClock } from '../memory/runtime.js';
import { OUTCOME_REASON_TEXT, outcomeReasonOf, type VerificationNote } from '../note.js';
import type { DeliveryResult, OutboundMessage } from '../ports/channel.js';
import type { Actor } from '../types.js';
import { createVerifier } from './create-verifier.js';
import { demoLinks, SECRET, setup, wrongCode } from './setup.test-helpers.js';

// Each defect an adversarial review found in the verifier, as the behaviour that now holds. Every test here failed
// on the code before the review's fixes.

const second: Actor = { tenantId: 'demo-msp', technicianId: 'tech-2', technicianName: 'Kim Lee' };
const admin: Actor = {
  tenantId: 'demo-msp',
  technicianId: 'admin-1',
  technicianName: 'Alex Admin',
  role: 'admin',
};

describe('one verification per ticket at a time', () => {
  it('a second start resumes the one in progress; superseding cancels it and its device request', async () => {
    const t = setup();
    const first = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: first.session.id, method: 'push' });
    const { token } = await t.challengeFor('eu-ana');
    const again = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    expect(again).toMatchObject({
      resumed: true,
      session: { id: first.session.id, status: 'awaiting_push' },
    });
    const fresh = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    expect(fresh.resumed).toBe(false);
    const old = await t.verifier.getSession({ actor: t.actor, sessionId: first.session.id });
    expect(old).toMatchObject({ status: 'cancelled', superseded: true });
    expect(outcomeReasonOf(old)).toBe('superseded');
    // The superseded request can no longer be approved from the phone.
    await expect(
      t.verifier.answerFromDevice({
        tenantId: t.demo.tenantId,
        sessionId: first.session.id,
        token,
        answer: 'approve',
      }),
    ).rejects.toMatchObject({ code: 'session_closed' });
    expect(await t.verifier.pendingChallenges({ tenantId: t.demo.tenantId, endUserId: 'eu-ana' })).toEqual(
      [],
    );
    expect(t.psa.notes('1001').map((n) => n.title)).toEqual(['QDesk: Verification Cancelled: Ana Silva']);
    expect(t.psa.notes('1001')[0]?.text).toContain(`Reason: ${OUTCOME_REASON_TEXT.superseded}`);
  });

  it('a start about someone else on a busy ticket is refused until the first is superseded', async () => {
    const t = setup();
    await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await expect(
      t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ben', ticketId: '1001' }),
    ).rejects.toMatchObject({ code: 'verification_in_progress' });
  });

  it('double-clicked SEND, then CANCEL: the phone can never approve the ticket', async () => {
    const t = setup();
    // Before: two sessions, the cancel closed one, an Approve on the other wrote "Verified" on the ticket.
    const clicks = await Promise.all(
      [1, 2].map(() =>
        t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001', idempotencyKey: 'click-0001' }),
      ),
    );
    expect(new Set(clicks.map((c) => c.session.id)).size).toBe(1);
    const id = clicks[0]!.session.id;
    const sends = await Promise.allSettled(
      [1, 2].map(() =>
        t.verifier.send({ actor: t.actor, sessionId: id, method: 'push', idempotencyKey: 'send-0001' }),
      ),
    );
    expect(t.push.messages()).toHaveLength(1);
    expect(sends.filter((s) => s.status === 'fulfilled')).not.toHaveLength(0);
    const { token } = await t.challengeFor('eu-ana');
    await t.verifier.cancel({ actor: t.actor, sessionId: id });
    await expect(
      t.verifier.answerFromDevice({ tenantId: t.demo.tenantId, sessionId: id, token, answer: 'approve' }),
    ).rejects.toMatchObject({ code: 'session_closed' });
    expect(t.psa.notes('1001').map((n) => n.title)).toEqual(['QDesk: Verification Cancelled: Ana Silva']);
  });

  it('concurrent starts on one ticket leave one verification in progress', async () => {
    const t = setup();
    const starts = await Promise.all(
      Array.from({ length: 10 }, () => t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' })),
    );
    const open = (await t.store.listForTicket(t.demo.tenantId, '1001')).filter((s) => s.status === 'idle');
    expect(open).toHaveLength(1);
    expect(new Set(starts.map((s) => s.session.id))).toEqual(new Set([open[0]!.id]));
  });
});

describe('a device counts for push only when it can show one', () => {
  it('a browser that never allowed notifications does not stop the fallback to SMS', async () => {
    const t = setup('nist-defaults');
    // Ben's Android app reported "denied"; he then opened the self-serve page on a desktop that never answered the
    // browser's prompt. Before: that browser counted as a push device and no SMS was sent.
    await t.directory.upsertDevice!(t.demo.tenantId, 'eu-ben', {
      id: 'dev-ben-desktop',
      platform: 'web',
      pushAddress: '{}',
      notificationPermission: 'default',
    });
    const { session, methods, endUser } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1002',
    });
    expect(methods.find((m) => m.method === 'number_match')).toMatchObject({ fallsBackTo: 'sms' });
    // A picker counting the devices a push reaches reads the same rule from the summary.
    expect(endUser.devices.find((d) => d.id === 'dev-ben-desktop')).toMatchObject({ alerts: false });
    expect(endUser.devices.some((d) => d.alerts)).toBe(false);
    const sent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'number_match' });
    expect(sent.session).toMatchObject({ status: 'sent', method: 'sms' });
    expect(t.push.messages()).toEqual([]);
  });

  it('granted counts on every platform; never asked counts only on Android, which delivers without asking', async () => {
    const t = setup('nist-defaults');
    const cases = [
      ['web', 'granted', true],
      ['web', 'default', false],
      ['web', 'unknown', false],
      ['ios', 'unknown', false],
      ['ios', 'default', false],
      ['android', 'unknown', true],
      ['android', 'denied', false],
    ] as const;
    for (const [platform, notificationPermission, pushes] of cases) {
      await t.directory.removeDevice!(t.demo.tenantId, 'eu-ben', 'dev-ben-phone');
      await t.directory.removeDevice!(t.demo.tenantId, 'eu-ben', 'probe');
      await t.directory.upsertDevice!(t.demo.tenantId, 'eu-ben', {
        id: 'probe',
        platform,
        pushAddress: 'probe-address',
        notificationPermission,
      });
      const [method] = await t.verifier.availableMethods({ actor: t.actor, endUserId: 'eu-ben' });
      expect(method!.fallsBackTo === null, `${platform} ${notificationPermission}`).toBe(pushes);
    }
  });
});

describe('counters and lifetimes that hold', () => {
  it('enforces the consecutive-failure cap on every code check, until an administrator unlocks', async () => {
    const t = setup({ maxConsecutiveFailures: 3, maxAttempts: 10 });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const code = t.lastCode();
    for (let i = 0; i < 3; i++)
      await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(code) });
    // Before: checks went on past the cap (120 of 100); only a new send consulted it.
    await expect(t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code })).rejects.toMatchObject(
      {
        code: 'end_user_locked',
      },
    );
    await expect(
      t.verifier.unlockEndUser({ actor: t.actor, endUserId: 'eu-ana', reason: 'called the user back' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      t.verifier.unlockEndUser({ actor: admin, endUserId: 'eu-ana', reason: 'called the user back' }),
    ).resolves.toEqual({ failuresBefore: 4 });
    expect(t.audit.all().find((r) => r.action === 'unlock' && r.result === 'ok')).toMatchObject({
      actor: { id: 'admin-1' },
      detail: { endUserId: 'eu-ana', before: 4, after: 0, reason: 'called the user back' },
    });
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code }),
    ).resolves.toMatchObject({
      correct: true,
    });
  });

  it('never evaluates more wrong answers than the cap, under concurrent checks and number answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        async (cap, checks, numbers) => {
          const t = setup({ maxConsecutiveFailures: cap, maxAttempts: 10 });
          // Two sessions of one end-user: a code session without a ticket, a number match on ticket 1001.
          const code = await t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ana' });
          await t.verifier.send({ actor: t.actor, sessionId: code.session.id, method: 'sms' });
          const wrong = wrongCode(t.lastCode());
          const match = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
          const sent = await t.verifier.send({
            actor: t.actor,
            sessionId: match.session.id,
            method: 'number_match',
          });
          const challenge = await t.challengeFor('eu-ana');
          await Promise.allSettled([
            ...Array.from({ length: checks }, () =>
              t.verifier.checkCode({ actor: t.actor, sessionId: code.session.id, code: wrong }),
            ),
            ...Array.from({ length: numbers }, () =>
              t.verifier.answerFromDevice({
                tenantId: t.demo.tenantId,
                sessionId: challenge.challengeId,
                token: challenge.token,
                answer: 'number',
                number: wrongCode(sent.display.matchNumber!),
              }),
            ),
          ]);
          const evaluated = t.audit
            .all()
            .filter(
              (r) =>
                (r.action === 'check_code' && r.detail?.correct === false) ||
                (r.action === 'device_answer' && r.result === 'denied'),
            );
          expect(evaluated.length).toBeLessThanOrEqual(cap);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a refused send spends none of the end-user’s quota', async () => {
    const t = setup({ sendsPerWindow: 2 });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    for (let i = 0; i < 5; i++) {
      await expect(
        t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' }),
      ).rejects.toMatchObject({ code: 'invalid_transition' });
    }
    await t.verifier.cancel({ actor: t.actor, sessionId: session.id });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' }),
    ).rejects.toMatchObject({
      code: 'session_closed',
    });
    const next = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: next.session.id, method: 'sms' }),
    ).resolves.toMatchObject({
      session: { status: 'sent' },
    });
  });

  it('the first send fixes the code mode: wrong codes cannot be followed by a compare-mode resend', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(t.lastCode()) });
    const resend = await t.verifier
      .send({ actor: t.actor, sessionId: session.id, method: 'sms', codeMode: 'compare' })
      .catch((e) => e);
    expect(resend).toMatchObject({ code: 'invalid_transition' });
    expect(resend.message).toMatch(/fixed to verify/);
    expect(t.sms.messages()).toHaveLength(1);
  });

  it('a session acts only for its technician until another takes it over, audited', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    for (const op of [
      () => t.verifier.send({ actor: second, sessionId: session.id, method: 'sms' }),
      () => t.verifier.checkCode({ actor: second, sessionId: session.id, code: t.lastCode() }),
      () => t.verifier.deny({ actor: second, sessionId: session.id }),
      () => t.verifier.cancel({ actor: second, sessionId: session.id }),
    ]) {
      await expect(op()).rejects.toMatchObject({ code: 'forbidden', name: 'ForbiddenError' });
    }
    expect((await t.verifier.getSession({ actor: second, sessionId: session.id })).status).toBe('sent');
    const taken = await t.verifier.takeOver({
      actor: second,
      sessionId: session.id,
      reason: 'first technician left',
    });
    expect(taken.technician).toEqual({ id: 'tech-2', name: 'Kim Lee' });
    expect(t.audit.all().find((r) => r.action === 'take_over' && r.result !== 'error')).toMatchObject({
      actor: { id: 'tech-2' },
      detail: { before: 'tech-1', after: 'tech-2', reason: 'first technician left' },
    });
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode() }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      t.verifier.checkCode({ actor: second, sessionId: session.id, code: t.lastCode() }),
    ).resolves.toMatchObject({ correct: true });
    expect(t.psa.notes('1001')[0]!.text).toContain('Technician: Kim Lee (tech-2)');
  });

  it("carries the technician's sign-in email to the session and the note, and a take-over's email replaces it", async () => {
    const t = setup();
    const written: VerificationNote[] = [];
    const write = t.psa.writeVerificationNote!.bind(t.psa);
    t.psa.writeVerificationNote = (note) => {
      written.push(note);
      return write(note);
    };
    const first = { ...t.actor, technicianEmail: 'sam.rivera@msp.example' };
    const { session } = await t.verifier.startFromTicket({ actor: first, ticketId: '1001' });
    expect(session.technician).toEqual({
      id: t.actor.technicianId,
      name: t.actor.technicianName,
      email: 'sam.rivera@msp.example',
    });
    await t.verifier.send({ actor: first, sessionId: session.id, method: 'sms' });
    const kim = { ...second, technicianEmail: 'kim.lee@msp.example' };
    await t.verifier.takeOver({ actor: kim, sessionId: session.id, reason: 'first technician left' });
    await t.verifier.checkCode({ actor: kim, sessionId: session.id, code: t.lastCode() });
    expect(written.map((n) => n.technician)).toEqual([
      { id: 'tech-2', name: 'Kim Lee', email: 'kim.lee@msp.example' },
    ]);
    await expect(
      t.verifier.startFromTicket({
        actor: { ...t.actor, technicianEmail: 'not an email' },
        ticketId: '1002',
      }),
    ).rejects.toMatchObject({ code: 'input_invalid', message: expect.stringContaining('technicianEmail') });
  });

  it('a provider that echoes the message never puts the code into events, audit records or the session', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    const echo = {
      specificationVersion: 'v1' as const,
      route: 'sms' as const,
      name: 'echo',
      async send(message: OutboundMessage): Promise<DeliveryResult> {
        return {
          status: 'permanent_failure',
          reason: `rejected body: ${'text' in message ? message.text : ''}`,
          providerCode: '21617 <x>',
          scope: 'message',
        };
      },
    };
    const v = createVerifier({
      secret: SECRET,
      directory: t.directory,
      psa: t.psa,
      store: t.store,
      audit: t.audit,
      clock: t.clock,
      contactLinks: demoLinks(),
      channels: { sms: echo },
    });
    const events: unknown[] = [];
    v.events.on('delivery.failed', (e) => events.push(e));
    v.events.on('session.failed', (e) => events.push(e));
    const sent = await v.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const published = JSON.stringify([events, t.audit.all(), sent.session]);
    expect(published).not.toMatch(/rejected body|is your QDesk code/);
    expect(sent.session).toMatchObject({ status: 'failed', reason: 'sms: the provider refused the message' });
  });

  it('control characters from the PSA never reach a message', async () => {
    const demo = createDemoData();
    demo.tickets[0]!.number = 'T1\r\nBcc: eve@evil.example\u202E';
    const clock = createManualClock();
    const email = createOutboxChannel('email', { now: clock.now });
    const v = createVerifier({
      secret: SECRET,
      directory: createMemoryDirectory(demo.endUsers),
      psa: createMemoryPsa(demo),
      clock,
      contactLinks: demoLinks(),
      channels: { email },
      policy: {
        methods: ['email'],
        riskAcceptances: [
          {
            choice: 'email',
            acceptedBy: { id: 'a', name: 'A' },
            acceptedAt: 0,
            reason: 'test of the subject line',
          },
        ],
      },
    });
    const actor: Actor = { tenantId: demo.tenantId, technicianId: 't\u0007', technicianName: 'Sam' };
    await expect(v.startFromTicket({ actor, ticketId: '1001' })).rejects.toMatchObject({
      code: 'input_invalid',
    });
    const { session } = await v.startFromTicket({
      actor: { ...actor, technicianId: 'tech-1' },
      ticketId: '1001',
    });
    expect(session.ticket!.number).toBe('T1 Bcc: eve@evil.example');
    await v.send({ actor: { ...actor, technicianId: 'tech-1' }, sessionId: session.id, method: 'email' });
    const message = email.last()!.message;
    expect(message.route === 'email' && message.subject).toBe(
      'Verification code for ticket T1 Bcc: eve@evil.example',
    );
    expect(JSON.stringify(message)).not.toMatch(/[\r\n\u202E]|\\r|\\u202e/i);
  });

  it('the sweeper gives an abandoned session its expired outcome and note exactly once, from any number of instances', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    t.clock.advance(10 * 60_000);
    const audit = createMemoryAuditLog();
    const instances = [
      t.verifier,
      createVerifier({
        secret: SECRET,
        directory: t.directory,
        psa: t.psa,
        store: t.store,
        audit,
        clock: t.clock,
      }),
    ];
    const results = await Promise.all([...instances, ...instances].map((v) => v.sweep()));
    expect(results.every((r) => r.more === false)).toBe(true);
    expect(t.psa.notes('1001').map((n) => n.title)).toEqual(['QDesk: Verification Timed Out: Ana Silva']);
    const outcomes = [...t.audit.all(), ...audit.all()].filter((r) => r.action === 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ result: 'expired', sessionId: session.id });
    expect(await t.verifier.sweep()).toEqual({ expired: 0, more: false });
  });
});

describe('properties over random verifications', () => {
  const methods = ['number_match', 'push_code', 'sms', 'push', 'email'] as const;
  const op = fc.oneof(
    fc.record({ kind: fc.constant('send' as const), method: fc.constantFrom(...methods) }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 4 * 60_000 }) }),
    fc.record({ kind: fc.constant('right' as const) }),
    fc.record({ kind: fc.constant('wrong' as const) }),
    fc.record({ kind: fc.constant('device' as const) }),
  );
  const policy = fc.record({
    methods: fc.subarray([...methods], { minLength: 1 }),
    fallback: fc.subarray(['sms', 'email'] as ('sms' | 'email')[]),
  });

  it('never approves after ten minutes from the start, nor by a method the resolved policy forbids', async () => {
    await fc.assert(
      fc.asyncProperty(policy, fc.array(op, { minLength: 1, maxLength: 12 }), async (p, ops) => {
        const t = setup(p);
        const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
        let code: string | null = null;
        let number: string | null = null;
        for (const o of ops) {
          const base = { actor: t.actor, sessionId: session.id };
          try {
            if (o.kind === 'send') {
              const r = await t.verifier.send({ ...base, method: o.method });
              number = r.display.matchNumber ?? null;
              code =
                r.session.method === 'sms' || r.session.method === 'email'
                  ? t.lastCode(t[r.session.method])
                  : null;
            } else if (o.kind === 'wait') t.clock.advance(o.ms);
            else if (o.kind === 'right' && code) await t.verifier.checkCode({ ...base, code });
            else if (o.kind === 'wrong' && code)
              await t.verifier.checkCode({ ...base, code: wrongCode(code) });
            else if (o.kind === 'device') {
              const [c] = await t.verifier.pendingChallenges({
                tenantId: t.demo.tenantId,
                endUserId: 'eu-ana',
              });
              if (c) {
                await t.verifier.answerFromDevice(
                  c.method === 'number_match' && number
                    ? {
                        tenantId: t.demo.tenantId,
                        sessionId: c.challengeId,
                        token: c.token,
                        answer: 'number',
                        number,
                      }
                    : {
                        tenantId: t.demo.tenantId,
                        sessionId: c.challengeId,
                        token: c.token,
                        answer: 'approve',
                      },
                );
              }
            }
          } catch (error) {
            if (!(error as { code?: string }).code) throw error;
          }
        }
        const final = await t.store.get(t.demo.tenantId, session.id);
        if (final?.status !== 'approved') return;
        expect(final.closedAt).toBeLessThan(final.createdAt + 10 * 60_000);
        expect(p.methods).toContain(final.requestedMethod);
        if (final.method !== final.requestedMethod) expect(p.fallback).toContain(final.method);
      }),
      { numRuns: 150 },
    );
  });
});

describe("an end-user's app reads its own requests only", () => {
  it('says why a request closed, and reads another end-user’s like a missing one', async () => {
    const t = setup();
    const first = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: first.session.id, method: 'number_match' });
    const own = { tenantId: t.demo.tenantId, endUserId: 'eu-ana', sessionId: first.session.id };
    expect(await t.verifier.challengeState(own)).toEqual({
      challengeId: first.session.id,
      status: 'awaiting_push',
      reason: null,
    });
    await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001', ifActive: 'supersede' });
    expect(await t.verifier.challengeState(own)).toMatchObject({ status: 'cancelled', reason: 'superseded' });
    const missing = t.verifier.challengeState({ ...own, sessionId: 'vs_doesnotexist000000000' });
    const others = t.verifier.challengeState({ ...own, endUserId: 'eu-ben' });
    const [a, b] = await Promise.allSettled([missing, others]);
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'session_not_found' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'session_not_found' } });
    expect((a as PromiseRejectedResult).reason.message).toBe((b as PromiseRejectedResult).reason.message);
  });

  it('reads a request past its deadline as expired', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'number_match' });
    t.clock.advance(61_000);
    expect(
      await t.verifier.challengeState({
        tenantId: t.demo.tenantId,
        endUserId: 'eu-ana',
        sessionId: session.id,
      }),
    ).toMatchObject({ status: 'expired', reason: 'expired' });
  });
});
