import { AdapterError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import type { SourcePage } from '../types.js';
import type { LdapSourceConfig } from './ldap-config.js';
import { formatObjectGuid } from './ldap-entry.js';
import { createLdapSource } from './ldap-source.js';
import { hasSlapd } from './slapd.test-helpers.js';
import { readAll, useSlapd } from './slapd-fixture.test-helpers.js';
import { BASE_DN, dnOf, generalizedTime, modifyLdif, testUser } from './test-people.test-helpers.js';

const PEOPLE = 1000;
const slapd = useSlapd({ users: PEOPLE });

function source(overrides: Partial<LdapSourceConfig> = {}) {
  return createLdapSource({
    url: slapd.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    pageSize: 100,
    retries: 0,
    ...overrides,
  });
}

const idsOf = (pages: SourcePage[]) =>
  pages.flatMap((page) =>
    page.changes.map((change) => (change.type === 'upsert' ? change.record.externalId : '')),
  );
const guid = (n: number) => formatObjectGuid(testUser(n).guid)!;
const everyone = (count = PEOPLE) => Array.from({ length: count }, (_, i) => guid(i + 1));

/** Reads until `onPage` has been called for `pages` pages, then runs `interrupt`; returns what came and how it ended. */
async function readInterrupted(
  options: { pages: number; interrupt: () => Promise<void> },
  overrides: Partial<LdapSourceConfig> = {},
) {
  const received: SourcePage[] = [];
  let error: unknown = null;
  try {
    for await (const page of source(overrides).read({ cursor: null })) {
      received.push(page);
      if (received.length === options.pages) await options.interrupt();
      if (received.length > 100) throw new Error('the read does not end');
    }
  } catch (caught) {
    error = caught;
  }
  return { received, error, cursor: received.at(-1)?.cursor ?? null };
}

describe.skipIf(!hasSlapd)('LDAP source: a read interrupted and resumed', () => {
  it('a server killed mid-read fails the read with an AdapterError; resumed from the last cursor, it reports the rest, none twice, none missed', async () => {
    const first = await readInterrupted({ pages: 3, interrupt: () => slapd.kill() });
    expect(first.error).toBeInstanceOf(AdapterError);
    const error = first.error as AdapterError;
    expect(error.operation).toBe('search');
    expect(error.details).toMatchObject({ transient: true });
    expect(error.message).toContain("run the read again with the last page's cursor");
    const before = idsOf(first.received);
    expect(before.length).toBeGreaterThanOrEqual(300);
    expect(before.length).toBeLessThan(PEOPLE);

    await slapd.restart();
    const rest = await readAll(source().read({ cursor: first.cursor }));
    expect(rest.at(-1)?.done).toBe(true);
    const after = idsOf(rest);
    expect(after.length + before.length).toBe(PEOPLE);
    expect(new Set([...before, ...after])).toEqual(new Set(everyone()));
  });

  it('retries a lost connection inside the read: the server restarted mid-read, the read completes with everyone once', async () => {
    let restarted: Promise<void> = Promise.resolve();
    const read = await readInterrupted(
      {
        pages: 4,
        interrupt: async () => {
          await slapd.kill();
          restarted = new Promise((resolve) => setTimeout(resolve, 150)).then(() => slapd.restart());
        },
      },
      { retries: 4, retryDelayMs: 250 },
    );
    await restarted;
    expect(read.error).toBeNull();
    expect(read.received.at(-1)?.done).toBe(true);
    const ids = idsOf(read.received);
    expect(ids).toHaveLength(PEOPLE);
    expect(new Set(ids)).toEqual(new Set(everyone()));
  });

  it('a change made while the read was down is not reported twice by the resumed read, and comes in the next incremental read', async () => {
    const first = await readInterrupted({ pages: 3, interrupt: () => slapd.kill() });
    expect(first.error).toBeInstanceOf(AdapterError);
    await slapd.restart();
    await slapd.modify(
      modifyLdif(testUser(5), { mobile: '+44 7700 900555', whenChanged: generalizedTime(Date.now()) }),
    );
    const rest = await readAll(source().read({ cursor: first.cursor }));
    const ids = [...idsOf(first.received), ...idsOf(rest)];
    expect(ids).toHaveLength(PEOPLE);
    expect(ids.filter((id) => id === guid(5))).toHaveLength(1);

    const next = await readAll(source().read({ cursor: rest.at(-1)!.cursor }));
    const changed = next.flatMap((page) => page.changes);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ type: 'upsert', record: { externalId: guid(5) } });
    expect(changed[0]!.type === 'upsert' && changed[0]!.record.phones[0]!.number).toBe('+44 7700 900555');
  });

  it('people removed ahead of where the read stopped: the resumed read reports everyone again rather than miss anyone', async () => {
    const first = await readInterrupted({ pages: 3, interrupt: () => slapd.kill() });
    expect(first.error).toBeInstanceOf(AdapterError);
    await slapd.restart();
    // Users 1 and 2 came in the first page; without them the search's first entries are no longer the ones handed out.
    await slapd.modify([1, 2].map((n) => `dn: ${dnOf(testUser(n))}\nchangetype: delete\n`).join('\n'));
    const rest = await readAll(source().read({ cursor: first.cursor }));
    const after = idsOf(rest);
    const remaining = everyone().slice(2);
    expect(new Set(after)).toEqual(new Set(remaining));
    expect(after).toHaveLength(remaining.length);
  });
});
