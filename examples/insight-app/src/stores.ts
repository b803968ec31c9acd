import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndUser, EndUserDirectory, PolicyStore, RateCounter, SessionStore } from '@qdesk/core';
import {
  createMemoryAuditLog,
  createMemoryDirectory,
  createMemoryPolicyStore,
  createMemoryRateCounter,
  createMemorySessionStore,
} from '@qdesk/core/memory';
import type { AuditLog, AuditQuery, AuditRecord } from '@qdesk/core/ports';
import { createMemoryMappingStore, type EndUserChangeSet, type MappingStore } from '@qdesk/matching';
import {
  createLocalEventBus,
  createMemorySignInSessionStore,
  createPostgresStores,
  type Database,
  type EventBus,
  migrate,
  pendingMigrations,
  type SignInSessionStore,
} from '@qdesk/store-postgres';
import { EnvError, isDemo, type StoreEnv } from './config.js';

// Where the app keeps what it knows. PostgreSQL when DATABASE_URL is set (several instances share it; events cross
// instances by LISTEN/NOTIFY); otherwise PGlite in a data folder (one instance, durable across restarts). Memory
// stores only for the app's own in-process tests, never in real mode.

/** The directory as the app uses it: lookups and device upkeep, plus loading and listing end-users. */
export interface AppDirectory extends EndUserDirectory {
  put(user: EndUser): Promise<void>;
  putMany(users: readonly EndUser[]): Promise<void>;
  list(tenantId: string): Promise<EndUser[]>;
  /** Removes the end-user (a directory source dropped them); `true` when stored. */
  remove(tenantId: string, endUserId: string): Promise<boolean>;
}

/** Every stateful piece the app runs on. */
export interface AppStores {
  /** What backs them, for the start-up line and the tests. */
  kind: 'postgres' | 'pglite' | 'memory';
  /** Where: a data folder, or the database's host and name (never a password). */
  where: string;
  /** Whether what is stored outlives the process. */
  durable: boolean;
  sessions: SessionStore;
  counters: RateCounter;
  audit: AuditLog & { query(tenantId: string, filter: AuditQuery): Promise<AuditRecord[]> };
  policies: PolicyStore;
  directory: AppDirectory;
  mappings: MappingStore;
  signIns: SignInSessionStore;
  /** Verifier events from every instance. */
  bus: EventBus;
  /** The database (not for memory stores): the CLI's audit commands read it. */
  database: Database | null;
  close(): Promise<void>;
}

/** The verifier's stateful ports on these stores: spread into `createVerifier`. */
export function verifierPorts(stores: AppStores) {
  return {
    directory: stores.directory,
    contactLinks: stores.mappings,
    store: stores.sessions,
    counters: stores.counters,
    audit: stores.audit,
    policies: stores.policies,
  };
}

/** How the app should store: chosen from the environment. */
export type StoreChoice =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string | null }
  | { kind: 'memory' };

/** The demo's data folder: under the app, ignored by git. */
export const DEMO_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../.data');

/**
 * DATABASE_URL selects PostgreSQL; otherwise PGlite in QDESK_DATA_DIR (demo mode: the app's own `.data` folder).
 * Real mode must name one: an audit trail kept in memory, or in a folder nobody chose, is lost.
 */
export function storeChoiceOf(env: Omit<StoreEnv, 'QDESK_TENANT_ID'>): StoreChoice {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  if (env.QDESK_DATA_DIR) return { kind: 'pglite', dataDir: resolve(env.QDESK_DATA_DIR) };
  if (isDemo(env)) return { kind: 'pglite', dataDir: join(DEMO_DATA_DIR, 'pglite') };
  throw new EnvError(
    'Real mode keeps its audit trail, links, counters and sessions in a database: set DATABASE_URL=postgres://user:password@host:5432/qdesk (PostgreSQL; several instances can share it), or QDESK_DATA_DIR=/var/lib/qdesk (PGlite in that folder; one instance).',
  );
}

/** A safe description of a connection string: host, port and database, never the user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * The memory directory as an {@link AppDirectory}, importing as the PostgreSQL directory does: the profile as given,
 * devices merged (a device stored already keeps what the app recorded since).
 */
function memoryAppDirectory(): AppDirectory {
  const memory = createMemoryDirectory();
  // Core's memory directory has no delete: a removed end-user is hidden until put again.
  const removed = new Set<string>();
  const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
  const visible = (user: EndUser | null) => (user && !removed.has(key(user.tenantId, user.id)) ? user : null);
  const put = async (user: EndUser) => {
    const wasRemoved = removed.delete(key(user.tenantId, user.id));
    const stored = wasRemoved ? [] : (memory.peek(user.tenantId, user.id)?.devices ?? []);
    const added = user.devices.filter((d) => !stored.some((s) => s.id === d.id));
    memory.put({ ...user, devices: [...stored, ...added] });
  };
  return {
    specificationVersion: 'v1',
    capabilities: memory.capabilities,
    getById: async (tenantId, id) => visible(await memory.getById(tenantId, id)),
    findByEmail: async (tenantId, email) => visible(await memory.findByEmail(tenantId, email)),
    upsertDevice: memory.upsertDevice!,
    removeDevice: memory.removeDevice!,
    reportPermission: memory.reportPermission!,
    put,
    async putMany(users) {
      for (const user of users) await put(user);
    },
    list: async (tenantId) => memory.list(tenantId).filter((u) => visible(u) !== null),
    async remove(tenantId, id) {
      if (!visible(memory.peek(tenantId, id))) return false;
      removed.add(key(tenantId, id));
      return true;
    },
  };
}

