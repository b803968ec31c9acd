import { describe, expect, it } from 'vitest';
import type { Effect, SessionEvent } from './events.js';
import {
  CODE,
  DEADLINE,
  EVENT_TYPES,
  eventOf,
  RIGHT,
  sessionIn,
  T0,
  WRONG,
} from './fixtures.test-helpers.js';
import type { SessionStatus, VerificationSession } from './session.js';
import { transition } from './transition.js';
import { TRANSITION_TABLE } from './transition-table.js';

// Expected outcome of every (state, event) pair: the next status, or the rejection code.
// Sessions: idle; sent = SMS code in verify mode; awaiting_push = plain push; awaiting_code = push_code approved.
type Expect = SessionStatus | 'x:invalid' | 'x:closed' | 'same' | 'HANDED';
const TABLE: Record<'idle' | 'sent' | 'awaiting_push' | 'awaiting_code', Record<string, Expect>> = {
  idle: {
    code_sent: 'sent',
    push_sent: 'awaiting_push',
    fell_back: 'sent',
    delivery_failed: 'failed',
    code_submitted: 'x:invalid',
    technician_approved: 'x:invalid',
    technician_denied: 'denied',
    device_approved: 'x:invalid',
    device_denied: 'x:invalid',
    number_submitted: 'x:invalid',
    cancelled: 'cancelled',
    handed_over: 'HANDED',
    tick: 'same',
  },
  sent: {
    code_sent: 'sent',
    push_sent: 'x:invalid',
    fell_back: 'x:invalid',
    delivery_failed: 'failed',
    code_submitted: 'approved',
    technician_approved: 'x:invalid',
    technician_denied: 'denied',
    device_approved: 'x:invalid',
    device_denied: 'x:invalid',
    number_submitted: 'x:invalid',
    cancelled: 'cancelled',
    handed_over: 'HANDED',
    tick: 'same',
  },
  awaiting_push: {
    code_sent: 'x:invalid',
    push_sent: 'x:invalid',
    fell_back: 'sent',
    delivery_failed: 'failed',
    code_submitted: 'x:invalid',
    technician_approved: 'x:invalid',
    technician_denied: 'denied',
    device_approved: 'approved',
    device_denied: 'denied',
    number_submitted: 'x:invalid',
    cancelled: 'cancelled',
    handed_over: 'HANDED',
    tick: 'same',
  },
  awaiting_code: {
    code_sent: 'x:invalid',
    push_sent: 'x:invalid',
    fell_back: 'x:invalid',
    delivery_failed: 'x:invalid',
    code_submitted: 'approved',
    technician_approved: 'x:invalid',
    technician_denied: 'denied',
    device_approved: 'x:invalid',
    device_denied: 'denied',
    number_submitted: 'x:invalid',
    cancelled: 'cancelled',
    handed_over: 'HANDED',
    tick: 'same',
  },
};
const TERMINAL: SessionStatus[] = ['approved', 'denied', 'expired', 'cancelled', 'failed'];

