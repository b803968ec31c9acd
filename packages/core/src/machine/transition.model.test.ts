import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChangedBy, type CodeMode, type FallbackReason, METHODS } from '../types.js';
import type { Effect, SessionEvent } from './events.js';
import { EVENT_TYPES, eventOf, sessionIn, T0 } from './fixtures.test-helpers.js';
import { digest, freshModel, type Model, predict } from './machine-model.test-helpers.js';
import {
  isTerminalStatus,
  MAX_SESSION_LIFETIME_MS,
  readSession,
  type SessionStatus,
  type VerificationSession,
} from './session.js';
import { type TransitionResult, transition } from './transition.js';
import { TRANSITION_TABLE } from './transition-table.js';

// Model-based test: random command sequences run against the machine and a small model side by side; a failure
// shrinks to the shortest sequence that still breaks. Each command is one event or a clock advance; once a session
// closes, the test checks that it stays closed and starts a fresh one, so one run visits several sessions. The
// model (machine-model.test-helpers.ts) predicts, for any event in any state, the next status, the effects and the
// refusal; the invariants checked here (table rows, versions, leaks, one outcome) hold whatever the model says.

interface Real {
  session: VerificationSession;
  /** Every plain code and number handed to the machine: none may show up in a session or an emitted event. */
  secrets: string[];
  /** Digests and nonces: stored in sessions, never in an emitted event. */
  hidden: string[];
}

/**
 * What a command hands the machine: the event, the plain values behind its digests (to watch for leaks) and what
 * the model learns if the event is applied (a number or device code the event carries only as a digest).
 */
interface Input {
  event: SessionEvent;
  secrets?: string[];
  learn?: Partial<Model>;
}

const IDLE_TTL = 600_000;
const MAX_COMMANDS = 60;
// Longer than the 10-minute session cap, so single steps run into it.
const MAX_TTL = 15 * 60_000;
// Codes have eight distinct digits and every number in a session stays below 10^7 (T0 + IDLE_TTL + MAX_COMMANDS
// steps of at most MAX_TTL + 1 s), so a code found in a session's JSON can only be a leak, never a timestamp.
const NUMBERS_BELOW = 10_000_000;

const ALLOWED = new Set(TRANSITION_TABLE.flatMap((r) => r.to.map((to) => `${r.from} + ${r.event} -> ${to}`)));
const BASE_KEYS = Object.keys(sessionIn('idle')).filter((k) => k !== 'status');
const OWN_KEYS: Record<SessionStatus, string[]> = {
  idle: [],
  sent: ['route', 'destination', 'codeHash'],
  awaiting_push: ['challengeNonce', 'matchHash'],
  awaiting_code: ['codeHash'],
  approved: ['approvedBy', 'closedAt'],
  denied: ['reason', 'closedAt'],
  expired: ['expiredFrom', 'closedAt'],
  cancelled: ['cancelledBy', 'closedAt'],
  failed: ['reason', 'closedAt'],
};

const signature = (e: Effect): string => {
  if (e.type === 'emit') return `emit:${e.event.name}`;
  if (e.type === 'deliver') return `deliver:${e.route}`;
  if (e.type === 'record_outcome') return `record_outcome:${e.outcome}`;
  return e.type;
};

/**
 * Applies one event to both sides, then checks that they agree and that the invariants hold. Note: each check
 * gathers its findings into one `expect`, because vitest's per-assertion bookkeeping was most of the run time.
 */
