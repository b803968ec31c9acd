import { z } from 'zod';
import { text } from '../internal/text.js';
import { MAX_SESSION_LIFETIME_MS } from '../machine/session.js';
import { CONTACT_SOURCES, type CodeMode, type ContactSource, METHODS, type Method } from '../types.js';

// What a verification may do, its NIST SP 800-63B rev 4 defaults, and the weaker choices a customer can turn on
// only with a recorded risk acceptance. The verifier layers policies: its configuration, then the tenant's stored
// default, then the customer's own (see `resolvePolicy` in runtime.ts).

const MINUTE = 60_000;

/**
 * A choice weaker than NIST SP 800-63B rev 4 allows for out-of-band verification. A policy may turn one on only
 * with a {@link RiskAcceptance} for it, and every note and audit record of a verification that used it says so.
 * - `push`: approve-only push (whoever holds the phone taps Approve; 3.1.3 says it does not conform).
 * - `email`: email codes as a method (3.1.3.1: email SHALL NOT be used for out-of-band authentication).
 * - `email_fallback`: a push method falling back to an email code.
 * - `compare`: the technician compares a code by eye instead of QDesk checking it.
 * @public
 */
export type WeakerChoice = 'push' | 'email' | 'email_fallback' | 'compare';

/** Every {@link WeakerChoice}. @public */
export const WEAKER_CHOICES: readonly WeakerChoice[] = ['push', 'email', 'email_fallback', 'compare'];

/** Who accepted the risk of a {@link WeakerChoice}, when and why. @public */
export interface RiskAcceptance {
  /** The weaker choice accepted. */
  choice: WeakerChoice;
  /** The administrator who accepted it. */
  acceptedBy: { id: string; name: string };
  /** Epoch milliseconds. */
  acceptedAt: number;
  /** Why the customer accepts the risk (at least 10 characters). */
  reason: string;
}

/**
 * What a verification is allowed to do. Every field has a default that meets NIST SP 800-63B rev 4 and OWASP ASVS
 * 5.0; the docs' security page maps each to its clause.
 * @public
 */
export interface VerificationPolicy {
  /** Digits in a code (6-10, default 6). */
  codeLength: number;
  /** Lifetime of a code session in ms (30 s to 10 min, default 10 min). No session outlives 10 min from its start. */
  codeTtlMs: number;
  /** Window for the device to answer a push in ms (10 s to 5 min, default 60 s). */
  pushTtlMs: number;
  /** Code checks per session before it is denied (1-10, default 5). */
  maxAttempts: number;
  /** Sends per end-user per `sendWindowMs` (default 5). */
  sendsPerWindow: number;
  /** Window for `sendsPerWindow` in ms (default 10 min). */
  sendWindowMs: number;
  /** Pushes per end-user per `pushWindowMs`, against push bombing (default 5). */
  pushesPerWindow: number;
  /** Window for `pushesPerWindow` in ms (default 10 min). */
  pushWindowMs: number;
  /**
   * Consecutive failed checks (wrong codes, wrong numbers) per end-user before every check and send is refused
   * (1-100, default 100). A new code does not reset it; a success or an administrator's unlock does.
   */
  maxConsecutiveFailures: number;
  /** Code mode of a new session (default `verify`). */
  codeMode: CodeMode;
  /** Code modes a technician may pick (default `['verify']`; `compare` needs a risk acceptance). */
  allowedCodeModes: CodeMode[];
  /** Methods offered, in the order a picker shows them (default number match, push + code, SMS; `push` and `email` need a risk acceptance). */
  methods: Method[];
  /** Code routes a push method falls back to, in order (default `['sms']`; `email` needs a risk acceptance). */
  fallback: ('sms' | 'email')[];
  /** Write the outcome on the ticket when the PSA can (default true). */
  writeNotes: boolean;
  /**
   * Let a technician bind a verification to a ticket of another customer than the end-user's, giving a reason the
   * note records (default false: such a start is refused).
   */
  allowTicketOverride: boolean;
  /** The recorded acceptances that turn weaker choices on (default none). */
  riskAcceptances: RiskAcceptance[];
  /**
   * Where a mobile number must come from for a code to be texted to it (default `'any'`). For example
   * `['idp_mfa', 'directory']`: never to a number only the PSA holds. A number whose source is not recorded counts as
   * none of them.
   */
  smsSources: 'any' | ContactSource[];
  /**
   * A mobile number a directory sync saw change within this many days is treated as a new authenticator (NIST SP
   * 800-63B rev 4, 3.1.3.3): no code is texted to it, so the technician steps up to another method (default 7, 0 to
   * turn it off, at most 365).
   */
  newPhoneDays: number;
}

/** A policy layer: the fields it sets; the rest come from the layer below. @public */
export type PolicySettings = Partial<VerificationPolicy>;

const methodSchema = z.enum(METHODS as [Method, ...Method[]]);
const codeModeSchema = z.enum(['verify', 'compare']);
const riskAcceptanceSchema = z
  .object({
    choice: z.enum(WEAKER_CHOICES as [WeakerChoice, ...WeakerChoice[]]),
    acceptedBy: z.object({ id: text(128), name: text(100) }).strict(),
    acceptedAt: z.number().int().nonnegative(),
    reason: text(500).min(10, 'say why the customer accepts the risk (at least 10 characters)'),
  })
  .strict();