describe('transition: every state x event pair', () => {
  for (const [status, row] of Object.entries(TABLE)) {
    for (const type of EVENT_TYPES) {
      const expected = row[type]!;
      it(`${status} + ${type} -> ${expected}`, () => {
        const before = sessionIn(status as SessionStatus);
        const result = transition(before, eventOf(type));
        if (expected === 'HANDED') {
          // Same state, another technician, every other field kept.
          expect(result.session).toEqual({
            ...before,
            version: before.version + 1,
            updatedAt: T0,
            technician: { id: 'tech-2', name: 'Second Tech' },
          });
          // Announced, so a screen showing it to the technician who had it reads it again.
          expect(result.effects).toEqual([
            {
              type: 'emit',
              event: {
                name: 'session.handed_over',
                payload: expect.objectContaining({
                  sessionId: before.id,
                  from: before.technician,
                  to: { id: 'tech-2', name: 'Second Tech' },
                }),
              },
            },
          ]);
        } else if (expected === 'same') {
          expect(result.changed).toBe(false);
          expect(result.rejection).toBeNull();
          expect(result.session).toBe(before);
        } else if (expected.startsWith('x:')) {
          expect(result.rejection?.code).toBe('invalid_transition');
          expect(result.changed).toBe(false);
          expect(result.session).toBe(before);
          expect(result.effects).toEqual([]);
        } else {
          expect(result.rejection).toBeNull();
          expect(result.changed).toBe(true);
          expect(result.session.status).toBe(expected);
          expect(result.session.version).toBe(before.version + 1);
          expect(result.session.updatedAt).toBe(T0);
        }
      });
    }
  }
  for (const status of TERMINAL) {
    it(`${status} refuses every event as closed`, () => {
      const before = sessionIn(status);
      for (const type of EVENT_TYPES) {
        const result = transition(before, eventOf(type));
        expect(result.session).toBe(before);
        expect(result.changed).toBe(false);
        expect(result.effects).toEqual([]);
        expect(result.rejection?.code).toBe('session_closed');
      }
    });
  }
  it('every active state turns expired on any event at or after its deadline', () => {
    for (const status of Object.keys(TABLE) as SessionStatus[]) {
      for (const type of EVENT_TYPES) {
        const result = transition(sessionIn(status), eventOf(type, DEADLINE));
        expect(result.session.status).toBe('expired');
        expect(result.rejection?.code ?? 'none').toBe(type === 'tick' ? 'none' : 'session_expired');
        expect(result.effects.filter((e) => e.type === 'record_outcome')).toEqual([
          { type: 'record_outcome', outcome: 'expired' },
        ]);
      }
    }
  });
});