function step(m: Model, r: Real, { event, secrets = [], learn = {} }: Input): void {
  r.secrets.push(...secrets);
  r.hidden.push(...secrets.map(digest));
  if (event.type === 'push_sent') r.hidden.push(event.challengeNonce);
  const before = r.session;
  const want = predict(m, event);
  const result = transition(before, event);
  if ('unchanged' in want) {
    // Refused (or a tick before the deadline): the very same session object and nothing to do.
    expect({ ...result, session: result.session === before ? 'the same session' : result.session }).toEqual({
      session: 'the same session',
      effects: [],
      changed: false,
      check: null,
      rejection: want.unchanged && { code: want.unchanged, message: expect.any(String) },
    });
    return;
  }
  const after = result.session;
  // After the deadline any event expires the session; the table lists that move under `tick`.
  const move = `${before.status} + ${want.expired ? 'tick' : event.type} -> ${after.status}`;
  expect({
    move: ALLOWED.has(move) ? move : `${move}, a move missing from TRANSITION_TABLE`,
    changed: result.changed,
    rejection: result.rejection?.code ?? null,
    check: result.check,
    effects: result.effects.map(signature),
    versionStep: after.version - before.version,
    updatedAt: after.updatedAt,
    effectProblems: effectProblems(result, event, r),
    // No session is approved, and no deadline set, past ten minutes after it was created.
    lifetime:
      (after.status === 'approved' && after.closedAt >= after.createdAt + MAX_SESSION_LIFETIME_MS) ||
      after.expiresAt > after.createdAt + MAX_SESSION_LIFETIME_MS
        ? 'beyond the 10-minute cap'
        : 'within',
  }).toEqual({
    move,
    changed: true,
    rejection: want.expired && event.type !== 'tick' ? 'session_expired' : null,
    check: want.check ?? null,
    effects: want.effects,
    versionStep: 1,
    updatedAt: event.now,
    effectProblems: [],
    lifetime: 'within',
  });
  Object.assign(m, want.set, want.expired ? {} : learn, { status: want.to, version: m.version + 1 });
  r.session = after;
  checkSession(m, r);
  if (isTerminalStatus(after.status)) closeAndStartOver(m, r);
}

/** What is wrong with a move's effects, whatever the model says: leaks, a missing outcome, a code gone astray. */
function effectProblems(result: TransitionResult, event: SessionEvent, r: Real): string[] {
  const problems: string[] = [];
  const outcomes = result.effects.filter((e) => e.type === 'record_outcome');
  const closing = isTerminalStatus(result.session.status);
  if (outcomes.length !== (closing ? 1 : 0) || (closing && outcomes[0]?.outcome !== result.session.status))
    problems.push(`record_outcome effects: ${JSON.stringify(outcomes)}`);
  for (const effect of result.effects) {
    if (effect.type === 'emit') {
      const { name, payload } = effect.event;
      const json = JSON.stringify(payload);
      if ('code' in payload) problems.push(`${name} carries a code field`);
      if (payload.sessionId !== result.session.id || payload.at !== event.now)
        problems.push(`${name}: ${json}`);
      for (const value of [...r.secrets, ...r.hidden])
        if (json.includes(value)) problems.push(`${name} leaks ${value}`);
      if (
        name === 'code.checked' &&
        !Object.entries(result.check ?? {}).every(([k, v]) => payload[k as keyof typeof payload] === v)
      )
        problems.push(`${name} disagrees with check: ${json}`);
    }
    if (effect.type === 'deliver') {
      const code = 'code' in event ? event.code : undefined;
      const expected =
        effect.route === 'push'
          ? { type: 'deliver', route: 'push' }
          : { type: 'deliver', route: effect.route, code };
      if (
        JSON.stringify(effect) !== JSON.stringify(expected) ||
        (effect.route !== 'push' && code === undefined)
      )
        problems.push(`deliver: ${JSON.stringify(effect)}`);
    }
  }
  return problems;
}

/**
 * A closed session refuses every event, before and after its deadline, and reads the same at any time. Then the
 * helpdesk starts another session (so one run visits several), with another attempt limit.
 */
function closeAndStartOver(m: Model, r: Real): void {
  const closed = r.session;
  const moved: string[] = [];
  for (const now of [m.now, m.now + NUMBERS_BELOW]) {
    if (readSession(closed, now) !== closed) moved.push(`read at ${now}`);
    for (const type of EVENT_TYPES) {
      const { session, effects, changed, check, rejection } = transition(closed, eventOf(type, now));
      const refused = rejection?.code === 'session_closed' && rejection.message.length > 0;
      if (session !== closed || effects.length > 0 || changed || check !== null || !refused)
        moved.push(`${type} at ${now}`);
    }
  }
  expect(moved, 'a closed session changed').toEqual([]);
  const maxAttempts = (m.maxAttempts % 5) + 1;
  Object.assign(m, freshModel(T0, T0 + IDLE_TTL, maxAttempts));
  r.session = sessionIn('idle', { version: 1, maxAttempts, expiresAt: m.expiresAt, createdAt: T0 });
}

