import { describe, expect, it } from 'vitest';
import { InputError, isQdeskError } from '../errors.js';
import { setup } from './setup.test-helpers.js';

const HUGE = 'x'.repeat(10_000);
const expectTyped = async (run: () => Promise<unknown>, code?: string) => {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(isQdeskError(error), `expected a QdeskError, got ${String(error)}`).toBe(true);
  if (code) expect((error as { code: string }).code).toBe(code);
  return error as Error;
};

describe('verifier: bad input gets a typed error and changes nothing', () => {
  it('every operation rejects wrong types, missing fields and oversized strings', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const before = await t.store.get(t.demo.tenantId, session.id);
    const v = t.verifier as unknown as Record<string, (input: unknown) => Promise<unknown>>;
    const ops = [
      'lookupTicket',
      'startFromTicket',
      'startFromContact',
      'startForEndUser',
      'availableMethods',
      'send',
      'checkCode',
      'approve',
      'deny',
      'cancel',
      'answerFromDevice',
      'pendingChallenges',
      'getSession',
      'reportDelivery',
    ];
    const bad: unknown[] = [
      undefined,
      null,
      42,
      'text',
      [],
      {},
      { actor: 'me', sessionId: session.id },
      { actor: { ...t.actor, tenantId: 7 }, sessionId: session.id, ticketId: '1001' },
      { actor: { ...t.actor, technicianName: HUGE }, sessionId: session.id, ticketId: '1001' },
      {
        actor: t.actor,
        sessionId: HUGE,
        ticketId: HUGE,
        contactId: HUGE,
        email: HUGE,
        endUserId: HUGE,
        method: 'sms',
        code: HUGE,
      },
      { actor: t.actor, sessionId: session.id, method: 'carrier-pigeon' },
      { actor: t.actor, sessionId: session.id, unexpected: true },
      { actor: { ...t.actor, technicianName: 'Sam\u0000' }, sessionId: session.id },
    ];
    for (const op of ops) {
      for (const input of bad) {
        const error = await expectTyped(() => v[op]!(input));
        expect(['input_invalid', 'session_not_found', 'end_user_not_found']).toContain(
          (error as InputError).code,
        );
      }
    }
    expect(await t.store.get(t.demo.tenantId, session.id)).toEqual(before);
    expect(t.psa.notes()).toEqual([]);
  });

  it('names the bad field in the InputError', async () => {
    const t = setup();
    const error = (await expectTyped(() =>
      t.verifier.send({ actor: t.actor, sessionId: 'vs_x', method: 'fax' as never }),
    )) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.issues.map((i) => i.path)).toEqual(['method']);
    expect(error.message).toContain('method');
  });

  it('rejects a code of the wrong length or with non-digits without counting an attempt', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const before = await t.store.get(t.demo.tenantId, session.id);
    for (const code of ['12345', '1234567', '12a456', '', '١٢٣٤٥٦', '12.456', '+12345', ' ', '0x1234']) {
      const error = await expectTyped(
        () => t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code }),
        'input_invalid',
      );
      expect(error.message).toMatch(/digits/);
    }
    await expectTyped(
      () => t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: 123456 as never }),
      'input_invalid',
    );
    expect(await t.store.get(t.demo.tenantId, session.id)).toEqual(before);
    const spaced = t.lastCode().replace(/(\d{3})/, '$1 ');
    expect(
      (await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: spaced })).correct,
    ).toBe(true);
  });

  it('unknown ids are not-found errors with actionable messages', async () => {
    const t = setup();
    await expectTyped(
      () => t.verifier.getSession({ actor: t.actor, sessionId: 'vs_unknown' }),
      'session_not_found',
    );
    await expectTyped(
      () => t.verifier.checkCode({ actor: t.actor, sessionId: 'vs_unknown', code: '123456' }),
      'session_not_found',
    );
    await expectTyped(
      () =>
        t.verifier.answerFromDevice({
          tenantId: t.demo.tenantId,
          sessionId: 'vs_unknown',
          token: 't',
          answer: 'approve',
        }),
      'session_not_found',
    );
    const ticket = await expectTyped(
      () => t.verifier.startFromTicket({ actor: t.actor, ticketId: '999999' }),
      'ticket_not_found',
    );
    expect(ticket.message).toContain('999999');
    await expectTyped(
      () => t.verifier.startFromContact({ actor: t.actor, contactId: '999999' }),
      'contact_not_found',
    );
    await expectTyped(
      () => t.verifier.startForEndUser({ actor: t.actor, email: 'nobody@example.com' }),
      'end_user_not_found',
    );
    expect(await t.verifier.availableMethods({ actor: t.actor, endUserId: 'nobody' })).toEqual([]);
  });

  it('starting from a ticket enforces each precondition with its own error', async () => {
    const t = setup();
    const cases: [string, string, RegExp][] = [
      ['1005', 'ticket_missing_contact', /T20261124\.0005 has no contact/],
      ['1006', 'contact_missing_email', /Eva Schmidt has no email address/],
      ['1007', 'end_user_not_found', /No end-user account matches farid\.haddad@fabrikam\.example/],
      ['1008', 'ticket_missing_company', /T20261124\.0008 has no company/],
    ];
    for (const [ticketId, code, message] of cases) {
      const error = await expectTyped(() => t.verifier.startFromTicket({ actor: t.actor, ticketId }), code);
      expect(error.message).toMatch(message);
    }
    expect(
      t.audit
        .all()
        .filter((r) => r.action === 'start')
        .map((r) => r.detail?.error),
    ).toEqual([
      'ticket_missing_contact',
      'contact_missing_email',
      'end_user_not_found',
      'ticket_missing_company',
    ]);
  });

  it('a send with an unusable method is refused before anything is counted or changed', async () => {
    const t = setup();
    const { session } = await t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-dev' });
    await expectTyped(
      () => t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' }),
      'method_unavailable',
    );
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: session.id })).status).toBe('idle');
    const u = setup({ methods: ['sms'] });
    const s = await u.verifier.startFromTicket({ actor: u.actor, ticketId: '1001' });
    await expectTyped(
      () => u.verifier.send({ actor: u.actor, sessionId: s.session.id, method: 'push' }),
      'method_unavailable',
    );
  });
});
