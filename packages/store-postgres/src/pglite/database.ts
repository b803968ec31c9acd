import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { ConfigError } from '@qdesk/core';
import { type Database, databaseError, type Queryable, type QueryResult } from '../database.js';

/** Whether a process with that id runs (signal 0 checks without sending anything). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>.lock` for this process: PGlite has no server to arbitrate, and two processes writing one folder
 * corrupt it. A lock left by a process that died is taken over. Returns the function that releases it.
 */
function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && running(holder)) {
        throw new ConfigError(
          `Another process (pid ${holder}) has the PGlite data folder ${dataDir} open; PGlite serves one process at a time. Stop it, or run every instance on PostgreSQL (DATABASE_URL).`,
          { issues: [{ path: 'dataDir', message: `in use by pid ${holder}` }] },
        );
      }
      rmSync(file, { force: true }); // Left by a process that is gone.
    }
  }
  throw new ConfigError(
    `Could not lock the PGlite data folder ${dataDir}; remove ${file} if no QDesk runs.`,
    {
      issues: [{ path: 'dataDir', message: 'lock not taken' }],
    },
  );
}

/** What a PGlite statement returns, as far as this package reads it. @public */
export interface PgliteResults<Row> {
  /** The rows. */
  rows: Row[];
  /** Rows a write touched. */
  affectedRows?: number;
}

/** Runs statements: a PGlite instance or one of its transactions, as far as this package uses them. @public */
export interface PgliteQueryable {
  /** Runs one statement with `$1`... parameters. */
  query<Row>(text: string, params?: unknown[]): Promise<PgliteResults<Row>>;
}

/**
 * The part of a PGlite instance this package uses. A `PGlite` from `@electric-sql/pglite` is one; the type is
 * spelled out here so that this package's types do not load PGlite's own (which need Emscripten's typings).
 * @public
 */
export interface PgliteInstance extends PgliteQueryable {
  /** Settles once the database is open. */
  readonly waitReady: Promise<void>;
  /** Runs `callback` in one transaction. */
  transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** Settings for {@link createPgliteDatabase}: a folder to keep the data in, or a PGlite instance you own. @public */
export type PgliteDatabaseSettings =
  | {
      /** A PGlite instance (`new PGlite(...)`); `close()` leaves it open. */
      pglite: PgliteInstance;
    }
  | {
      /** The folder PGlite persists to (created when missing); omit it for a database in memory only. */
      dataDir?: string;
    };

/**
 * A {@link Database} on PGlite (`@electric-sql/pglite`, an optional peer dependency): PostgreSQL compiled to
 * WebAssembly, running inside this process and persisting to a folder. The embedded default: nothing to install,
 * and the data survives a restart. One process at a time may open a folder (a `<dataDir>.lock` file beside it
 * says which; a second opener gets a `ConfigError`); for several app instances use PostgreSQL (`createPgDatabase`).
 * @example
 * ```ts
 * const database = await createPgliteDatabase({ dataDir: './data/qdesk' });
 * await migrate(database);
 * ```
 * @public
 */
export async function createPgliteDatabase(settings: PgliteDatabaseSettings = {}): Promise<
  Database & {
    /** The PGlite instance behind it. */
    readonly pglite: PgliteInstance;
  }
> {
  const owned = !('pglite' in settings);
  const dataDir = 'pglite' in settings ? undefined : settings.dataDir;
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  let pglite: PgliteInstance;
  try {
    // pg_trgm: the matching lists' search index (migration 0010); a PGlite given by the caller may lack it.
    pglite = 'pglite' in settings ? settings.pglite : new PGlite(dataDir, { extensions: { pg_trgm } });
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw databaseError('pglite', 'opening the data folder', error);
  }
  const on = (target: PgliteQueryable): Queryable => ({
    async query<Row>(text: string, params?: readonly unknown[]) {
      try {
        const result = await target.query<Row>(text, params ? [...params] : []);
        return {
          rows: result.rows,
          rowCount: result.affectedRows || result.rows.length,
        } satisfies QueryResult<Row>;
      } catch (error) {
        throw databaseError('pglite', 'a query', error);
      }
    },
  });
  return {
    driver: 'pglite',
    pglite,
    ...on(pglite),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      try {
        return await pglite.transaction((tx) => work(on(tx)));
      } catch (error) {
        throw databaseError('pglite', 'a transaction', error);
      }
    },
    async close() {
      if (!owned) return;
      try {
        await pglite.close();
      } finally {
        unlock();
      }
    },
  };
}
