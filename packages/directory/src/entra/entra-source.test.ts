import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { readAll, sourceOn, useGraphFake } from './entra-setup.test-helpers.js';

const graph = useGraphFake();

describe('createEntraSource: full read', () => {
  it('reads every user over several pages; each cursor is the next link, the last one the delta link', async () => {
    const users = graph.fake.data.generateUsers(25);
    const result = await readAll(sourceOn(graph, { pageSize: 10 }), null);

    expect(result.pages.map((p) => [p.changes.length, p.done])).toEqual([
      [10, false],
      [10, false],
      [5, true],
    ]);
    expect(result.pages[0]!.cursor).toMatch(
      /^https:\/\/graph\.microsoft\.com\/v1\.0\/users\/delta\?\$skiptoken=/,
    );
    expect(result.cursor).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect(result.records.map((r) => r.externalId)).toEqual(users.map((u) => u.id));
    expect(graph.fake.count('delta')).toBe(3);
    const first = graph.fake.requests.find((r) => r.kind === 'delta')!;
    expect(new URL(first.url).searchParams.get('$select')).toBe(
      'id,displayName,mail,otherMails,mobilePhone,businessPhones,accountEnabled,userPrincipalName',
    );
    expect(new URL(first.url).searchParams.get('$top')).toBe('10');
  });

  it("maps mail, otherMails, mobilePhone, businessPhones and each user's own MFA phones with their sources", async () => {
    const user = graph.fake.data.addUser({
      displayName: 'A New User',
      mail: 'new.user@fabrikam.example',
      otherMails: ['new.user@contoso.example', 'NEW.USER@fabrikam.example', ' '],
      mobilePhone: '+1 425 555 0101',
      businessPhones: ['(425) 555-0102'],
      phoneMethods: [
        { phoneType: 'mobile', phoneNumber: '+1 4255550103' },
        { phoneType: 'alternateMobile', phoneNumber: '+1 4255550104' },
        { phoneType: 'office', phoneNumber: '+1 4255550105' },
      ],
    });
    // Other users around it, so that a batch answer matched by position instead of id would be caught.
    const others = graph.fake.data.generateUsers(30);
    const { records } = await readAll(sourceOn(graph), null);

    expect(records.find((r) => r.externalId === user.id)).toEqual({
      externalId: user.id,
      email: 'new.user@fabrikam.example',
      otherEmails: ['new.user@contoso.example'],
      displayName: 'A New User',
      phones: [
        { number: '+1 4255550103', kind: 'mfa', source: 'idp_mfa' },
        { number: '+1 4255550104', kind: 'mfa', source: 'idp_mfa' },
        { number: '+1 4255550105', kind: 'mfa', source: 'idp_mfa' },
        { number: '+1 425 555 0101', kind: 'mobile', source: 'directory' },
        { number: '(425) 555-0102', kind: 'business', source: 'directory' },
      ],
      active: true,
      changedAt: null,
    });
    for (const other of others) {
      const mfa = records.find((r) => r.externalId === other.id)!.phones.filter((p) => p.kind === 'mfa');
      expect(mfa.map((p) => p.number)).toEqual(other.phoneMethods.map((m) => m.phoneNumber));
    }
  });

  it('reads a disabled account as an upsert with active false, and a user without mail or phones', async () => {
    const disabled = graph.fake.data.addUser({ accountEnabled: false });
    const bare = graph.fake.data.addUser({ mail: null, mobilePhone: null, phoneMethods: [] });
    const { records } = await readAll(sourceOn(graph), null);

    expect(records.find((r) => r.externalId === disabled.id)?.active).toBe(false);
    expect(records.find((r) => r.externalId === bare.id)).toMatchObject({
      email: null,
      phones: [],
      active: true,
    });
  });

  it('sends no $batch request at all when MFA phones are not wanted', async () => {
    graph.fake.data.generateUsers(30);
    const { records } = await readAll(sourceOn(graph, { includeMfaPhones: false }), null);

    expect(records).toHaveLength(30);
    expect(records.flatMap((r) => r.phones).some((p) => p.kind === 'mfa')).toBe(false);
    expect(graph.fake.count('batch')).toBe(0);
  });
});

