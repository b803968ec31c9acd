import type { AuditRecord, EndUser } from '@qdesk/core';
import { createManualClock } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { createMemoryScimUserStore } from '../scim/memory-scim-user-store.js';
import { createScimHandler } from '../scim/scim-handler.js';
import type { DirectorySource, SourcePage, SourceRecord } from '../types.js';
import { normalizePhone } from './phone.js';
import {
  createDirectoryWriter,
  type DirectorySyncState,
  endUserIdFor,
  type SyncTargetDirectory,
  syncDirectory,
} from './sync.js';

const T = 'msp-1';
const C = 'cust-northwind';

/** A directory in a Map, as the PostgreSQL one behaves for a sync (put replaces the profile, keeps devices). */
function mapDirectory(): SyncTargetDirectory & { users: Map<string, EndUser> } {
  const users = new Map<string, EndUser>();
  return {
    users,
    getById: async (_t, id) => structuredClone(users.get(id) ?? null),
    put: async (user) => {
      users.set(user.id, structuredClone(user));
    },
    remove: async (_t, id) => users.delete(id),
    list: async () => [...users.values()].map((u) => structuredClone(u)),
  };
}

const person = (n: number, fields: Partial<SourceRecord> = {}): SourceRecord => ({
  externalId: `guid-${n}`,
  email: `Person.${n}@Northwind.example`,
  otherEmails: [],
  displayName: `Person ${n}`,
  phones: [{ number: `(201) 555-${String(n).padStart(4, '0')}`, kind: 'mobile', source: 'directory' }],
  active: true,
  changedAt: null,
  ...fields,
});

/** A source that serves fixed reads: `reads[cursor ?? 'full']` is the list of pages, each page's cursor its key. */
function scriptedSource(
  reads: Record<string, SourcePage[]>,
  failAfterPages?: { read: string; pages: number },
) {
  const asked: (string | null)[] = [];
  const source: DirectorySource = {
    kind: 'ldap',
    async *read({ cursor }) {
      asked.push(cursor);
      const key = cursor ?? 'full';
      const [read, start] = key.includes('#') ? (key.split('#') as [string, string]) : [key, '0'];
      const pages = reads[read] ?? [];
      for (let i = Number(start); i < pages.length; i++) {
        if (failAfterPages && failAfterPages.read === read && i === failAfterPages.pages) {
          failAfterPages = undefined;
          throw new Error('connection reset by the directory server');
        }
        yield pages[i]!;
      }
    },
  };
  return { source, asked };
}
const page = (read: string, i: number, records: SourceRecord[], last: string | null): SourcePage => ({
  changes: records.map((record) => ({ type: 'upsert', record })),
  cursor: last ?? `${read}#${i + 1}`,
  done: last !== null,
});

function run(
  source: DirectorySource,
  directory: SyncTargetDirectory,
  state: DirectorySyncState | null,
  extra = {},
) {
  const records: AuditRecord[] = [];
  const clock = createManualClock(Date.UTC(2026, 10, 30, 9));
  const changedPhones: string[] = [];
  const done = syncDirectory({
    source,
    directory,
    tenantId: T,
    customerId: C,
    defaultRegion: 'US',
    audit: { append: async (r) => void records.push(r) },
    clock,
    state,
    onPhoneChanged: ({ previous }) => void changedPhones.push(previous),
    ...extra,
  });
  return { done, records, clock, changedPhones };
}

