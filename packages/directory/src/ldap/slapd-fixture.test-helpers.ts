import { afterAll, beforeAll } from 'vitest';
import type { SourcePage } from '../types.js';
import { hasSlapd, type Slapd, type SlapdOptions, startSlapd } from './slapd.test-helpers.js';

/**
 * A slapd for one test file: started before its tests (unless slapd is missing: the tests skip, see
 * `slapd.test-helpers.ts`), killed and removed after them. Read it inside tests and later hooks only.
 */
export function useSlapd(options: SlapdOptions = {}): Slapd {
  let started: Slapd | undefined;
  beforeAll(async () => {
    if (hasSlapd) started = await startSlapd(options);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as Slapd, {
    get(_target, key) {
      if (!started)
        throw new Error('The test slapd starts in beforeAll: use it inside a test or a later hook.');
      return Reflect.get(started, key);
    },
  });
}

/** Every page of a read, bounded (a read that never ends fails the test instead of hanging it). */
export async function readAll(pages: AsyncIterable<SourcePage>, limit = 1000): Promise<SourcePage[]> {
  const all: SourcePage[] = [];
  for await (const page of pages) {
    all.push(page);
    if (all.length > limit) throw new Error(`more than ${limit} pages: the read does not end`);
  }
  return all;
}
