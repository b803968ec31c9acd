import { describe, expect, it } from 'vitest';
import { isQdeskError, RateLimitError } from '../errors.js';
import { setup, wrongCode } from './setup.test-helpers.js';

describe('verifier limits and security rules', () => {
  it('denies after five wrong codes, and the right code then changes nothing', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const code = t.lastCode();
    for (let i = 1; i <= 4; i++) {
      const r = await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(code) });
      expect(r).toMatchObject({ correct: false, attemptsLeft: 5 - i, session: { status: 'sent' } });
    }
    const fifth = await t.verifier.checkCode({
      actor: t.actor,
      sessionId: session.id,
      code: wrongCode(code),
    });
    expect(fifth).toMatchObject({
      correct: false,
      attemptsLeft: 0,
      session: { status: 'denied', reason: 'too_many_attempts' },
    });
    await expect(t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code })).rejects.toMatchObject(
      { code: 'session_closed' },
    );
    expect(t.psa.notes('1001').map((n) => n.title)).toEqual(['QDesk: Unable to Verify Identity: Ana Silva']);
  });

  it('a resent code replaces the old one (single use) and keeps the attempt count', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const first = t.lastCode();
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(first) });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    const second = t.lastCode();
    if (first !== second) {
      expect(
        (await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: first })).correct,
      ).toBe(false);
    }
    const ok = await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: second });
    expect(ok.correct).toBe(true);
    expect(ok.session.attempts).toBe(first !== second ? 3 : 2);
  });

  it('a code is valid only for its own session', async () => {
    const t = setup();
    const a = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001', ifActive: 'supersede' });
    const b = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1002', ifActive: 'supersede' });
    await t.verifier.send({ actor: t.actor, sessionId: a.session.id, method: 'sms' });
    const codeA = t.lastCode();
    await t.verifier.send({ actor: t.actor, sessionId: b.session.id, method: 'sms' });
    if (codeA !== t.lastCode()) {
      expect(
        (await t.verifier.checkCode({ actor: t.actor, sessionId: b.session.id, code: codeA })).correct,
      ).toBe(false);
    }
  });

  it('a code session expires after ten minutes', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    t.clock.advance(10 * 60_000);
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode() }),
    ).rejects.toMatchObject({
      code: 'session_expired',
    });
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: session.id })).status).toBe('expired');
  });

  it('allows five sends per end-user per ten minutes, then a typed rate limit until the window passes', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) {
      const { session } = await t.verifier.startFromTicket({
        actor: t.actor,
        ticketId: '1001',
        ifActive: 'supersede',
      });
      await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    }
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    const error = await t.verifier
      .send({ actor: t.actor, sessionId: session.id, method: 'sms' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 600_000 });
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: session.id })).status).toBe('idle');
    t.clock.advance(10 * 60_000);
    const fresh = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: fresh.session.id, method: 'sms' }),
    ).resolves.toMatchObject({
      session: { status: 'sent' },
    });
  });

  it('limits pushes per end-user separately (push bombing)', async () => {
    const t = setup({ pushesPerWindow: 2, sendsPerWindow: 10 });
    for (let i = 0; i < 2; i++) {
      const { session } = await t.verifier.startFromTicket({
        actor: t.actor,
        ticketId: '1001',
        ifActive: 'supersede',
      });
      await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    }
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await expect(
      t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
    });
  });

  it('locks an end-user after 100 consecutive failures; new codes do not reset it; a success does', async () => {
    const t = setup({ maxConsecutiveFailures: 3, maxAttempts: 10, sendsPerWindow: 100 });
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(t.lastCode()) });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' }); // a new code: no reset
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(t.lastCode()) });
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: wrongCode(t.lastCode()) });
    const next = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    const locked = await t.verifier
      .send({ actor: t.actor, sessionId: next.session.id, method: 'sms' })
      .catch((e) => e);
    expect(locked).toMatchObject({ code: 'end_user_locked', retryAfterMs: null });

    const u = setup({ maxConsecutiveFailures: 3 });
    const s1 = await u.verifier.startFromTicket({ actor: u.actor, ticketId: '1001', ifActive: 'supersede' });
    await u.verifier.send({ actor: u.actor, sessionId: s1.session.id, method: 'sms' });
    await u.verifier.checkCode({ actor: u.actor, sessionId: s1.session.id, code: wrongCode(u.lastCode()) });
    await u.verifier.checkCode({ actor: u.actor, sessionId: s1.session.id, code: wrongCode(u.lastCode()) });
    await u.verifier.checkCode({ actor: u.actor, sessionId: s1.session.id, code: u.lastCode() });
    const s2 = await u.verifier.startFromTicket({ actor: u.actor, ticketId: '1001', ifActive: 'supersede' });
    await u.verifier.send({ actor: u.actor, sessionId: s2.session.id, method: 'sms' });
    await u.verifier.checkCode({ actor: u.actor, sessionId: s2.session.id, code: wrongCode(u.lastCode()) });
    await u.verifier.checkCode({ actor: u.actor, sessionId: s2.session.id, code: wrongCode(u.lastCode()) });
    const s3 = await u.verifier.startFromTicket({ actor: u.actor, ticketId: '1001', ifActive: 'supersede' });
    await expect(
      u.verifier.send({ actor: u.actor, sessionId: s3.session.id, method: 'sms' }),
    ).resolves.toBeTruthy();
  });

  it('refuses a forged device token without changing the session', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'push' });
    const before = await t.store.get(t.demo.tenantId, session.id);
    const real = (await t.challengeFor('eu-ana')).token;
    for (const token of ['forged', `${real}x`, real.slice(0, -1), 'A'.repeat(real.length)]) {
      await expect(
        t.verifier.answerFromDevice({
          tenantId: t.demo.tenantId,
          sessionId: session.id,
          token,
          answer: 'approve',
        }),
      ).rejects.toMatchObject({
        code: 'unauthorized',
      });
    }
    expect(await t.store.get(t.demo.tenantId, session.id)).toEqual(before);
    // Each refused answer is on file (a token guessed at is an attack worth seeing), without the token.
    const refused = t.audit.all().filter((r) => r.action === 'device_answer' && r.result === 'error');
    expect(refused).toHaveLength(4);
    expect(refused[0]).toMatchObject({
      actor: { type: 'device' },
      detail: { error: 'unauthorized', sessionId: session.id },
    });
    expect(JSON.stringify(refused)).not.toContain(real);
    const other = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: other.session.id, method: 'push' });
    await expect(
      t.verifier.answerFromDevice({
        tenantId: t.demo.tenantId,
        sessionId: other.session.id,
        token: real,
        answer: 'approve',
      }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it("another tenant's technician sees the session as not found and cannot act on it", async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    const intruder = { ...t.actor, tenantId: 'other-msp' };
    for (const op of [
      () => t.verifier.getSession({ actor: intruder, sessionId: session.id }),
      () => t.verifier.send({ actor: intruder, sessionId: session.id, method: 'sms' }),
      () => t.verifier.approve({ actor: intruder, sessionId: session.id }),
      () => t.verifier.cancel({ actor: intruder, sessionId: session.id }),
    ]) {
      await expect(op()).rejects.toMatchObject({ code: 'session_not_found' });
    }
    expect(await t.verifier.pendingChallenges({ tenantId: 'other-msp', endUserId: 'eu-ana' })).toEqual([]);
    expect((await t.verifier.getSession({ actor: t.actor, sessionId: session.id })).status).toBe('idle');
  });

  it('puts no code, token or digest in events or audit records', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms', codeMode: 'compare' });
    const code = t.lastCode();
    await t.verifier.approve({ actor: t.actor, sessionId: session.id });
    const b = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001', ifActive: 'supersede' });
    await t.verifier.send({ actor: t.actor, sessionId: b.session.id, method: 'push_code' });
    const { token } = await t.challengeFor('eu-ana');
    const { code: deviceCode } = await t.verifier.answerFromDevice({
      tenantId: t.demo.tenantId,
      sessionId: b.session.id,
      token,
      answer: 'approve',
    });
    const stored = await t.store.get(t.demo.tenantId, b.session.id);
    const digest = stored?.status === 'awaiting_code' ? stored.codeHash : 'none';
    const published = JSON.stringify([t.events, t.audit.all(), t.psa.notes()]);
    for (const secret of [code, deviceCode!])
      expect(published).not.toMatch(new RegExp(`(?<![\\w-])${secret}(?![\\w-])`));
    expect(published).not.toContain(token);
    expect(published).not.toContain(digest);
    expect(published).not.toMatch(/"(code|codeHash|token|challengeNonce|matchHash)"/);
  });

  it('errors are QdeskErrors a caller can branch on', async () => {
    const t = setup();
    const error = await t.verifier.getSession({ actor: t.actor, sessionId: 'vs_nope' }).catch((e) => e);
    expect(isQdeskError(error)).toBe(true);
    expect(error.name).toBe('NotFoundError');
  });

  it('a code is valid at most 10 minutes from the start, whatever resends and fallbacks happen', async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    t.clock.advance(8 * 60_000);
    const resent = await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    expect(resent.session.expiresAt).toBe(session.createdAt + 10 * 60_000);
    t.clock.advance(2 * 60_000);
    await expect(
      t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode() }),
    ).rejects.toMatchObject({ code: 'session_expired' });
    // A push late in the session gets what is left of the 10 minutes, not a fresh 60 s beyond it.
    const late = await t.verifier.startFromTicket({
      actor: t.actor,
      ticketId: '1001',
      ifActive: 'supersede',
    });
    t.clock.advance(9 * 60_000 + 30_000);
    const pushed = await t.verifier.send({ actor: t.actor, sessionId: late.session.id, method: 'push' });
    expect(pushed.session.expiresAt).toBe(late.session.createdAt + 10 * 60_000);
  });
});
