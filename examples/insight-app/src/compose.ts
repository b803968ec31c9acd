import { randomBytes } from 'node:crypto';
import { createAutotaskAdapter, type NoteAuthorFallback } from '@qdesk/autotask-adapter';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { createConsoleChannel } from '@qdesk/channels/console';
import {
  type Channel,
  type Clock,
  createVerifier,
  type PsaAdapter,
  type VerificationPolicy,
  type Verifier,
} from '@qdesk/core';
import { createDemoData, type OutboxChannel, systemClock } from '@qdesk/core/memory';
import { createMatchingSync, listMatches, type MappingStore, type MatchingSync } from '@qdesk/matching';
import { forwardVerifierEvents } from '@qdesk/store-postgres';
import { type AppEnv, EnvError, isDemo } from './config.js';
import { applyDemoPolicies, linkDemoCompanies, seedDemoCustomers } from './demo-setup.js';
import { readDirectorySources } from './directory-sources.js';
import { appDirectorySync, type DirectorySync } from './directory-sync.js';
import { tellOldNumber } from './enrolment.js';
import {
  type AppDirectory,
  type AppStores,
  DEMO_DATA_DIR,
  demoSecret,
  openStores,
  reportingEndUserChanges,
  type StoreChoice,
  storeChoiceOf,
  verifierPorts,
} from './stores.js';
import { startSweeper } from './sweeper.js';

/** Everything the HTTP layer needs, composed once at start. */
export interface AppServices {
  demo: boolean;
  tenantId: string;
  verifier: Verifier;
  directory: AppDirectory;
  audit: AppStores['audit'];
  /** Every store, the event bus across instances, and sign-in sessions. */
  stores: AppStores;
  psa: PsaAdapter;
  /**
   * Account notices (a sign-in link, a device enrolled): the SMS and email channels the verifier sends codes with
   * (`null` where none is configured; demo mode: the console outboxes, so notices show on /outbox), and the self-serve
   * page a device notice points to (from PUBLIC_URL; `null` when unknown).
   */
  notices: { sms: Channel | null; email: Channel | null; selfServeUrl: string | null };
  /** Demo mode: the console channels' outboxes, for the outbox page. */
  outbox: { sms: OutboxChannel; email: OutboxChannel; push: OutboxChannel } | null;
  /** Demo mode: the local Autotask fake the real adapter talks to (`null` when AUTOTASK_ZONE_URL names one). */
  autotask: AutotaskFakeServer | null;
  /** VAPID public key for Web Push subscriptions, when Web Push is configured. */
  vapidPublicKey: string | null;
  /** Confirmed company and contact links, and the PSA records the matching sync read. */
  mappings: MappingStore;
  /** Reads companies and contacts from the PSA into `mappings`; also applies webhook changes. */
  sync: MatchingSync;
  /** Each customer's directory source (QDESK_DIRECTORY_SOURCES_FILE), synced on its schedule. */
  directorySync: DirectorySync;
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
  /** Real mode: the identity provider role that makes a sign-in an administrator (`null` in demo mode). */
  adminRole: string | null;
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
  /** Where to store (default: from the environment). Tests pick memory or PGlite in memory; real mode refuses memory. */
  stores?: StoreChoice;
  /**
   * Real mode: push channels besides the configured ones. Browser tests add an outbox here, since no push service
   * is reachable from a test machine; the self-serve page finds the request either way.
   */
  extraPush?: Channel[];
}

