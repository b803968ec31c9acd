// The bench's view of a database: every round trip counted and timed by kind of statement.
import type { Database, Queryable } from '../src/database.js';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A statement's kind for the breakdown: its first SQL word and the QDesk tables (or function) it names. */
export function kindOf(text: string): string {
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '?';
  const targets = [...new Set(text.match(/\bqdesk_\w+/g) ?? [])];
  return targets.length ? `${verb} ${targets.join(' + ')}` : verb;
}

export interface Kind {
  count: number;
  /** Wall time awaiting the statement, ms (concurrent statements overlap). */
  ms: number;
}

/** Round trips seen by {@link counting}, by kind. */
export interface Counts {
  roundTrips: number;
  kinds: Map<string, Kind>;
  /** Wall time with at least one statement or transaction in flight, ms. */
  busyMs: number;
  reset(): void;
}

export const TX = 'BEGIN + COMMIT (and pool checkout)';

/** `database` with every round trip counted and timed: a query is one, a transaction its statements plus two. */
export function counting(database: Database): { database: Database; counts: Counts } {
  const counts: Counts = {
    roundTrips: 0,
    kinds: new Map(),
    busyMs: 0,
    reset() {
      this.roundTrips = 0;
      this.kinds = new Map();
      this.busyMs = 0;
    },
  };
  let inFlight = 0;
  let busySince = 0;
  const begin = () => {
    const t0 = nowMs();
    if (inFlight++ === 0) busySince = t0;
    return t0;
  };
  const end = () => {
    const t1 = nowMs();
    if (--inFlight === 0) counts.busyMs += t1 - busySince;
    return t1;
  };
  const add = (kind: string, trips: number, ms: number) => {
    counts.roundTrips += trips;
    const entry = counts.kinds.get(kind);
    if (entry) {
      entry.count += trips;
      entry.ms += ms;
    } else counts.kinds.set(kind, { count: trips, ms });
  };
  const timedQuery =
    (target: Queryable, inside?: { ms: number }) =>
    async <Row>(text: string, params?: readonly unknown[]) => {
      const t0 = begin();
      try {
        return await target.query<Row>(text, params);
      } finally {
        const ms = end() - t0;
        if (inside) inside.ms += ms;
        add(kindOf(text), 1, ms);
      }
    };
  const wrapped: Database = {
    driver: database.driver,
    query: timedQuery(database),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const inside = { ms: 0 };
      const t0 = begin();
      try {
        return await database.transaction((tx) => work({ query: timedQuery(tx, inside) }));
      } finally {
        // The transaction's own cost: what it took beyond its statements (checkout, BEGIN, COMMIT, JS between).
        add(TX, 2, end() - t0 - inside.ms);
      }
    },
    close: () => database.close(),
  };
  return { database: wrapped, counts };
}