describe('createEntraSource: incremental read', () => {
  it('returns only what changed since the delta link: a new number, a disabled account, deletions, a new user', async () => {
    const users = graph.fake.data.generateUsers(40);
    const source = sourceOn(graph, { pageSize: 15 });
    const full = await readAll(source, null);
    const [moved, leaver, softDeleted, hardDeleted] = users.filter(
      (u) => u.accountEnabled && u.mobilePhone,
    ) as [(typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const oldMobile = moved.mobilePhone;
    graph.fake.data.updateUser(moved.id, { mobilePhone: '+1 206 555 0177' });
    graph.fake.data.updateUser(leaver.id, { accountEnabled: false });
    graph.fake.data.deleteUser(softDeleted.id, 'changed');
    graph.fake.data.deleteUser(hardDeleted.id, 'deleted');
    const joiner = graph.fake.data.addUser({ displayName: 'A Technician' });
    graph.fake.resetRequests();

    const incremental = await readAll(source, full.cursor);

    expect(incremental.pages).toHaveLength(1);
    expect(incremental.pages[0]!.done).toBe(true);
    expect(incremental.cursor).not.toBe(full.cursor);
    expect(incremental.changes).toHaveLength(5);
    const byId = new Map(incremental.records.map((r) => [r.externalId, r]));
    expect(byId.get(moved.id)?.phones).toContainEqual({
      number: '+1 206 555 0177',
      kind: 'mobile',
      source: 'directory',
    });
    expect(byId.get(moved.id)?.phones).not.toContainEqual(expect.objectContaining({ number: oldMobile }));
    expect(byId.get(leaver.id)).toMatchObject({ active: false, email: leaver.mail });
    expect(byId.get(joiner.id)).toMatchObject({ displayName: 'A Technician', active: true });
    expect(incremental.deletes.sort()).toEqual([softDeleted.id, hardDeleted.id].sort());
    // Four upserts, one $batch for their MFA phones; the deleted users cost nothing.
    expect(graph.fake.count('delta')).toBe(1);
    expect(graph.fake.count('batch')).toBe(1);
    expect(graph.fake.count('methods', true)).toBe(3);

    const quiet = await readAll(source, incremental.cursor);
    expect(quiet.changes).toEqual([]);
  });

  it('reads a user again in full when the delta object holds only the changed properties', async () => {
    graph.fake.updates = 'changed_only';
    const [user] = graph.fake.data.generateUsers(5);
    const source = sourceOn(graph);
    const full = await readAll(source, null);
    graph.fake.data.updateUser(user!.id, { mobilePhone: '+1 312 555 0144' });
    graph.fake.resetRequests();

    const { records } = await readAll(source, full.cursor);

    expect(records).toEqual([
      expect.objectContaining({
        externalId: user!.id,
        email: user!.mail,
        displayName: user!.displayName,
        active: true,
        phones: expect.arrayContaining([{ number: '+1 312 555 0144', kind: 'mobile', source: 'directory' }]),
      }),
    ]);
    expect(graph.fake.count('user', true)).toBe(1);
    expect(graph.fake.count('batch')).toBe(1);
  });

  it('does not read whole users again when delta objects are whole (Graph’s default)', async () => {
    const [user] = graph.fake.data.generateUsers(5);
    const source = sourceOn(graph);
    const full = await readAll(source, null);
    graph.fake.data.updateUser(user!.id, { mobilePhone: null });
    graph.fake.resetRequests();

    const { records } = await readAll(source, full.cursor);

    expect(records[0]!.phones.filter((p) => p.kind === 'mobile')).toEqual([]);
    expect(graph.fake.count('user', true)).toBe(0);
  });

  it('turns a partial object whose user is gone by the time it is read again into a delete', async () => {
    graph.fake.updates = 'changed_only';
    const [user] = graph.fake.data.generateUsers(3);
    const source = sourceOn(graph);
    const full = await readAll(source, null);
    graph.fake.data.updateUser(user!.id, { displayName: 'Renamed User' });
    graph.fake.fail({ on: 'user', status: 404, userId: user!.id });

    const { changes } = await readAll(source, full.cursor);

    expect(changes).toEqual([{ type: 'delete', externalId: user!.id }]);
  });

  it('keeps one change per user when Graph lists a user twice in a page: the later one', async () => {
    const id = '00000000-0000-4000-8000-0000000000aa';
    const base = { displayName: 'Twice Listed', userPrincipalName: 'twice@fabrikam.example', mail: null };
    graph.server.use(
      http.get('https://graph.microsoft.com/v1.0/users/delta', () =>
        HttpResponse.json({
          value: [
            { ...base, id, accountEnabled: true, mobilePhone: '+1 425 555 0110' },
            { id: '00000000-0000-4000-8000-0000000000bb', '@removed': { reason: 'deleted' } },
            { ...base, id, accountEnabled: false, mobilePhone: '+1 425 555 0111' },
          ],
          '@odata.deltaLink': 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc',
        }),
      ),
    );

    const { changes } = await readAll(sourceOn(graph, { includeMfaPhones: false }), null);

    expect(changes).toEqual([
      { type: 'delete', externalId: '00000000-0000-4000-8000-0000000000bb' },
      {
        type: 'upsert',
        record: expect.objectContaining({
          externalId: id,
          active: false,
          phones: [{ number: '+1 425 555 0111', kind: 'mobile', source: 'directory' }],
        }),
      },
    ]);
  });
});
