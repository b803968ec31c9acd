import { z } from 'zod';
import { ConfigError, type FieldIssue, fieldIssues } from '../errors.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Channel } from '../ports/channel.js';
import type { ContactLinks } from '../ports/contact-links.js';
import type { EndUserDirectory } from '../ports/directory.js';
import type { PsaAdapter } from '../ports/psa.js';
import type { RateCounter } from '../ports/rate-counter.js';
import type { Clock, Random } from '../ports/runtime.js';
import type { SessionStore } from '../ports/session-store.js';
import { type CodeMode, METHODS, type Method } from '../types.js';

const MINUTE = 60_000;

/**
 * What a verification is allowed to do. Every field has a safe default; the bounds follow NIST SP 800-63B and
 * OWASP ASVS (see the security rules in the docs).
 * @public
 */
export interface VerificationPolicy {
  /** Digits in a code (6-10, default 6). */
  codeLength: number;
  /** Lifetime of a code session in ms (30 s to 10 min, default 10 min). */
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
  /** Consecutive failures per end-user before new verifications are refused (1-100, default 100); a new code does not reset it, a success does. */
  maxConsecutiveFailures: number;
  /** Default code mode (default `verify`). */
  codeMode: CodeMode;
  /** Code modes a technician may pick per send (default both). */
  allowedCodeModes: CodeMode[];
  /** Methods offered (default all). */
  methods: Method[];
  /** Code routes a push method falls back to, in order (default `['sms', 'email']`). */
  fallback: ('sms' | 'email')[];
  /** Write the outcome on the ticket when the PSA can (default true). */
  writeNotes: boolean;
}

/** Push channels, one per platform or one serving several. @public @inline */
export type PushChannels = Channel | Channel[];

/**
 * Configuration for {@link createVerifier}. Only `secret` and `directory` are required; every other port defaults
 * to its memory implementation.
 * @public
 */
export interface VerifierConfig {
  /** Server key for HMAC of codes and device tokens: at least 32 bytes (a string of 32+ characters, or bytes). Keep it out of the store. */
  secret: string | Uint8Array;
  /** Where end-users are looked up. */
  directory: EndUserDirectory;
  /** The PSA (needed to start from a ticket or a contact, and to write notes). */
  psa?: PsaAdapter | null;
  /** Confirmed contact links: a ticket's contact leads to its linked end-user first, email lookup second. */
  contactLinks?: ContactLinks | null;
  /** Delivery channels by route. */
  channels?: { sms?: Channel; email?: Channel; push?: PushChannels };
  /** Session store (default: memory). */
  store?: SessionStore;
  /** Rate counters for the send, push and failure limits (default: memory). */
  counters?: RateCounter;
  /** Audit log (default: memory). */
  audit?: AuditLog;
  /** Clock (default: system). */
  clock?: Clock;
  /** Randomness (default: Node's CSPRNG). */
  random?: Random;
  /** Policy overrides. */
  policy?: Partial<VerificationPolicy>;
  /** Product name used in messages (default "QDesk"). */
  appName?: string;
}

const methodSchema = z.enum(METHODS as [Method, ...Method[]]);
const codeModeSchema = z.enum(['verify', 'compare']);

const policySchema = z
  .object({
    codeLength: z.number().int().min(6).max(10).default(6),
    codeTtlMs: z
      .number()
      .int()
      .min(30_000)
      .max(10 * MINUTE)
      .default(10 * MINUTE),
    pushTtlMs: z
      .number()
      .int()
      .min(10_000)
      .max(5 * MINUTE)
      .default(MINUTE),
    maxAttempts: z.number().int().min(1).max(10).default(5),
    sendsPerWindow: z.number().int().min(1).max(1000).default(5),
    sendWindowMs: z
      .number()
      .int()
      .min(1000)
      .default(10 * MINUTE),
    pushesPerWindow: z.number().int().min(1).max(1000).default(5),
    pushWindowMs: z
      .number()
      .int()
      .min(1000)
      .default(10 * MINUTE),
    maxConsecutiveFailures: z.number().int().min(1).max(100).default(100),
    codeMode: codeModeSchema.default('verify'),
    allowedCodeModes: z.array(codeModeSchema).min(1).default(['verify', 'compare']),
    methods: z
      .array(methodSchema)
      .min(1)
      .default([...METHODS]),
    fallback: z.array(z.enum(['sms', 'email'])).default(['sms', 'email']),
    writeNotes: z.boolean().default(true),
  })
  .strict()
  .refine((p) => p.allowedCodeModes.includes(p.codeMode), {
    message: 'codeMode must be one of allowedCodeModes',
    path: ['codeMode'],
  });

/**
 * Each port: the methods core calls whatever the port declares, and the optional methods each capability flag
 * promises. Checked at start-up, so a missing method fails at once with one error that lists every gap.
 */
const PORTS: Record<
  string,
  { required: string[]; capabilities?: Record<string, string[]>; versioned: boolean }