/** The session agrees with the model, carries only its own status's fields and no plain secret. */
function checkSession(m: Model, r: Real): void {
  const s = r.session as VerificationSession & Record<string, unknown>;
  const expected: Record<string, unknown> = {
    status: m.status,
    version: m.version,
    attempts: m.attempts,
    maxAttempts: m.maxAttempts,
    sends: m.sends,
    method: m.method,
    requestedMethod: m.requestedMethod,
    codeMode: m.codeMode,
    expiresAt: m.expiresAt,
    ...m.closedAs,
  };
  if (s.status === 'sent' && m.route !== null)
    Object.assign(expected, {
      route: m.route,
      destination: destination(m.route),
      codeHash: digest(m.code ?? ''),
    });
  if (s.status === 'awaiting_code') expected.codeHash = digest(m.code ?? '');
  if (s.status === 'awaiting_push')
    expected.matchHash = m.method === 'number_match' ? digest(m.number ?? '') : null;
  const json = JSON.stringify(s);
  expect({
    fields: Object.fromEntries(Object.keys(expected).map((key) => [key, s[key]])),
    fallbacks: s.fallbacks.length,
    withinAttemptLimit: s.attempts <= s.maxAttempts,
    // Exactly the base fields and the status's own: no `code` key, no digest left on a closed session.
    keys: Object.keys(s).sort(),
    plainCodes: r.secrets.filter((secret) => json.includes(secret)),
    numbersBelow: Math.max(m.now, s.expiresAt, s.updatedAt) < NUMBERS_BELOW,
  }).toEqual({
    fields: expected,
    fallbacks: m.fallbacks,
    withinAttemptLimit: true,
    keys: [...BASE_KEYS, 'status', ...OWN_KEYS[s.status]].sort(),
    plainCodes: [],
    numbersBelow: true,
  });
}

class EventCommand implements fc.Command<Model, Real> {
  constructor(
    private readonly label: string,
    private readonly build: (m: Model) => Input,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    step(m, r, this.build(m));
  }
  toString = () => this.label;
}

/** Moves the clock, maybe past the deadline. Expiry is lazy: the stored session does not change, it reads expired. */
class AdvanceClock implements fc.Command<Model, Real> {
  constructor(
    private readonly pastDeadline: boolean,
    private readonly by: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    if (this.pastDeadline) m.now = Math.max(m.now, m.expiresAt) + (this.by % 1000);
    else m.now = m.now < m.expiresAt ? Math.min(m.now + this.by, m.expiresAt - 1) : m.now + this.by;
    const read = readSession(r.session, m.now);
    if (m.now < m.expiresAt) {
      expect(read).toBe(r.session);
    } else {
      expect(read).toMatchObject({
        status: 'expired',
        expiredFrom: m.status,
        closedAt: m.expiresAt,
        version: m.version,
      });
      expect(r.session).toMatchObject({ status: m.status, version: m.version });
    }
  }
  toString = () => `advanceClock(${this.pastDeadline ? 'past the deadline + ' : ''}${this.by} ms)`;
}

const code = fc.shuffledSubarray([...'0123456789'], { minLength: 8, maxLength: 8 }).map((d) => d.join(''));
const codeRoute = fc.constantFrom('sms' as const, 'email' as const);
const codeMode = fc.constantFrom<CodeMode>('verify', 'compare');
const ttl = fc.integer({ min: 1, max: MAX_TTL });
const reason = fc.constantFrom<FallbackReason>(
  'no_push_device',
  'notifications_denied',
  'push_failed_permanently',
);
const destination = (route: 'sms' | 'email') => (route === 'sms' ? '+1•••••4567' : 'j•••@example.com');
/** A code other than `expected` (eight distinct digits reversed never read the same). */
const otherThan = (typed: string, expected: string | null) =>
  typed === expected ? [...typed].reverse().join('') : typed;
const cmd = (label: string, params: object, build: (m: Model) => Input) =>
  new EventCommand(`${label}(${JSON.stringify(params)})`, build);

const sendCode = fc.record({ route: codeRoute, codeMode, code, ttl }).map((p) =>
  cmd('sendCode', p, (m) => ({
    event: {
      type: 'code_sent',
      now: m.now,
      method: p.route,
      codeMode: p.codeMode,
      destination: destination(p.route),
      code: p.code,
      codeHash: digest(p.code),
      expiresAt: m.now + p.ttl,
    },
    secrets: [p.code],
  })),
);
const push = (method: 'push' | 'push_code' | 'number_match') =>
  fc.record({ codeMode, number: fc.option(code, { nil: null }), nonce: fc.nat(), ttl }).map((p) =>
    cmd('push', { method, ...p }, (m) => ({
      event: {
        type: 'push_sent',
        now: m.now,
        method,
        codeMode: p.codeMode,
        challengeNonce: `nonce-${p.nonce}`,
        matchHash: p.number === null ? null : digest(p.number),
        expiresAt: m.now + p.ttl,
      },
      secrets: p.number === null ? [] : [p.number],
      learn: { number: method === 'number_match' ? p.number : null },
    })),
  );