describe('transition: flows', () => {
  it('counts a wrong code and denies on the fifth', () => {
    let session = sessionIn('sent');
    for (let i = 1; i <= 4; i++) {
      session = transition(session, { type: 'code_submitted', now: T0, codeHash: WRONG }).session;
      expect(session.status).toBe('sent');
      expect(session.attempts).toBe(i);
    }
    const last = transition(session, { type: 'code_submitted', now: T0, codeHash: WRONG });
    expect(last.session.status).toBe('denied');
    expect(last.session.attempts).toBe(5);
    expect(last.session.status === 'denied' && last.session.reason).toBe('too_many_attempts');
    // The failure itself is counted by the verifier before the check (so parallel checks cannot pass the cap).
    expect(last.effects.map((e) => e.type)).toEqual(['emit', 'emit', 'record_outcome']);
    expect(last.check).toEqual({ correct: false, attempts: 5, attemptsLeft: 0 });
  });

  it('in compare mode refuses code checks and accepts the technician approval', () => {
    const session = sessionIn('sent', { codeMode: 'compare' });
    expect(transition(session, eventOf('code_submitted')).rejection?.code).toBe('invalid_transition');
    expect(transition(session, eventOf('technician_approved')).session.status).toBe('approved');
  });

  it('push_code: device approval needs a code and leads to awaiting_code', () => {
    const session = sessionIn('awaiting_push', { method: 'push_code', requestedMethod: 'push_code' });
    expect(transition(session, eventOf('device_approved')).rejection?.code).toBe('invalid_transition');
    const next = transition(session, {
      type: 'device_approved',
      now: T0,
      codeHash: 'c'.repeat(64),
      expiresAt: T0 + 600_000,
    });
    expect(next.session.status).toBe('awaiting_code');
    // Capped at ten minutes after the session was created (1 s before T0 in the fixtures).
    expect(next.session.expiresAt).toBe(session.createdAt + 600_000);
  });

  it('number_match: only the matching number approves; a wrong one denies', () => {
    const session = sessionIn('awaiting_push', {
      method: 'number_match',
      requestedMethod: 'number_match',
      matchHash: 'm'.repeat(64),
    });
    expect(transition(session, eventOf('device_approved')).rejection?.code).toBe('invalid_transition');
    expect(
      transition(session, { type: 'number_submitted', now: T0, numberHash: 'm'.repeat(64) }).session.status,
    ).toBe('approved');
    const wrong = transition(session, { type: 'number_submitted', now: T0, numberHash: WRONG });
    expect(wrong.session.status).toBe('denied');
    expect(wrong.session.status === 'denied' && wrong.session.reason).toBe('number_mismatch');
  });

  it('a fallback records its reason and keeps the requested method', () => {
    const result = transition(sessionIn('awaiting_push'), {
      ...eventOf('fell_back'),
      reason: 'push_failed_permanently',
    } as ReturnType<typeof eventOf>);
    expect(result.session.status).toBe('sent');
    expect(result.session.requestedMethod).toBe('push');
    expect(result.session.method).toBe('sms');
    expect(result.session.fallbacks).toEqual([
      { from: 'push', to: 'sms', reason: 'push_failed_permanently', at: T0 },
    ]);
    expect(result.effects[0]).toMatchObject({ type: 'emit', event: { name: 'session.fell_back' } });
  });

  it('a resend keeps the attempt count and replaces the code', () => {
    const sent = sessionIn('sent', { attempts: 2 });
    const again = transition(sent, { ...eventOf('code_sent'), codeHash: 'c'.repeat(64) } as ReturnType<
      typeof eventOf
    >);
    expect(again.session.attempts).toBe(2);
    expect(again.session.status === 'sent' && again.session.codeHash).toBe('c'.repeat(64));
    expect(again.session.sends).toBe(2);
  });

  it('events carry no secret', () => {
    const result = transition(sessionIn('sent'), eventOf('code_submitted'));
    expect(JSON.stringify(result.effects)).not.toContain('a'.repeat(64));
  });

  it('a sent code leaves the machine only in the deliver effect and is never stored', () => {
    for (const [from, type] of [
      ['idle', 'code_sent'],
      ['sent', 'code_sent'],
      ['idle', 'fell_back'],
      ['awaiting_push', 'fell_back'],
    ] as const) {
      const result = transition(sessionIn(from), eventOf(type));
      expect(result.session.status).toBe('sent');
      expect(result.session).toMatchObject({ route: 'sms', codeHash: RIGHT });
      expect(result.session).not.toHaveProperty('code');
      expect(JSON.stringify(result.session)).not.toContain(CODE);
      const carrying = result.effects.filter((e) => JSON.stringify(e).includes(CODE));
      expect(carrying).toEqual([{ type: 'deliver', route: 'sms', code: CODE }]);
      expect(result.effects.at(-1)).toEqual({ type: 'deliver', route: 'sms', code: CODE });
    }
  });

  it('a push is delivered without a code', () => {
    const result = transition(sessionIn('idle'), eventOf('push_sent'));
    expect(result.effects).toContainEqual({ type: 'deliver', route: 'push' });
    const deliver = result.effects.find((e) => e.type === 'deliver');
    expect(deliver).not.toHaveProperty('code');
  });

  it('announces a send, saying whether it is a resend', () => {
    const first = transition(sessionIn('idle'), eventOf('code_sent'));
    const again = transition(first.session, eventOf('code_sent'));
    expect(emitted(first.effects)).toEqual([
      ['session.sent', expect.objectContaining({ route: 'sms', destination: 'd', resend: false })],
    ]);
    expect(emitted(again.effects)).toEqual([
      ['session.sent', expect.objectContaining({ route: 'sms', destination: 'd', resend: true })],
    ]);
  });

  it('reports each code check in `check` and in a code.checked event', () => {
    const wrong = transition(sessionIn('sent'), { type: 'code_submitted', now: T0, codeHash: WRONG });
    expect(wrong.check).toEqual({ correct: false, attempts: 1, attemptsLeft: 4 });
    expect(emitted(wrong.effects)).toEqual([
      ['code.checked', expect.objectContaining({ correct: false, attempts: 1, attemptsLeft: 4 })],
    ]);
    const right = transition(wrong.session, { type: 'code_submitted', now: T0, codeHash: RIGHT });
    expect(right.check).toEqual({ correct: true, attempts: 2, attemptsLeft: 3 });
    expect(emitted(right.effects).map(([name]) => name)).toEqual(['code.checked', 'session.approved']);
  });

  it('leaves `check` null for a refused code and for every other event', () => {
    expect(
      transition(sessionIn('sent', { codeMode: 'compare' }), eventOf('code_submitted')).check,
    ).toBeNull();
    expect(transition(sessionIn('idle'), eventOf('code_submitted')).check).toBeNull();
    expect(transition(sessionIn('sent'), eventOf('code_submitted', DEADLINE)).check).toBeNull();
    for (const type of EVENT_TYPES.filter((t) => t !== 'code_submitted')) {
      for (const status of ['idle', 'sent', 'awaiting_push', 'awaiting_code'] as const) {
        expect(transition(sessionIn(status), eventOf(type)).check).toBeNull();
      }
    }
  });

  it("reports the device's answer before the outcome", () => {
    const approved = transition(sessionIn('awaiting_push'), eventOf('device_approved'));
    expect(emitted(approved.effects)).toEqual([
      ['device.answered', expect.objectContaining({ answer: 'approved' })],
      ['session.approved', expect.objectContaining({ approvedBy: 'device' })],
    ]);
    const denied = transition(sessionIn('awaiting_code'), eventOf('device_denied'));
    expect(emitted(denied.effects)).toEqual([
      ['device.answered', expect.objectContaining({ answer: 'denied' })],
      ['session.denied', expect.objectContaining({ reason: 'device_denied' })],
    ]);
  });
});