> = {
  directory: {
    required: ['getById', 'findByEmail'],
    capabilities: { manageDevices: ['upsertDevice', 'removeDevice', 'reportPermission'] },
    versioned: true,
  },
  psa: {
    required: ['getTicketContext', 'getContact'],
    capabilities: { writeNotes: ['writeVerificationNote'], listRecords: ['listCompanies', 'listContacts'] },
    versioned: true,
  },
  contactLinks: { required: ['endUserForContact'], versioned: true },
  store: { required: ['get', 'create', 'compareAndSet', 'listActive'], versioned: true },
  counters: { required: ['increment', 'count', 'reset'], versioned: true },
  audit: { required: ['append'], capabilities: { query: ['query'] }, versioned: true },
  clock: { required: ['now'], versioned: false },
  random: { required: ['int', 'bytes'], versioned: false },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function portIssues(path: string, value: unknown, port: (typeof PORTS)[string]): FieldIssue[] {
  if (!isObject(value))
    return [{ path, message: `expected an object implementing ${port.required.join(', ')}` }];
  const issues: FieldIssue[] = [];
  if (port.versioned && value.specificationVersion !== 'v1') {
    issues.push({
      path: `${path}.specificationVersion`,
      message: `expected 'v1' (this QDesk implements version v1 of the port), got ${JSON.stringify(value.specificationVersion)}`,
    });
  }
  const missing = port.required.filter((m) => typeof value[m] !== 'function');
  if (missing.length) issues.push({ path, message: `missing method(s): ${missing.join(', ')}` });
  const capabilities = isObject(value.capabilities) ? value.capabilities : null;
  for (const [flag, methods] of Object.entries(port.capabilities ?? {})) {
    if (!capabilities || typeof capabilities[flag] !== 'boolean') {
      issues.push({ path: `${path}.capabilities.${flag}`, message: 'must be true or false' });
      continue;
    }
    const gaps = capabilities[flag] ? methods.filter((m) => typeof value[m] !== 'function') : [];
    if (gaps.length) {
      issues.push({
        path,
        message: `declares ${flag} but lacks ${gaps.join(', ')}; add them or set ${flag}: false`,
      });
    }
  }
  return issues;
}

function channelIssues(path: string, value: unknown, route: string): FieldIssue[] {
  if (!isObject(value)) return [{ path, message: 'expected a channel with send()' }];
  const issues: FieldIssue[] = [];
  if (value.specificationVersion !== 'v1') {
    issues.push({ path: `${path}.specificationVersion`, message: "expected 'v1'" });
  }
  if (typeof value.send !== 'function') issues.push({ path, message: 'missing method(s): send' });
  if (value.route !== route) {
    issues.push({ path, message: `expected a ${route} channel, got route ${JSON.stringify(value.route)}` });
  }
  return issues;
}

/** The validated, defaulted configuration. @internal */
export interface ResolvedConfig {
  key: Uint8Array;
  policy: VerificationPolicy;
}

/** Validates everything `createVerifier` is given; throws one {@link ConfigError} listing every bad field. @internal */
export function resolveConfig(config: VerifierConfig): ResolvedConfig {
  if (!isObject(config)) {
    throw new ConfigError(
      'createVerifier needs a configuration object with at least `secret` and `directory`.',
      {
        issues: [{ path: '(root)', message: 'expected an object' }],
      },
    );
  }
  const issues: FieldIssue[] = [];
  const { secret } = config;
  let key: Uint8Array = new Uint8Array();
  if (typeof secret === 'string') key = new TextEncoder().encode(secret);
  else if (secret instanceof Uint8Array) key = secret;
  if (key.length < 32) {
    issues.push({
      path: 'secret',
      message: 'must be at least 32 bytes of random data (for example 64 hex characters)',
    });
  }
  issues.push(...portIssues('directory', config.directory, PORTS.directory!));
  for (const name of ['psa', 'contactLinks', 'store', 'counters', 'audit', 'clock', 'random'] as const) {
    if (config[name] !== undefined && config[name] !== null)
      issues.push(...portIssues(name, config[name], PORTS[name]!));
  }
  const channels = config.channels ?? {};
  if (!isObject(channels))
    issues.push({ path: 'channels', message: 'expected an object { sms?, email?, push? }' });
  else {
    for (const unknown of Object.keys(channels).filter((k) => !['sms', 'email', 'push'].includes(k))) {
      issues.push({ path: `channels.${unknown}`, message: 'unknown route; use sms, email or push' });
    }
    if (channels.sms) issues.push(...channelIssues('channels.sms', channels.sms, 'sms'));
    if (channels.email) issues.push(...channelIssues('channels.email', channels.email, 'email'));
    const push =
      channels.push === undefined ? [] : Array.isArray(channels.push) ? channels.push : [channels.push];
    for (const [i, c] of push.entries()) issues.push(...channelIssues(`channels.push[${i}]`, c, 'push'));
  }
  if (config.appName !== undefined && (typeof config.appName !== 'string' || config.appName.length > 40)) {
    issues.push({ path: 'appName', message: 'must be a string of at most 40 characters' });
  }
  const parsed = policySchema.safeParse(config.policy ?? {});
  if (!parsed.success) issues.push(...fieldIssues(parsed.error, 'policy'));
  if (issues.length > 0 || !parsed.success)
    throw ConfigError.fromIssues('QDesk verifier configuration', issues);
  return { key, policy: parsed.data };
}
