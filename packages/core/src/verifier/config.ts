import { ConfigError, type FieldIssue, fieldIssues } from '../errors.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Channel } from '../ports/channel.js';
import type { ContactLinks } from '../ports/contact-links.js';
import type { EndUserDirectory } from '../ports/directory.js';
import type { PolicyStore } from '../ports/policy-store.js';
import type { PsaAdapter } from '../ports/psa.js';
import type { RateCounter } from '../ports/rate-counter.js';
import type { Clock, Random } from '../ports/runtime.js';
import type { SessionStore } from '../ports/session-store.js';
import {
  DEFAULT_POLICY,
  layerPolicy,
  type PolicySettings,
  policyProblems,
  settingsSchema,
  type VerificationPolicy,
} from './policy.js';

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
  /**
   * The deployment's policy: the bottom layer under every tenant's and customer's stored policy (default: the NIST
   * SP 800-63B rev 4 defaults). A weaker choice needs a `riskAcceptances` entry here too.
   */
  policy?: PolicySettings;
  /** Per-tenant and per-customer policies, edited by administrators through `setPolicy` (default: memory). */
  policies?: PolicyStore;
  /** Product name used in messages (default "QDesk"). */
  appName?: string;
  /** The MSP's name, for reverse verification ("This is <technician> from <MSP>"; default `appName`). */
  mspName?: string;
  /** The self-serve page's address, linked from a reverse verification sent by SMS (https). */
  selfServeUrl?: string;
}

const policySchema = settingsSchema.superRefine((settings, ctx) => {
  for (const problem of policyProblems(layerPolicy(DEFAULT_POLICY, settings))) {
    ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  }
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
  contactLinks: { required: ['endUserForContact', 'customerForCompany'], versioned: true },
  store: {
    required: ['get', 'create', 'compareAndSet', 'listActive', 'listForTicket', 'listDue'],
    versioned: true,
  },
  policies: { required: ['get', 'put', 'list'], versioned: true },
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
  for (const name of [
    'psa',
    'contactLinks',
    'store',
    'policies',
    'counters',
    'audit',
    'clock',
    'random',
  ] as const) {
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
  for (const name of ['appName', 'mspName'] as const) {
    const value = config[name];
    if (value !== undefined && (typeof value !== 'string' || value.length > 40 || /\p{Cc}/u.test(value))) {
      issues.push({
        path: name,
        message: 'must be a string of at most 40 characters without control characters',
      });
    }
  }
  if (config.selfServeUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(String(config.selfServeUrl))) {
    issues.push({ path: 'selfServeUrl', message: 'must be an absolute http(s) URL of the self-serve page' });
  }
  const parsed = policySchema.safeParse(config.policy ?? {});
  if (!parsed.success) issues.push(...fieldIssues(parsed.error, 'policy'));
  if (issues.length > 0 || !parsed.success)
    throw ConfigError.fromIssues('QDesk verifier configuration', issues);
  return { key, policy: layerPolicy(DEFAULT_POLICY, parsed.data) };
}