/** The name and payload of each `emit` effect, in order. */
function emitted(effects: Effect[]): [string, unknown][] {
  return effects.flatMap((e) =>
    e.type === 'emit' ? [[e.event.name, e.event.payload] as [string, unknown]] : [],
  );
}

// Small grids of sessions and events that between them reach every move of the machine: the table is checked
// against what the machine does on every pair (no move outside the table, no row the machine never takes).
const MATCH = 'm'.repeat(64);
const SESSIONS: VerificationSession[] = [
  sessionIn('idle'),
  sessionIn('sent'),
  sessionIn('sent', { codeMode: 'compare' }),
  sessionIn('sent', { attempts: 4 }),
  sessionIn('awaiting_push'),
  sessionIn('awaiting_push', { method: 'push_code', requestedMethod: 'push_code' }),
  sessionIn('awaiting_push', { method: 'number_match', requestedMethod: 'number_match', matchHash: MATCH }),
  sessionIn('awaiting_code'),
  sessionIn('awaiting_code', { codeMode: 'compare' }),
  sessionIn('awaiting_code', { attempts: 4 }),
];
const EVENTS: SessionEvent[] = [
  ...EVENT_TYPES.map((type) => eventOf(type)),
  ...EVENT_TYPES.map((type) => eventOf(type, DEADLINE)),
  { type: 'code_submitted', now: T0, codeHash: WRONG },
  { type: 'device_approved', now: T0, codeHash: RIGHT, expiresAt: T0 + 600_000 },
  { type: 'number_submitted', now: T0, numberHash: MATCH },
];
const rowKey = (from: string, event: string, to: string) => `${from} + ${event} -> ${to}`;
const TABLE_MOVES = TRANSITION_TABLE.flatMap((row) => row.to.map((to) => rowKey(row.from, row.event, to)));

describe('TRANSITION_TABLE', () => {
  const taken = new Set<string>();
  for (const session of SESSIONS) {
    for (const event of EVENTS) {
      const result = transition(session, event);
      // A move after the deadline is listed under `tick`, whatever the event.
      const as = event.now >= session.expiresAt ? 'tick' : event.type;
      if (result.changed) taken.add(rowKey(session.status, as, result.session.status));
    }
  }

  it('lists every move the machine makes on the grid', () => {
    expect([...taken].filter((move) => !TABLE_MOVES.includes(move))).toEqual([]);
  });

  it.each(TABLE_MOVES)('%s is a move the machine makes', (move) => {
    expect(taken.has(move)).toBe(true);
  });

  it('has no duplicate row', () => {
    const rows = TRANSITION_TABLE.map((row) => `${row.from} + ${row.event}`);
    expect(new Set(rows).size).toBe(rows.length);
  });
});
