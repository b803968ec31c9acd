import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { createPgDatabase } from './pg/database.js';
import { createPgliteDatabase } from './pglite/database.js';

// Every test file gets its own PostgreSQL database (created here, dropped after the file) and its own PGlite in
// memory, both migrated. A conformance kit's `create` asks for a `fresh()` one: the same database, tables emptied.

/** The server the tests create their databases on (these machines: 127.0.0.1:5432, trust auth, user postgres). */
export const SERVER_URL =
  process.env.QDESK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** `PostgreSQL` or `PGlite`, for suite titles. */
  name: string;
  /** The migrated database, opened on first use. */
  database(): Promise<Database>;
  /** The same database with every QDesk table emptied. */
  fresh(): Promise<Database>;
}

/** Empties every QDesk table but the migrations' own. */
export async function truncateAll(database: Database): Promise<void> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables
     WHERE schemaname = current_schema() AND tablename LIKE 'qdesk\\_%' AND tablename <> 'qdesk_migrations'`,
  );
  if (rows.length) await database.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')}`);
}

/** Creates an empty database on the test server; the returned function drops it. */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `qdesk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: SERVER_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function lazy(name: string, open: () => Promise<{ database: Database; close: () => Promise<void> }>) {
  let opened: Promise<{ database: Database; close: () => Promise<void> }> | undefined;
  const get = () => {
    opened ??= open().then(async (o) => {
      await migrate(o.database);
      return o;
    });
    return opened;
  };
  afterAll(async () => {
    if (opened) await (await opened).close();
  });
  return {
    name,
    database: async () => (await get()).database,
    async fresh() {
      const { database } = await get();
      await truncateAll(database);
      return database;
    },
  };
}

/** An empty, unmigrated database of this file's own: a scratch PostgreSQL database, or PGlite in memory. */
export async function openTestDatabase(
  driver: 'PostgreSQL' | 'PGlite',
): Promise<{ database: Database; close: () => Promise<void> }> {
  if (driver === 'PGlite') {
    const database = await createPgliteDatabase();
    return { database, close: () => database.close() };
  }
  const scratch = await createScratchDatabase();
  const database = createPgDatabase({ connectionString: scratch.url });
  return {
    database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** PostgreSQL (a database of this file's own) and PGlite (in memory), each migrated on first use. */
export function testDatabases(): TestDatabase[] {
  return (['PostgreSQL', 'PGlite'] as const).map((driver) => lazy(driver, () => openTestDatabase(driver)));
}