/** Opens the stores the options or the environment name. */
export function openAppStores(env: AppEnv, options: ComposeOptions): Promise<AppStores> {
  const choice = options.stores ?? storeChoiceOf(env);
  if (choice.kind === 'memory' && !isDemo(env)) {
    throw new EnvError(
      'Real mode never runs on memory stores (a restart would lose the audit trail): set DATABASE_URL or QDESK_DATA_DIR.',
    );
  }
  const clock = options.clock;
  return openStores(choice, {
    migrations: env.QDESK_SKIP_MIGRATIONS ? 'skip' : 'run',
    ...(clock ? { now: () => clock.now() } : {}),
  });
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

/**
 * Notes are written as the technician's Autotask resource (found by the email their sign-in gave); when that cannot
 * be done the note is written as the API user and this records why, so an administrator sees a missing Autotask
 * permission or resource instead of it passing silently.
 */
export function noteAuthorAudit(audit: AppStores['audit'], tenantId: string, clock: Clock) {
  return async (info: NoteAuthorFallback) => {
    await audit.append({
      id: `au_note_author_${crypto.randomUUID()}`,
      at: clock.now(),
      tenantId,
      sessionId: info.sessionId,
      action: 'note_author_fallback',
      actor: { type: 'system', id: 'qdesk' },
      ticketId: info.ticketId,
      ticketNumber: null,
      endUserId: null,
      method: null,
      result: 'ok',
      status: null,
      detail: {
        reason: info.reason,
        technicianId: info.technicianId,
        resourceId: info.resourceId,
        noteId: info.noteId,
      },
    });
  };
}

/** Demo mode signs its (local) webhooks with this; real mode takes AUTOTASK_WEBHOOK_SECRET. */
export const DEMO_WEBHOOK_SECRET = 'demo-webhook-secret';

/**
 * Demo mode: the stores the environment names (PGlite in the app's `.data` folder by default, so a restart loses
 * nothing), the demo directory, the local Autotask fake served over real HTTP (so the real adapter code runs; or the
 * fake AUTOTASK_ZONE_URL names, so several instances share one), and console channels with an outbox. Nothing needs
 * an account anywhere.
 */
export async function composeDemo(env: AppEnv, options: ComposeOptions = {}): Promise<AppServices> {
  const clock = options.clock ?? systemClock;
  const demo = createDemoData();
  const sources = env.QDESK_DIRECTORY_SOURCES_FILE
    ? readDirectorySources(env.QDESK_DIRECTORY_SOURCES_FILE)
    : [];
  const opened = await openAppStores(env, options);
  const closers: (() => Promise<void>)[] = [() => opened.close()];
  try {
    const { audit, mappings } = opened;
    const autotask = env.AUTOTASK_ZONE_URL ? null : await startAutotaskFake();
    if (autotask) closers.unshift(() => autotask.close());
    const psa = createAutotaskAdapter({
      ...FAKE_CREDENTIALS,
      zoneUrl: env.AUTOTASK_ZONE_URL ?? autotask!.zoneUrl,
      notes: { onAuthorFallback: noteAuthorAudit(audit, demo.tenantId, clock) },
    });
    const sync = createMatchingSync({
      psa,
      store: mappings,
      directory: opened.directory,
      tenantId: demo.tenantId,
      clock,
      audit,
    });
    const stores = withMatchingDirectory(opened, sync, demo.tenantId);
    const { directory } = stores;
    // Looked at before the demo's people are put again (which recomputes their own suggestions).
    const rebuild = await keepsNoSuggestions(mappings, demo.tenantId);
    // The demo's people and customers, again at every start: what is stored already is kept (devices enrolled,
    // links confirmed), so a restart changes nothing.
    await directory.putMany(demo.endUsers);
    await seedDemoCustomers(mappings, demo.customers);
    await linkDemoCompanies(mappings, audit, demo.tenantId, clock);
    // Suggestions on the matching page from the first view, not only once the first sync ends.
    if (rebuild) await sync.rebuildSuggestions();
    const logger = options.quiet ? { info: () => undefined } : undefined;
    const channel = (kind: 'sms' | 'email' | 'push') =>
      createConsoleChannel(kind, { now: () => clock.now(), ...(logger ? { logger } : {}) });
    const outbox = { sms: channel('sms'), email: channel('email'), push: channel('push') };
    // The key must outlive a restart, or codes sent and sign-ins made before it stop working.
    const secret =
      env.QDESK_SECRET ??
      (stores.durable ? demoSecret(env.QDESK_DATA_DIR ?? DEMO_DATA_DIR) : randomBytes(32).toString('hex'));
    const mspName = env.QDESK_MSP_NAME ?? DEMO_MSP_NAME;
    const verifier = createVerifier({
      secret,
      ...verifierPorts(stores),
      psa,
      clock,
      channels: outbox,
      mspName,
      ...selfServeUrlOf(env),
      // The NIST defaults, with room for a demo's many tries on the same end-users.
      policy: { sendsPerWindow: 20, pushesPerWindow: 20, ...options.policy },
    });
    const stopForwarding = forwardVerifierEvents(verifier.events, stores.bus);
    closers.unshift(async () => stopForwarding());
    await applyDemoPolicies(verifier, stores.policies, demo.tenantId);
    const sweeper = startSweeper(verifier, { upkeep: expiredSignIns(stores, clock) });
    closers.unshift(() => sweeper.stop());
    const notices = {
      sms: outbox.sms,
      email: outbox.email,
      selfServeUrl: selfServeUrlOf(env).selfServeUrl ?? null,
    };
    const directorySync = appDirectorySync(stores, sources, {
      tenantId: demo.tenantId,
      clock,
      tellOldNumber: tellOldNumber({ notices, tenantId: demo.tenantId, mspName, audit, clock }),
    });
    directorySync.startSchedule();
    closers.unshift(() => directorySync.stop());
    return {
      demo: true,
      tenantId: demo.tenantId,
      verifier,
      directory,
      audit,
      stores,
      psa,
      notices,
      outbox,
      autotask,
      mappings,
      sync,
      directorySync,
      webhookSecret: env.AUTOTASK_WEBHOOK_SECRET ?? DEMO_WEBHOOK_SECRET,
      vapidPublicKey: null,
      cookieKey: `${secret}:cookies`,
      resetToolToken: env.QDESK_RESET_TOOL_TOKEN ?? randomBytes(24).toString('base64url'),
      mspName,
      adminRole: null,
      clock,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * The stores with the directory reporting every end-user write to matching (see {@link reportingEndUserChanges}):
 * every writer of the app (demo setup, the directory file, directory sources, SCIM) reaches it through these stores.
 */
export function withMatchingDirectory(stores: AppStores, sync: MatchingSync, tenantId: string): AppStores {
  const directory = reportingEndUserChanges(stores.directory, {
    tenantId,
    apply: (changes) => sync.applyEndUserChanges(changes),
  });
  return { ...stores, directory };
}

/**
 * True when the store holds PSA records but keeps no suggestion for any of them: a data folder from before kept
 * suggestions. After one rebuild, syncs, directory writes and link changes keep them.
 */
async function keepsNoSuggestions(store: MappingStore, tenantId: string): Promise<boolean> {
  const query = { store, tenantId, filter: 'suggested', limit: 1 } as const;
  const [companies, contacts] = await Promise.all([
    listMatches({ ...query, kind: 'companies' }).then((page) => page.counts),
    listMatches({ ...query, kind: 'contacts' }).then((page) => page.counts),
  ]);
  return companies.suggested + contacts.suggested === 0 && companies.all + contacts.all > 0;
}

/** Deletes sign-ins past their expiry, at most once a minute (they already read as signed out). */
export function expiredSignIns(stores: AppStores, clock: Clock): () => Promise<unknown> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    if (clock.now() - last < 60_000) return;
    last = clock.now();
    await stores.signIns.purge(last);
  };
}

/** Runs every closer, in order, even when one fails; the first failure is rethrown. */
export async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  let failure: unknown;
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
}

export async function composeServices(env: AppEnv, options: ComposeOptions = {}): Promise<AppServices> {
  if (isDemo(env)) return composeDemo(env, options);
  const { composeReal } = await import('./compose-real.js');
  return composeReal(env, options);
}
