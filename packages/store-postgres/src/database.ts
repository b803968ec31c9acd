import { AdapterError, isQdeskError } from '@qdesk/core';

/** One result of {@link Queryable.query}: the rows, typed by the caller. @public */
export interface QueryResult<Row> {
  /** The rows returned (empty for a statement that returns none). */
  rows: Row[];
  /** Rows the statement touched (inserted, updated, deleted or selected). */
  rowCount: number;
}

/** Something SQL can run on: the database itself, or one transaction of it. @public */
export interface Queryable {
  /**
   * Runs one statement with `$1`, `$2`... parameters. `bigint` columns read as JavaScript numbers on both drivers
   * (every one QDesk stores is below 2^53), `bytea` as `Uint8Array`, `jsonb` as parsed JSON.
   */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/**
 * The one interface every store in this package runs on: PostgreSQL through node-postgres
 * (`createPgDatabase` from `@qdesk/store-postgres/pg`) or PGlite in process (`createPgliteDatabase` from
 * `@qdesk/store-postgres/pglite`). The stores send the same SQL to both.
 *
 * Note: a failure of the database (refused connection, a killed backend, a timeout) surfaces as core's
 * `AdapterError` (code `adapter_failed`, port `PostgreSQL` or `PGlite`) with the driver's error as `cause`; a
 * transaction that failed was rolled back, so nothing is half-written.
 * @public
 */
export interface Database extends Queryable {
  /** Which driver runs the SQL. */
  readonly driver: 'pg' | 'pglite';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the error is rethrown).
   * Statements on `tx` run in order on one connection.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connections (or the PGlite instance) this database opened; one it was given is left open. */
  close(): Promise<void>;
}

/** A driver's port name in errors. @internal */
export const PORT_NAME = { pg: 'PostgreSQL', pglite: 'PGlite' } as const;

// node-postgres and PGlite name the connection failures differently; each gets one sentence on what to do.
const HINTS: [RegExp, string][] = [
  [
    /ECONNREFUSED|connect ETIMEDOUT|ENOTFOUND|EAI_AGAIN/,
    'check that the server is running and DATABASE_URL names it',
  ],
  [
    /terminat|Connection terminated|server closed the connection|ECONNRESET|57P01|57P02|57P03/,
    'the connection was lost (the server restarted or dropped it); the next call reconnects, so retry',
  ],
  [/password authentication failed|28P01|28000/, 'check the user and password in DATABASE_URL'],
  [/does not exist.*database|3D000/, 'create the database, or fix its name in DATABASE_URL'],
  [
    /relation "qdesk_\w+" does not exist|42P01/,
    'run the migrations first (`qdesk migrate`, or start the app without QDESK_SKIP_MIGRATIONS)',
  ],
];

/** Wraps a driver failure as core's `AdapterError`, with a hint on what to do. @internal */
export function databaseError(driver: Database['driver'], operation: string, error: unknown): Error {
  if (isQdeskError(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const hint = HINTS.find(([pattern]) => pattern.test(`${raw} ${code}`))?.[1];
  const port = PORT_NAME[driver];
  return new AdapterError(`${port} failed during ${operation}: ${raw}${hint ? `; ${hint}` : ''}.`, {
    cause: error,
    port,
    operation,
    ...(code ? { details: { sqlState: code } } : {}),
  });
}
