import { createHash } from 'node:crypto';
import pg from 'pg';
import { type Database, databaseError, type Queryable, type QueryResult } from '../database.js';

/** Settings for {@link createPgDatabase}: a pool you own, or a connection string for one this database owns. @public */
export type PgDatabaseSettings =
  | {
      /** A node-postgres pool; `close()` leaves it open (you created it, you end it). */
      pool: pg.Pool;
    }
  | {
      /** `postgres://user:password@host:5432/database`, as DATABASE_URL usually holds it. */
      connectionString: string;
      /** Most connections the pool opens (default 10). */
      max?: number;
      /** Give up connecting after this many ms (default 5,000): a call fails fast instead of hanging. */
      connectionTimeoutMillis?: number;
    };

const names = new Map<string, string>();
/** The prepared statement's name for a text: stable, short and the same on every connection. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `qdesk_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

const INT8 = 20;
/** `bigint` as a JavaScript number, as PGlite reads it: every bigint QDesk stores is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A {@link Database} on PostgreSQL through node-postgres (`pg`, an optional peer dependency). Several app
 * instances can share one database: every store is written for concurrent writers.
 *
 * Note: statements with parameters are prepared once per connection (named by a hash of their text), as every
 * statement the stores send is one of a fixed few. A pool's idle connection that the server drops (a restart, a failover) emits an error on the pool; this
 * database listens for it so the process does not crash, and the pool opens a new connection on the next call.
 * @example
 * ```ts
 * const database = createPgDatabase({ connectionString: process.env.DATABASE_URL! });
 * await migrate(database);
 * const stores = createStores(database);
 * ```
 * @public
 */
export function createPgDatabase(settings: PgDatabaseSettings): Database & {
  /** The node-postgres pool behind it (for `LISTEN`, or your own queries). */
  readonly pool: pg.Pool;
} {
  const owned = !('pool' in settings);
  const pool =
    'pool' in settings
      ? settings.pool
      : new pg.Pool({
          connectionString: settings.connectionString,
          max: settings.max ?? 10,
          connectionTimeoutMillis: settings.connectionTimeoutMillis ?? 5_000,
          types,
        });
  // An idle client's error (the server went away) must not crash the process; the pool discards that client.
  pool.on('error', () => undefined);

  const run = async <Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    // A statement with parameters is prepared once per connection and reused by name: the server skips parsing and
    // planning it again. The name is derived from the text, so one name always means one statement.
    const name = params?.length ? nameOf(text) : undefined;
    const result = await client.query({
      text,
      values: params ? [...params] : [],
      types,
      ...(name ? { name } : {}),
    });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 } satisfies QueryResult<Row>;
  };

  return {
    driver: 'pg',
    pool,
    async query<Row>(text: string, params?: readonly unknown[]) {
      try {
        return await run<Row>(pool, text, params);
      } catch (error) {
        throw databaseError('pg', 'a query', error);
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw databaseError('pg', 'the connection', error);
      }
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <Row>(text: string, params?: readonly unknown[]) => {
            try {
              return await run<Row>(client, text, params);
            } catch (error) {
              throw databaseError('pg', 'a query', error);
            }
          },
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection itself is gone: the server rolls the transaction back; drop the client from the pool.
          broken = rollbackError;
        }
        throw databaseError('pg', 'a transaction', error);
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
