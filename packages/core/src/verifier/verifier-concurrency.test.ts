import { describe, expect, it } from 'vitest';
import { isQdeskError } from '../errors.js';
import { setup, wrongCode } from './setup.test-helpers.js';

describe('verifier concurrency', () => {
  it('1,000 simultaneous approve / deny / wrong-code / right-code calls end in exactly one outcome', async () => {
    for (let round = 0; round < 5; round++) {
      const t = setup();
      const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
      await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
      const code = t.lastCode();
      const calls = Array.from({ length: 1000 }, (_, i) => {
        const base = { actor: t.actor, sessionId: session.id };
        switch ((i * 7 + round) % 4) {
          case 0:
            return t.verifier.approve(base).then(() => 'approve');
          case 1:
            return t.verifier.deny(base).then(() => 'deny');
          case 2:
            return t.verifier
              .checkCode({ ...base, code: wrongCode(code) })
              .then((r) => (r.correct ? 'right' : 'wrong'));
          default:
            return t.verifier.checkCode({ ...base, code }).then((r) => (r.correct ? 'right' : 'wrong'));
        }
      });
      const settled = await Promise.allSettled(calls);
      for (const s of settled) {
        if (s.status === 'rejected') {
          expect(isQdeskError(s.reason)).toBe(true);
          // end_user_locked: 500 concurrent checks pass the 100 consecutive-failure cap, which holds under races.
          expect(['session_closed', 'invalid_transition', 'end_user_locked']).toContain(s.reason.code);
        }
      }
      const final = await t.verifier.getSession({ actor: t.actor, sessionId: session.id });
      expect(['approved', 'denied']).toContain(final.status);
      expect(final.attempts).toBeLessThanOrEqual(5);

      const ok = settled
        .filter((s) => s.status === 'fulfilled')
        .map((s) => (s as PromiseFulfilledResult<string>).value);
      const closers = t.audit.all().filter((r) => r.action === 'outcome');
      expect(closers).toHaveLength(1);
      expect(closers[0]!.result).toBe(final.status);
      expect(t.psa.notes('1001')).toHaveLength(1);
      expect(ok.filter((r) => r === 'right').length).toBe(final.status === 'approved' ? 1 : 0);
      const deniedByTechnician = final.status === 'denied' && final.reason === 'technician_denied';
      expect(ok.filter((r) => r === 'deny').length).toBe(deniedByTechnician ? 1 : 0);
      expect(ok.filter((r) => r === 'approve')).toEqual([]); // verify mode: approving by eye is refused
      const wrong = t.audit.all().filter((r) => r.action === 'check_code' && r.detail?.correct === false);
      expect(wrong.length).toBe(final.attempts - (final.status === 'approved' ? 1 : 0));
      expect(
        t.events.filter((e) => e.name === 'session.approved' || e.name === 'session.denied'),
      ).toHaveLength(1);
    }
  });
});