const fallBack = fc
  .record({ from: fc.constantFrom(...METHODS), to: codeRoute, reason, codeMode, code, ttl })
  .map((p) =>
    cmd('fallBack', p, (m) => ({
      event: {
        type: 'fell_back',
        now: m.now,
        from: p.from,
        to: p.to,
        reason: p.reason,
        codeMode: p.codeMode,
        destination: destination(p.to),
        code: p.code,
        codeHash: digest(p.code),
        expiresAt: m.now + p.ttl,
      },
      secrets: [p.code],
    })),
  );
const rightCode = fc.constant(
  cmd('rightCode', {}, (m) => ({
    event: { type: 'code_submitted', now: m.now, codeHash: digest(m.code ?? '') },
  })),
);
const wrongCode = code.map((typed) =>
  cmd('wrongCode', { typed }, (m) => ({
    event: { type: 'code_submitted', now: m.now, codeHash: digest(otherThan(typed, m.code)) },
  })),
);
const deviceApprove = fc.record({ code: fc.option(code, { nil: null }), ttl }).map((p) =>
  cmd('deviceApprove', p, (m) => ({
    event:
      p.code === null
        ? { type: 'device_approved', now: m.now, codeHash: null, expiresAt: null }
        : { type: 'device_approved', now: m.now, codeHash: digest(p.code), expiresAt: m.now + p.ttl },
    secrets: p.code === null ? [] : [p.code],
    learn: p.code === null ? {} : { code: p.code },
  })),
);
const numberMatch = fc.constant(
  cmd('numberMatch', {}, (m) => ({
    event: { type: 'number_submitted', now: m.now, numberHash: digest(m.number ?? '') },
  })),
);
const numberMismatch = code.map((typed) =>
  cmd('numberMismatch', { typed }, (m) => ({
    event: { type: 'number_submitted', now: m.now, numberHash: digest(otherThan(typed, m.number)) },
  })),
);
const simple = (
  label: string,
  type: 'technician_approved' | 'technician_denied' | 'device_denied' | 'tick',
) => fc.constant(cmd(label, {}, (m) => ({ event: { type, now: m.now } })));
const cancel = fc
  .constantFrom<ChangedBy>('technician', 'device', 'system')
  .map((by) => cmd('cancel', { by }, (m) => ({ event: { type: 'cancelled', now: m.now, by } })));
const deliveryFailed = fc
  .constantFrom('provider down', 'unreachable')
  .map((why) =>
    cmd('deliveryFailed', { why }, (m) => ({ event: { type: 'delivery_failed', now: m.now, reason: why } })),
  );
const advanceClock = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: MAX_TTL }))
  .map(([past, by]) => new AdvanceClock(past, by));

// Events that close a session from any state come up less often, so runs reach the deeper states (a push + code
// session's last attempt).
const weighted = (weight: number, arbitraries: fc.Arbitrary<fc.Command<Model, Real>>[]) =>
  arbitraries.map((arbitrary) => ({ arbitrary, weight }));
const commands = fc.commands(
  [
    fc.oneof(
      ...weighted(6, [sendCode, push('push'), push('push_code'), push('number_match'), fallBack]),
      ...weighted(6, [rightCode, wrongCode, simple('technicianApprove', 'technician_approved')]),
      ...weighted(6, [deviceApprove, numberMatch, numberMismatch]),
      ...weighted(1, [simple('technicianDeny', 'technician_denied'), simple('deviceDeny', 'device_denied')]),
      ...weighted(1, [cancel, deliveryFailed, simple('tick', 'tick'), advanceClock]),
    ),
  ],
  { maxCommands: MAX_COMMANDS, size: 'max' },
);

describe('transition, model-based', () => {
  it('agrees with the model on every event and keeps the invariants', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const setup = () => ({
          model: freshModel(T0, T0 + IDLE_TTL, 5),
          real: {
            session: sessionIn('idle', {
              version: 1,
              maxAttempts: 5,
              expiresAt: T0 + IDLE_TTL,
              createdAt: T0,
            }),
            secrets: [],
            hidden: [],
          },
        });
        fc.modelRun(setup, cmds);
      }),
      { numRuns: 300 },
    );
  });
});
