import { describe, expect, it } from 'vitest';
import { sessionIn } from './machine/fixtures.test-helpers.js';
import { transition } from './machine/transition.js';
import {
  formatVerificationNote,
  OUTCOME_REASON_TEXT,
  type OutcomeReason,
  outcomeReasonOf,
  type VerificationNote,
} from './note.js';

describe('outcomeReasonOf', () => {
  it('tells every way a session ends apart, and says nothing of an open one', () => {
    const cases: [ReturnType<typeof sessionIn>, OutcomeReason | null][] = [
      [sessionIn('idle'), null],
      [sessionIn('sent'), null],
      [sessionIn('awaiting_push'), null],
      [sessionIn('awaiting_code'), null],
      [sessionIn('approved'), 'approved'],
      [sessionIn('denied', { reason: 'device_denied' }), 'end_user_denied'],
      [sessionIn('denied', { reason: 'technician_denied' }), 'technician_denied'],
      [sessionIn('denied', { reason: 'number_mismatch' }), 'wrong_number'],
      [sessionIn('denied', { reason: 'too_many_attempts' }), 'too_many_attempts'],
      [sessionIn('expired'), 'expired'],
      [sessionIn('cancelled'), 'cancelled'],
      [sessionIn('cancelled', { cancelledBy: 'system' }), 'cancelled_by_system'],
      [sessionIn('cancelled', { superseded: true }), 'superseded'],
      [sessionIn('failed'), 'not_delivered'],
    ];
    for (const [session, reason] of cases) expect(outcomeReasonOf(session), session.status).toBe(reason);
    const reasons = new Set(cases.map(([, r]) => r).filter((r) => r !== null));
    expect(reasons.size).toBe(Object.keys(OUTCOME_REASON_TEXT).length);
  });

  it('a superseding cancel marks the session and its event; a plain cancel does not', () => {
    const superseded = transition(sessionIn('sent'), {
      type: 'cancelled',
      now: 1_000_000,
      by: 'technician',
      superseded: true,
    });
    expect(superseded.session).toMatchObject({ status: 'cancelled', superseded: true });
    expect(superseded.effects).toContainEqual(
      expect.objectContaining({
        type: 'emit',
        event: expect.objectContaining({ payload: expect.objectContaining({ superseded: true }) }),
      }),
    );
    const plain = transition(sessionIn('sent'), { type: 'cancelled', now: 1_000_000, by: 'technician' });
    expect(plain.session).not.toHaveProperty('superseded');
  });
});

describe('formatVerificationNote', () => {
  const note: VerificationNote = {
    ticketId: '1001',
    sessionId: 's-1',
    outcome: 'denied',
    method: 'number_match',
    endUser: { id: 'eu-ana', displayName: 'Ana Silva', email: 'ana@example.test' },
    technician: { id: 'tech-1', name: 'A Technician' },
    at: Date.UTC(2026, 10, 30, 9, 0, 0),
    purpose: 'verify',
    weaker: [],
    override: null,
  };

  it('adds the reason line when the reason is known and the outcome is not a success', () => {
    expect(formatVerificationNote({ ...note, reason: 'wrong_number' }).text).toContain(
      `Reason: ${OUTCOME_REASON_TEXT.wrong_number}`,
    );
    expect(formatVerificationNote(note).text).not.toContain('Reason:');
    expect(formatVerificationNote({ ...note, outcome: 'approved', reason: 'approved' }).text).not.toContain(
      'Reason:',
    );
  });
});
