import { PGlite } from '@electric-sql/pglite';
import { type Database, databaseError, type Queryable, type QueryResult } from '../database.js';

/** Settings for {@link createPgliteDatabase}: a folder to keep the data in, or a PGlite instance you own. @public */
export type PgliteDatabaseSettings =
  | {
      /** A PGlite instance; `close()` leaves it open. */
      pglite: PGlite;
    }
  | {
      /** The folder PGlite persists to (created when missing); omit it for a database in memory only. */
      dataDir?: string;
    };

/**
 * A {@link Database} on PGlite (`@electric-sql/pglite`, an optional peer dependency): PostgreSQL compiled to
 * WebAssembly, running inside this process and persisting to a folder. The embedded default: nothing to install,
 * and the data survives a restart. One process at a time may open a folder; for several app instances use
 * PostgreSQL (`createPgDatabase`).
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
    readonly pglite: PGlite;
  }
> {
  const owned = !('pglite' in settings);
  let pglite: PGlite;
  try {
    pglite = 'pglite' in settings ? settings.pglite : new PGlite(settings.dataDir);
    await pglite.waitReady;
  } catch (error) {
    throw databaseError('pglite', 'opening the data folder', error);
  }
  const on = (target: Pick<PGlite, 'query'>): Queryable => ({
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
      if (owned) await pglite.close();
    },
  };
}