/** The fields of a policy, each bounded; a layer may set any of them. @internal */
export const policyFields = {
  codeLength: z.number().int().min(6).max(10),
  codeTtlMs: z.number().int().min(30_000).max(MAX_SESSION_LIFETIME_MS),
  pushTtlMs: z
    .number()
    .int()
    .min(10_000)
    .max(5 * MINUTE),
  maxAttempts: z.number().int().min(1).max(10),
  sendsPerWindow: z.number().int().min(1).max(1000),
  sendWindowMs: z.number().int().min(1000),
  pushesPerWindow: z.number().int().min(1).max(1000),
  pushWindowMs: z.number().int().min(1000),
  maxConsecutiveFailures: z.number().int().min(1).max(100),
  codeMode: codeModeSchema,
  allowedCodeModes: z.array(codeModeSchema).min(1),
  methods: z.array(methodSchema).min(1),
  fallback: z.array(z.enum(['sms', 'email'])),
  writeNotes: z.boolean(),
  allowTicketOverride: z.boolean(),
  riskAcceptances: z.array(riskAcceptanceSchema).max(20),
  smsSources: z.union([
    z.literal('any'),
    z
      .array(z.enum(CONTACT_SOURCES as [ContactSource, ...ContactSource[]]))
      .min(1, "name at least one source, or 'any'"),
  ]),
  newPhoneDays: z.number().int().min(0).max(365),
};

/** The NIST SP 800-63B rev 4 defaults. @public */
export const DEFAULT_POLICY: Readonly<VerificationPolicy> = Object.freeze<VerificationPolicy>({
  codeLength: 6,
  codeTtlMs: 10 * MINUTE,
  pushTtlMs: MINUTE,
  maxAttempts: 5,
  sendsPerWindow: 5,
  sendWindowMs: 10 * MINUTE,
  pushesPerWindow: 5,
  pushWindowMs: 10 * MINUTE,
  maxConsecutiveFailures: 100,
  codeMode: 'verify',
  allowedCodeModes: ['verify'],
  methods: ['number_match', 'push_code', 'sms'],
  fallback: ['sms'],
  writeNotes: true,
  allowTicketOverride: false,
  riskAcceptances: [],
  smsSources: 'any',
  newPhoneDays: 7,
});

/** A policy layer as stored or configured: any subset of the fields, nothing else. @internal */
export const settingsSchema = z.object(policyFields).partial().strict();

/** The weaker choices a policy turns on. @internal */
export function weakerChoicesOf(policy: VerificationPolicy): WeakerChoice[] {
  const used: WeakerChoice[] = [];
  if (policy.methods.includes('push')) used.push('push');
  if (policy.methods.includes('email')) used.push('email');
  if (policy.fallback.includes('email')) used.push('email_fallback');
  if (policy.allowedCodeModes.includes('compare')) used.push('compare');
  return used;
}

const WEAKER_TEXT: Record<WeakerChoice, string> = {
  push: 'approve-only push',
  email: 'email codes',
  email_fallback: 'falling back to an email code',
  compare: 'comparing codes by eye',
};

/** Words for a weaker choice, for notes and errors. @public */
export function weakerChoiceText(choice: WeakerChoice): string {
  return WEAKER_TEXT[choice];
}

/** Problems of a complete policy: every weaker choice needs an acceptance; the default code mode must be allowed. @internal */
export function policyProblems(policy: VerificationPolicy): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!policy.allowedCodeModes.includes(policy.codeMode)) {
    problems.push({ path: 'codeMode', message: 'must be one of allowedCodeModes' });
  }
  for (const choice of weakerChoicesOf(policy)) {
    if (!policy.riskAcceptances.some((a) => a.choice === choice)) {
      problems.push({
        path: 'riskAcceptances',
        message: `${WEAKER_TEXT[choice]} is weaker than NIST SP 800-63B rev 4 allows; turn it on only with a risk acceptance { choice: '${choice}', acceptedBy, acceptedAt, reason }`,
      });
    }
  }
  return problems;
}

/** Lays `layers` over `base`, later layers winning field by field. Does not validate. @internal */
export function layerPolicy(
  base: VerificationPolicy,
  ...layers: (PolicySettings | null)[]
): VerificationPolicy {
  const out: VerificationPolicy = { ...base };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [field, value] of Object.entries(layer)) {
      if (value !== undefined) (out as unknown as Record<string, unknown>)[field] = value;
    }
  }
  return out;
}

/**
 * The weaker choices a session actually used, from its method and code mode (an empty list for a conforming
 * verification). @internal
 */
export function weakerChoicesUsed(session: {
  method: Method | null;
  codeMode: CodeMode;
  fallbacks: readonly { to: 'sms' | 'email' }[];
}): WeakerChoice[] {
  const used: WeakerChoice[] = [];
  if (session.method === 'push') used.push('push');
  if (session.method === 'email') {
    used.push(session.fallbacks.some((f) => f.to === 'email') ? 'email_fallback' : 'email');
  }
  const codeJudged = session.method === 'sms' || session.method === 'email' || session.method === 'push_code';
  if (codeJudged && session.codeMode === 'compare') used.push('compare');
  return used;
}
