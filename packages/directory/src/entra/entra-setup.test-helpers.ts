import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SourceChange, SourcePage, SourceRecord } from '../types.js';
import type { EntraSourceConfig } from './entra-config.js';
import { createEntraSource, type EntraSource } from './entra-source.js';
import { createGraphFake, type GraphFake, type GraphFakeOptions } from './graph-fake.test-helpers.js';

/** A fresh Graph fake per test, served through msw; any request msw has no handler for fails the test. */
export function useGraphFake(options: GraphFakeOptions = {}) {
  const server = setupServer();
  const context = { fake: null as unknown as GraphFake, server, sleeps: [] as number[] };
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    context.fake = createGraphFake(options);
    context.sleeps = [];
    server.use(...context.fake.handlers());
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return context;
}

/** A source on the fake's tenant whose waits are recorded in `sleeps` instead of taken. */
export function sourceOn(
  context: { fake: GraphFake; sleeps: number[] },
  overrides: Partial<EntraSourceConfig> = {},
): EntraSource {
  return createEntraSource({
    ...context.fake.credentials,
    sleep: async (ms) => {
      context.sleeps.push(ms);
    },
    ...overrides,
  });
}

/** Everything one read yields. */
export interface ReadResult {
  pages: SourcePage[];
  changes: SourceChange[];
  records: SourceRecord[];
  deletes: string[];
  /** The last page's cursor. */
  cursor: string | null;
}

/** Reads to the end (or up to the first failure, which rejects after the pages before it were collected in `into`). */
export async function readAll(
  source: EntraSource,
  cursor: string | null,
  into: SourcePage[] = [],
  signal?: AbortSignal,
): Promise<ReadResult> {
  for await (const page of source.read({ cursor, ...(signal ? { signal } : {}) })) into.push(page);
  return summarize(into);
}

export function summarize(pages: SourcePage[]): ReadResult {
  const changes = pages.flatMap((p) => p.changes);
  return {
    pages,
    changes,
    records: changes.flatMap((c) => (c.type === 'upsert' ? [c.record] : [])),
    deletes: changes.flatMap((c) => (c.type === 'delete' ? [c.externalId] : [])),
    cursor: pages.at(-1)?.cursor ?? null,
  };
}

/** The rejection of `promise` (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}