describe('syncDirectory', () => {
  it('normalises numbers to E.164 with the customer’s region, and refuses what is not a number', () => {
    expect(normalizePhone('(201) 555-0123', 'US')).toBe('+12015550123');
    expect(normalizePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(normalizePhone('030 901820', 'DE')).toBe('+4930901820');
    expect(normalizePhone('not a number', 'US')).toBeNull();
  });

  it('creates every person of a full read page by page, with provenance and the customer, audited', async () => {
    const directory = mapDirectory();
    const { source } = scriptedSource({
      full: [
        { ...page('full', 0, [person(1), person(2, { phones: [] })], null), cursor: 'full#1', done: false },
        page(
          'full',
          1,
          [person(3, { phones: [{ number: '+1 201 555 0199', kind: 'mfa', source: 'idp_mfa' }] })],
          'hw-1',
        ),
      ],
    });
    const { done, records } = run(source, directory, null);
    const { summary, state } = await done;
    expect(summary).toMatchObject({ created: 3, updated: 0, disabled: 0, pages: 2 });
    expect(state).toEqual({ cursor: 'hw-1', full: false, seen: [] });
    const one = directory.users.get(endUserIdFor(C, 'guid-1'))!;
    expect(one).toMatchObject({
      id: 'cust-northwind:guid-1',
      customerId: C,
      email: 'person.1@northwind.example',
      mobilePhone: '+12015550001',
      provenance: {
        email: { source: 'directory', changedAt: null },
        mobilePhone: { source: 'directory', changedAt: null },
      },
    });
    expect(directory.users.get('cust-northwind:guid-2')).toMatchObject({ mobilePhone: null });
    expect(directory.users.get('cust-northwind:guid-3')?.provenance?.mobilePhone).toEqual({
      source: 'idp_mfa',
      changedAt: null,
    });
    expect(records.filter((r) => r.result === 'created')).toHaveLength(3);
    expect(JSON.stringify(records)).not.toContain('5550001'); // no number in the audit trail
  });

  it('flags a changed number with its time, tells the old number, and audits it masked', async () => {
    const directory = mapDirectory();
    await run(
      scriptedSource({ full: [page('full', 0, [person(1), person(2)], 'hw-1')] }).source,
      directory,
      null,
    ).done;
    const changed = person(1, {
      phones: [{ number: '(201) 555-0999', kind: 'mobile', source: 'directory' }],
    });
    const second = run(scriptedSource({ 'hw-1': [page('hw-1', 0, [changed], 'hw-2')] }).source, directory, {
      cursor: 'hw-1',
      full: false,
      seen: [],
    });
    const { summary } = await second.done;
    expect(summary).toMatchObject({ updated: 1, created: 0 });
    expect(directory.users.get('cust-northwind:guid-1')).toMatchObject({
      mobilePhone: '+12015550999',
      provenance: { mobilePhone: { source: 'directory', changedAt: second.clock.now() } },
    });
    expect(second.changedPhones).toEqual(['+12015550001']);
    expect(second.records).toEqual([
      expect.objectContaining({
        action: 'directory_sync',
        result: 'contact_changed',
        detail: { field: 'mobilePhone', source: 'directory', before: '+1•••0001', after: '+1•••0999' },
      }),
    ]);
    // Person 2 was not in the incremental read: untouched, not removed.
    expect(directory.users.has('cust-northwind:guid-2')).toBe(true);
  });

  it('drops a disabled account, a deleted one, and at the end of a full read everyone it did not see', async () => {
    const directory = mapDirectory();
    await run(
      scriptedSource({ full: [page('full', 0, [person(1), person(2), person(3)], 'hw-1')] }).source,
      directory,
      null,
    ).done;
    await directory.put({
      id: 'u-file',
      tenantId: T,
      email: 'x@y.example',
      displayName: 'X',
      mobilePhone: null,
      devices: [],
    });
    const incremental = scriptedSource({
      'hw-1': [
        {
          changes: [
            { type: 'upsert', record: person(1, { active: false }) },
            { type: 'delete', externalId: 'guid-2' },
          ],
          cursor: 'hw-2',
          done: true,
        },
      ],
    });
    const { summary } = await run(incremental.source, directory, { cursor: 'hw-1', full: false, seen: [] })
      .done;
    expect(summary.disabled).toBe(2);
    expect([...directory.users.keys()].sort()).toEqual(['cust-northwind:guid-3', 'u-file']);
    // A new full read without person 3 removes them; an end-user of another origin stays.
    const full = await run(
      scriptedSource({ full: [page('full', 0, [person(4)], 'hw-9')] }).source,
      directory,
      null,
    ).done;
    expect(full.summary).toMatchObject({ created: 1, disabled: 1 });
    expect([...directory.users.keys()].sort()).toEqual(['cust-northwind:guid-4', 'u-file']);
  });

  it('resumes a failed full read after the last page it applied: nobody twice, nobody missed, removals still right', async () => {
    const directory = mapDirectory();
    const pages = [0, 1, 2].map((i) =>
      page('full', i, [person(i * 2 + 1), person(i * 2 + 2)], i === 2 ? 'hw-1' : null),
    );
    pages[0] = { ...pages[0]!, cursor: 'full#1', done: false };
    pages[1] = { ...pages[1]!, cursor: 'full#2', done: false };
    await directory.put({
      id: 'cust-northwind:guid-gone',
      tenantId: T,
      customerId: C,
      email: 'g@n.example',
      displayName: 'G',
      mobilePhone: null,
      devices: [],
    });
    const { source, asked } = scriptedSource({ full: pages }, { read: 'full', pages: 2 });
    const saved: DirectorySyncState[] = [];
    await expect(
      run(source, directory, null, { saveState: (s: DirectorySyncState) => void saved.push(s) }).done,
    ).rejects.toThrow(/connection reset/);
    const resumeFrom = saved.at(-1)!;
    expect(resumeFrom).toMatchObject({ cursor: 'full#2', full: true });
    const { summary } = await run(source, directory, resumeFrom).done;
    expect(asked).toEqual([null, 'full#2']);
    expect(summary).toMatchObject({ created: 2, disabled: 1, pages: 1 });
    expect([...directory.users.keys()].sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `cust-northwind:guid-${n}`),
    );
  });

  it('skips a record without an email and keeps a bad number out, saying why; refuses an unknown region', async () => {
    const directory = mapDirectory();
    const { summary } = await run(
      scriptedSource({
        full: [
          page(
            'full',
            0,
            [
              person(1, { email: null }),
              person(2, { phones: [{ number: '12', kind: 'mobile', source: 'directory' }] }),
            ],
            'hw',
          ),
        ],
      }).source,
      directory,
      null,
    ).done;
    expect(summary.skipped).toEqual([
      { externalId: 'guid-1', reason: 'no valid email' },
      { externalId: 'guid-2', reason: 'mobile number not valid for US (kept without one)' },
    ]);
    expect(directory.users.get('cust-northwind:guid-2')).toMatchObject({ mobilePhone: null });
    await expect(
      run(scriptedSource({}).source, directory, null, { defaultRegion: 'XX' }).done,
    ).rejects.toMatchObject({ code: 'config_invalid' });
  });
});