/** Where {@link reportingEndUserChanges} reports: `MatchingSync.applyEndUserChanges` of the app's tenant. */
export interface EndUserChangeReport {
  /** The tenant matching works for: changes to another tenant's end-users are not reported. */
  tenantId: string;
  /** Takes the changes in (the kept suggestions they affect are recomputed). */
  apply(changes: EndUserChangeSet): Promise<unknown>;
}

/**
 * The directory with every end-user write (put, putMany, remove) reported to matching once it succeeded, so the
 * kept suggestions follow the directory between PSA syncs, whoever writes (demo setup, the directory file, directory
 * sources, SCIM). Reads and device upkeep pass straight through.
 *
 * Note: a report that fails is logged without personal data (no id, email or name) and the write stands: the next
 * matching sync copies the whole directory and rebuilds every suggestion.
 */
export function reportingEndUserChanges(directory: AppDirectory, report: EndUserChangeReport): AppDirectory {
  const send = async (changes: EndUserChangeSet, count: number) => {
    if (count === 0) return;
    try {
      await report.apply(changes);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      console.error(
        `QDesk matching could not take in ${count} end-user change(s) (${typeof code === 'string' ? code : ((error as Error)?.name ?? 'error')}); the next matching sync rebuilds its suggestions.`,
      );
    }
  };
  const ours = (users: readonly EndUser[]) => users.filter((u) => u.tenantId === report.tenantId);
  return {
    ...directory,
    async put(user) {
      await directory.put(user);
      const put = ours([user]);
      await send({ put }, put.length);
    },
    async putMany(users) {
      await directory.putMany(users);
      const put = ours(users);
      await send({ put }, put.length);
    },
    async remove(tenantId, endUserId) {
      const removed = await directory.remove(tenantId, endUserId);
      if (removed && tenantId === report.tenantId) await send({ remove: [endUserId] }, 1);
      return removed;
    },
  };
}

/** Memory stores, for the app's in-process tests: one process, gone when it ends. */
export function memoryStores(now: () => number = Date.now): AppStores {
  return {
    kind: 'memory',
    where: 'memory',
    durable: false,
    sessions: createMemorySessionStore({ now }),
    counters: createMemoryRateCounter(),
    audit: createMemoryAuditLog(),
    policies: createMemoryPolicyStore(),
    directory: memoryAppDirectory(),
    mappings: createMemoryMappingStore(),
    signIns: createMemorySignInSessionStore(),
    bus: createLocalEventBus(),
    database: null,
    close: async () => undefined,
  };
}

/** Opens the database a choice names (not memory), unmigrated: `qdesk migrate` starts here. */
export async function openDatabase(
  choice: Exclude<StoreChoice, { kind: 'memory' }>,
): Promise<{ database: Database; where: string }> {
  if (choice.kind === 'postgres') {
    const { createPgDatabase } = await import('@qdesk/store-postgres/pg');
    return {
      database: createPgDatabase({ connectionString: choice.url }),
      where: `PostgreSQL at ${describeDatabaseUrl(choice.url)}`,
    };
  }
  const { createPgliteDatabase } = await import('@qdesk/store-postgres/pglite');
  if (choice.dataDir) mkdirSync(dirname(choice.dataDir), { recursive: true });
  return {
    database: await createPgliteDatabase(choice.dataDir ? { dataDir: choice.dataDir } : {}),
    where: choice.dataDir ? `PGlite in ${choice.dataDir}` : 'PGlite in memory',
  };
}

/**
 * Opens the stores `choice` names and brings the schema up to date, unless `migrations` is `'skip'`: then a schema
 * behind this version refuses to start, naming the command that migrates it.
 */
export async function openStores(
  choice: StoreChoice,
  options: { migrations: 'run' | 'skip'; now?: () => number },
): Promise<AppStores> {
  if (choice.kind === 'memory') return memoryStores(options.now);
  const { database, where } = await openDatabase(choice);
  let bus: EventBus;
  try {
    await ready(database, options.migrations);
    bus =
      choice.kind === 'postgres'
        ? await (await import('@qdesk/store-postgres/pg')).createPgEventBus({ connectionString: choice.url })
        : createLocalEventBus();
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    kind: choice.kind,
    where,
    durable: choice.kind === 'postgres' || choice.dataDir !== null,
    ...createPostgresStores(database, options.now ? { now: options.now } : {}),
    bus,
    database,
    async close() {
      await bus.close();
      await database.close();
    },
  };
}

async function ready(database: Database, migrations: 'run' | 'skip'): Promise<void> {
  if (migrations === 'run') {
    await migrate(database);
    return;
  }
  const pending = await pendingMigrations(database);
  if (pending.length) {
    throw new EnvError(
      `The database schema is behind this version (pending: ${pending.join(', ')}). Run \`pnpm qdesk migrate\`, or start without QDESK_SKIP_MIGRATIONS.`,
    );
  }
}

/**
 * Demo mode's server key, kept in the data folder (mode 0600) so sessions, codes and sign-ins survive a restart;
 * real mode takes QDESK_SECRET and nothing is written.
 */
export function demoSecret(dataDir: string): string {
  const file = join(dataDir, 'demo-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
