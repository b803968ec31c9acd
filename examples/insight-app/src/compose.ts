import { randomBytes } from 'node:crypto';
import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { createConsoleChannel } from '@qdesk/channels/console';
import {
  type Clock,
  createVerifier,
  type PsaAdapter,
  type VerificationPolicy,
  type Verifier,
} from '@qdesk/core';
import {
  createDemoData,
  createMemoryAuditLog,
  createMemoryDirectory,
  type DemoCustomer,
  type MemoryAuditLog,
  type MemoryDirectory,
  type OutboxChannel,
  systemClock,
} from '@qdesk/core/memory';
import {
  createMatchingSync,
  createMemoryMappingStore,
  type MappingStore,
  type MatchingSync,
} from '@qdesk/matching';
import { type AppEnv, isDemo } from './config.js';
import { applyDemoPolicies, linkDemoCompanies } from './demo-setup.js';
import { startSweeper } from './sweeper.js';

/** Everything the HTTP layer needs, composed once at start. */
export interface AppServices {
  demo: boolean;
  tenantId: string;
  verifier: Verifier;
  directory: MemoryDirectory;
  audit: MemoryAuditLog;
  psa: PsaAdapter;
  /** Demo mode: the console channels' outboxes, for the outbox page. */
  outbox: { sms: OutboxChannel; email: OutboxChannel; push: OutboxChannel } | null;
  /** Demo mode: the local Autotask fake the real adapter talks to. */
  autotask: AutotaskFakeServer | null;
  /** VAPID public key for Web Push subscriptions, when Web Push is configured. */
  vapidPublicKey: string | null;
  /** Confirmed company and contact links, and the PSA records the matching sync read. */
  mappings: MappingStore;
  /** Reads companies and contacts from the PSA into `mappings`; also applies webhook changes. */
  sync: MatchingSync;
  /** Secret the PSA signs its webhooks with (`null` when webhooks are not configured). */
  webhookSecret: string | null;
  /** Key for the app's own cookies (derived from the verifier secret). */
  cookieKey: string;
  /**
   * The bearer token a reset tool presents to `POST /api/grants/verify` (`null`: the route is off). Demo mode makes
   * one up at start and prints it; it is never logged anywhere else.
   */
  resetToolToken: string | null;
  /** The MSP's name, as reverse verification says it ("This is Sam from <MSP>"). */
  mspName: string;
  /** Real mode: whether an admin sign-in is configured (QDESK_ADMIN_PASSWORD). Demo mode always has one. */
  adminSignIn: boolean;
  clock: Clock;
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** A clock tests can move (push timeouts without waiting a minute). */
  clock?: Clock;
  /** Silence the console channels (tests). */
  quiet?: boolean;
  /** Policy overrides (benchmarks raise the per-end-user limits). */
  policy?: Partial<VerificationPolicy>;
}

/** The MSP's name in demo mode unless QDESK_MSP_NAME says otherwise. */
export const DEMO_MSP_NAME = 'Demo MSP';

/**
 * The self-serve page's address, which the SMS of a reverse check links to: from PUBLIC_URL, else (demo mode, fixed
 * port) the local address; otherwise none and the SMS says "your self-serve page".
 */
export function selfServeUrlOf(env: AppEnv): { selfServeUrl?: string } {
  if (env.PUBLIC_URL) return { selfServeUrl: new URL('/self-serve', env.PUBLIC_URL).href };
  if (!isDemo(env) || env.PORT === 0) return {};
  const host = ['0.0.0.0', '::'].includes(env.HOST) ? 'localhost' : env.HOST;
  return { selfServeUrl: `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}/self-serve` };
}

/** Demo mode signs its (local) webhooks with this; real mode takes AUTOTASK_WEBHOOK_SECRET. */
export const DEMO_WEBHOOK_SECRET = 'demo-webhook-secret';

/** A mapping store holding the demo MSP's customers: the QDesk side of the client companies the PSA knows. */
export async function demoMappings(customers: readonly DemoCustomer[]): Promise<MappingStore> {
  const store = createMemoryMappingStore();
  for (const { tenantId, ...customer } of customers) await store.createCustomer(tenantId, customer);
  return store;
}

/**
 * Demo mode: memory store and audit log, the demo directory, the local Autotask fake served over real HTTP (so the
 * real adapter code runs), and console channels with an outbox. Nothing needs an account anywhere.
 */
export async function composeDemo(env: AppEnv, options: ComposeOptions = {}): Promise<AppServices> {
  const clock = options.clock ?? systemClock;
  const demo = createDemoData();
  const autotask = await startAutotaskFake();
  const psa = createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneUrl: autotask.zoneUrl });
  const directory = createMemoryDirectory(demo.endUsers);
  const audit = createMemoryAuditLog();
  const mappings = await demoMappings(demo.customers);
  await linkDemoCompanies(mappings, audit, demo.tenantId, clock);
  const logger = options.quiet ? { info: () => undefined } : undefined;
  const channel = (kind: 'sms' | 'email' | 'push') =>
    createConsoleChannel(kind, { now: () => clock.now(), ...(logger ? { logger } : {}) });
  const outbox = { sms: channel('sms'), email: channel('email'), push: channel('push') };
  const secret = env.QDESK_SECRET ?? randomBytes(32).toString('hex');
  const mspName = env.QDESK_MSP_NAME ?? DEMO_MSP_NAME;
  const verifier = createVerifier({
    secret,
    directory,
    psa,
    contactLinks: mappings,
    audit,
    clock,
    channels: outbox,
    mspName,
    ...selfServeUrlOf(env),
    // The NIST defaults, with room for a demo's many tries on the same end-users.
    policy: { sendsPerWindow: 20, pushesPerWindow: 20, ...options.policy },
  });
  await applyDemoPolicies(verifier, demo.tenantId);
  const sweeper = startSweeper(verifier);
  return {
    demo: true,
    tenantId: demo.tenantId,
    verifier,
    directory,
    audit,
    psa,
    outbox,
    autotask,
    mappings,
    sync: createMatchingSync({ psa, store: mappings, tenantId: demo.tenantId, clock, audit }),
    webhookSecret: env.AUTOTASK_WEBHOOK_SECRET ?? DEMO_WEBHOOK_SECRET,
    vapidPublicKey: null,
    cookieKey: `${secret}:cookies`,
    resetToolToken: env.QDESK_RESET_TOOL_TOKEN ?? randomBytes(24).toString('base64url'),
    mspName,
    adminSignIn: true,
    clock,
    async close() {
      await sweeper.stop();
      await autotask.close();
    },
  };
}

export async function composeServices(env: AppEnv, options: ComposeOptions = {}): Promise<AppServices> {
  if (isDemo(env)) return composeDemo(env, options);
  const { composeReal } = await import('./compose-real.js');
  return composeReal(env, options);
}