describe('createDirectoryWriter, behind a SCIM endpoint', () => {
  it('creates, changes and drops end-users as the identity provider pushes them, with SCIM as the source', async () => {
    const directory = mapDirectory();
    const records: AuditRecord[] = [];
    const clock = createManualClock(Date.UTC(2026, 10, 30, 9));
    const writer = createDirectoryWriter({
      directory,
      tenantId: T,
      customerId: C,
      defaultRegion: 'US',
      audit: { append: async (r) => void records.push(r) },
      clock,
      sourceKind: 'scim',
    });
    const handle = createScimHandler({
      store: createMemoryScimUserStore(),
      basePath: '/scim/v2',
      authenticate: (token) => (token === 'northwind-token' ? C : null),
      onChange: (_customer, change) => writer.apply(change),
    });
    const send = (method: string, path: string, body?: unknown) =>
      handle(
        new Request(`https://qdesk.example/scim/v2${path}`, {
          method,
          headers: { authorization: 'Bearer northwind-token', 'content-type': 'application/scim+json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    const created = await send('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ana.silva@northwind.example',
      displayName: 'Ana Silva',
      active: true,
      emails: [{ value: 'ana.silva@northwind.example', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 201 555 0101', type: 'mobile' }],
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(directory.users.get(endUserIdFor(C, id))).toMatchObject({
      email: 'ana.silva@northwind.example',
      mobilePhone: '+12015550101',
      provenance: {
        email: { source: 'scim', changedAt: null },
        mobilePhone: { source: 'scim', changedAt: null },
      },
    });
    clock.advance(60_000);
    const patched = await send('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 201 555 0199' }],
    });
    expect(patched.status).toBe(200);
    expect(directory.users.get(endUserIdFor(C, id))?.provenance?.mobilePhone).toEqual({
      source: 'scim',
      changedAt: clock.now(),
    });
    await send('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(directory.users.has(endUserIdFor(C, id))).toBe(false);
    expect(writer.summary).toMatchObject({ created: 1, updated: 1, disabled: 1 });
    expect(records.map((r) => r.result)).toEqual(['created', 'contact_changed', 'removed']);
  });
});
