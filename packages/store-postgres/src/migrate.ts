import { ConfigError } from '@qdesk/core';
import { Umzug, type UmzugStorage } from 'umzug';
import type { Database, Queryable } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** What {@link migrate} did. @public */
export interface MigrationReport {
  /** Migrations this call applied, in order (empty when the schema was current). */
  applied: string[];
  /** The last migration the database holds now. */
  current: string;
}

/** Options for {@link migrate}. @public */
export interface MigrateOptions {
  /** Stop after this migration (tests of an upgrade from an earlier version). Default: the newest. */
  to?: string;
}

const TABLE = 'qdesk_migrations';
// Any constant works; both instances of a race must take the same one.
const LOCK_KEY = 7_126_031_512;

const storage: UmzugStorage<Queryable> = {
  async executed({ context }) {
    const { rows } = await context.query<{ name: string }>(`SELECT name FROM ${TABLE} ORDER BY name`);
    return rows.map((r) => r.name);
  },
  async logMigration({ name, context }) {
    await context.query(`INSERT INTO ${TABLE} (name, applied_at) VALUES ($1, now())`, [name]);
  },
  async unlogMigration() {
    throw new Error('QDesk migrations are forward-only.');
  },
};

const runnable = (migration: Migration) => ({
  name: migration.name,
  async up({ context }: { context: Queryable }) {
    for (const statement of migration.statements) await context.query(statement);
  },
});

/**
 * Brings the database's schema to this version of `@qdesk/store-postgres`: applies every migration it has not
 * applied yet, in order, forward only, with umzug. Safe to call at every start: several instances starting at once
 * wait for each other (an advisory lock), and all pending migrations apply in one transaction, so a failure leaves
 * the schema as it was.
 *
 * Refuses (a `ConfigError`) a database that holds a migration this version does not know: a newer QDesk migrated
 * it, and running older code on it could lose data.
 * @example
 * ```ts
 * const { applied, current } = await migrate(database);
 * ```
 * @public
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<MigrationReport> {
  if (options.to !== undefined && !MIGRATIONS.some((m) => m.name === options.to)) {
    throw new ConfigError(`No migration named ${JSON.stringify(options.to)}.`, {
      issues: [{ path: 'to', message: `expected one of ${MIGRATIONS.map((m) => m.name).join(', ')}` }],
    });
  }
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (name text PRIMARY KEY, applied_at timestamptz NOT NULL)`,
    );
    const known = new Set(MIGRATIONS.map((m) => m.name));
    const unknown = (await storage.executed({ context: tx })).filter((name) => !known.has(name));
    if (unknown.length) {
      throw new ConfigError(
        `This database was migrated by a newer @qdesk/store-postgres (it holds ${unknown.join(', ')}); upgrade QDesk instead of running an older version on it.`,
        { issues: [{ path: TABLE, message: `unknown migration(s): ${unknown.join(', ')}` }] },
      );
    }
    const umzug = new Umzug<Queryable>({
      migrations: MIGRATIONS.map(runnable),
      context: tx,
      storage,
      logger: undefined,
    });
    const applied = await umzug.up(options.to ? { to: options.to } : {});
    const executed = await storage.executed({ context: tx });
    return { applied: applied.map((m) => m.name), current: executed.at(-1) ?? '' };
  });
}

/** Migrations this version knows that the database has not applied yet, in order. @public */
export async function pendingMigrations(database: Queryable): Promise<string[]> {
  const { rows } = await database.query<{ present: boolean }>(
    `SELECT to_regclass('${TABLE}') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present) return MIGRATIONS.map((m) => m.name);
  const done = new Set(await storage.executed({ context: database }));
  return MIGRATIONS.map((m) => m.name).filter((name) => !done.has(name));
}
