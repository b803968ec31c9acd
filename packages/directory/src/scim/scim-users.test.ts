import { describe, expect, it } from 'vitest';
import { patchOp, type RequestBody, scimError, scimHarness } from './scim.test-helpers.js';

const user = (n: number, more: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `user${n}@example.com`,
  externalId: `ext-${n}`,
  emails: [
    { value: `user${n}@example.com`, type: 'work', primary: true },
    { value: `user${n}@home.example`, type: 'home' },
  ],
  active: n % 2 === 0,
  ...more,
});

async function withUsers(count: number) {
  const scim = scimHarness({ maxPageSize: 5 });
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) {
    scim.advance(1000);
    ids.push((await scim.call('POST', '/Users', { body: user(n) })).json?.id as string);
  }
  return { scim, ids };
}

const query = (params: Record<string, string>) => `/Users?${new URLSearchParams(params)}`;
const idsOf = (json: Record<string, unknown> | null) =>
  (json!.Resources as Array<{ id: string }>).map((r) => r.id);

describe('SCIM handler: listing users', () => {
  it('pages through users oldest first with startIndex, count, totalResults and itemsPerPage', async () => {
    const { scim, ids } = await withUsers(7);
    const page = await scim.call('GET', query({ startIndex: '3', count: '2' }));
    expect(page.json).toMatchObject({ totalResults: 7, startIndex: 3, itemsPerPage: 2 });
    expect(idsOf(page.json)).toEqual(ids.slice(2, 4));
    const last = await scim.call('GET', query({ startIndex: '6', count: '5' }));
    expect(last.json).toMatchObject({ totalResults: 7, itemsPerPage: 2 });
    expect(idsOf(last.json)).toEqual(ids.slice(5));
    // No count: the largest page; count above it: clamped; below 0: none; startIndex below 1: 1 (RFC 7644, 3.4.2.4).
    expect(idsOf((await scim.call('GET', '/Users')).json)).toEqual(ids.slice(0, 5));
    expect(idsOf((await scim.call('GET', query({ count: '500' }))).json)).toHaveLength(5);
    expect(idsOf((await scim.call('GET', query({ count: '2147483647' }))).json)).toHaveLength(5);
    expect((await scim.call('GET', query({ count: '0' }))).json).toMatchObject({
      totalResults: 7,
      itemsPerPage: 0,
      Resources: [],
    });
    expect((await scim.call('GET', query({ count: '-3' }))).json).toMatchObject({ itemsPerPage: 0 });
    expect((await scim.call('GET', query({ startIndex: '0', count: '1' }))).json).toMatchObject({
      startIndex: 1,
    });
    expect((await scim.call('GET', query({ startIndex: '99' }))).json).toMatchObject({
      totalResults: 7,
      Resources: [],
    });
  });

  it('refuses paging that is not a whole number with 400 invalidValue', async () => {
    const { scim } = await withUsers(1);
    for (const params of [{ count: 'ten' }, { startIndex: '1.5' }, { count: '1e3' }] as Array<
      Record<string, string>
    >) {
      const answer = await scim.call('GET', query(params));
      expect(answer.status, JSON.stringify(params)).toBe(400);
      expect(answer.json).toEqual(scimError(400, 'invalidValue'));
    }
  });

  it('filters on userName, externalId, id, active and emails, joined by and', async () => {
    const { scim, ids } = await withUsers(6);
    const cases: Array<[string, string[]]> = [
      ['userName eq "USER3@example.com"', [ids[2]!]],
      ['externalId eq "ext-4"', [ids[3]!]],
      ['externalId eq "EXT-4"', []],
      [`id eq "${ids[4]}"`, [ids[4]!]],
      ['active eq false', [ids[0]!, ids[2]!, ids[4]!]],
      ['emails[type eq "work"].value eq "user5@example.com"', [ids[4]!]],
      ['emails[type eq "work"].value eq "user5@home.example"', []],
      ['emails.value eq "user5@home.example"', [ids[4]!]],
      ['emails[type eq "home" and value eq "user6@home.example"]', [ids[5]!]],
      ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "user1@example.com"', [ids[0]!]],
      ['active eq true and (emails.value eq "user2@example.com" and externalId eq "ext-2")', [ids[1]!]],
      ['active eq true and userName eq "user1@example.com"', []],
    ];
    for (const [filter, expected] of cases) {
      const answer = await scim.call('GET', query({ filter }));
      expect(answer.status, filter).toBe(200);
      expect(idsOf(answer.json), filter).toEqual(expected);
      expect(answer.json?.totalResults, filter).toBe(expected.length);
    }
  });

  it('answers 400 invalidFilter saying what is wrong, for filters it cannot read or does not support', async () => {
    const { scim } = await withUsers(1);
    const cases: Array<[string, RegExp]> = [
      ['userName co "user"', /uses co on userName; this endpoint filters users on userName/],
      ['userName eq "a" or userName eq "b"', /uses or/],
      ['not (active eq true)', /uses not/],
      ['title eq "Engineer"', /tests title/],
      ['phoneNumbers.value eq "+15550100"', /tests phoneNumbers/],
      ['userName pr', /uses pr on userName/],
      ['userName eq', /ends where a value after "eq" was expected/],
      ['userName eq "unterminated', /string that is never closed/],
      ['userName equals "x"', /"equals" at position 10 where an operator/],
      ['(userName eq "x"', /ends where "\)" was expected/],
      ['userName eq "x")', /"\)" at position 16 where it should end/],
      ['emails[type eq "work"', /ends where \] was expected/],
      ['userName eq 12', /compares userName with 12/],
      [`userName eq "${'x'.repeat(1200)}"`, /longer than 1000 characters/],
      ['((((((((((userName eq "x"))))))))))', /nests deeper than 8 levels/],
    ];
    for (const [filter, detail] of cases) {
      const answer = await scim.call('GET', query({ filter }));
      expect(answer.status, filter).toBe(400);
      expect(answer.json, filter).toEqual(scimError(400, 'invalidFilter'));
      expect(answer.json?.detail, filter).toMatch(detail);
    }
  });
});

describe('SCIM handler: bodies it refuses', () => {
  it('answers 400 with a detail naming the field for users it cannot store, storing nothing', async () => {
    const scim = scimHarness();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...user(1), userName: undefined }, 'invalidValue', /userName is required/],
      [{ ...user(1), userName: '   ' }, 'invalidValue', /userName is required/],
      [{ ...user(1), userName: 42 }, 'invalidValue', /userName must be a string, not number/],
      [{ ...user(1), userName: 'x'.repeat(300) }, 'invalidValue', /userName is longer than 256/],
      [{ ...user(1), displayName: 'tab\there' }, 'invalidValue', /displayName contains control characters/],
      [{ ...user(1), active: 'maybe' }, 'invalidValue', /active must be true or false/],
      [
        { ...user(1), emails: [{ value: 'not-an-address' }] },
        'invalidValue',
        /emails\[0\]\.value "not-an-address" is not an email/,
      ],
      [{ ...user(1), emails: ['a@example.com'] }, 'invalidValue', /emails\[0\] must be an object/],
      [
        {
          ...user(1),
          emails: [
            { value: 'a@example.com', primary: true },
            { value: 'b@example.com', primary: 'True' },
          ],
        },
        'invalidValue',
        /More than one of emails is primary/,
      ],
      [{ ...user(1), phoneNumbers: [{ value: 'call me', type: 'mobile' }] }, 'invalidValue', /has no digits/],
      [
        { ...user(1), phoneNumbers: Array.from({ length: 21 }, (_, i) => ({ value: `+1555010${i}` })) },
        'invalidValue',
        /at most 20/,
      ],
      [{ ...user(1), name: 'A Person' }, 'invalidValue', /name must be an object/],
      [
        { ...user(1), schemas: 'urn:ietf:params:scim:schemas:core:2.0:User' },
        'invalidValue',
        /schemas must be an array/,
      ],
      [[user(1)], 'invalidSyntax', /must be a SCIM User object/],
      ['just a string', 'invalidSyntax', /must be a SCIM User object/],
    ];
    for (const [body, scimType, detail] of cases) {
      const answer = await scim.call('POST', '/Users', { body });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.json).toEqual(scimError(400, scimType));
      expect(answer.json?.detail).toMatch(detail);
    }
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
    expect(scim.changes).toEqual([]);
  });

  it('refuses bodies that are not JSON, not UTF-8, empty, too deep, too large or of another media type', async () => {
    const scim = scimHarness({ maxBodyBytes: 2048 });
    const json = { 'content-type': 'application/scim+json' };
    const cases: Array<[RequestBody, Record<string, string>, number, string | undefined]> = [
      ['{"userName": "a@example.com",', json, 400, 'invalidSyntax'],
      ['', json, 400, 'invalidSyntax'],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), json, 400, 'invalidSyntax'],
      [`${'['.repeat(40)}${']'.repeat(40)}`, json, 400, 'invalidSyntax'],
      ['userName=a@example.com', { 'content-type': 'application/x-www-form-urlencoded' }, 415, undefined],
      [JSON.stringify({ ...user(1), title: 'x'.repeat(4000) }), json, 413, undefined],
    ];
    for (const [raw, headers, status, scimType] of cases) {
      const answer = await scim.call('POST', '/Users', { raw, headers });
      expect(answer.status, String(raw).slice(0, 40)).toBe(status);
      expect(answer.json).toEqual(scimError(status, scimType));
    }
    // The parser's message is not echoed: it would quote the body.
    const quoted = await scim.call('POST', '/Users', { raw: '{"password": "hunter2-secret"', headers: json });
    expect(JSON.stringify(quoted.json)).not.toContain('hunter2');
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
  });

  it('drops keys that would reach a prototype, keeping the rest of the user', async () => {
    const scim = scimHarness();
    const raw = `{"userName":"p@example.com","__proto__":{"polluted":true},"title":"Analyst","name":{"__proto__":{"x":1},"givenName":"Pat"}}`;
    const answer = await scim.call('POST', '/Users', {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      userName: 'p@example.com',
      title: 'Analyst',
      name: { givenName: 'Pat' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(answer.json ?? {}, '__proto__')).toBe(false);
  });
});

describe('SCIM handler: PATCH', () => {
  async function oneUser() {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: user(2) })).json?.id as string;
    return { scim, id };
  }

  it('answers 400 with SCIM’s scimType for operations it cannot apply, and applies none of them', async () => {
    const { scim, id } = await oneUser();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ schemas: [], Operations: [] }, 'invalidSyntax', /at least one operation/],
      [{ Operations: 'replace active' }, 'invalidSyntax', /"Operations" array/],
      [
        patchOp({ op: 'merge', path: 'active', value: false }),
        'invalidSyntax',
        /op is "merge"; use add, replace or remove/,
      ],
      [patchOp({ op: 'replace', path: 'displayName' }), 'invalidValue', /has no value/],
      [patchOp({ op: 'remove' }), 'noTarget', /removes without a path/],
      [patchOp({ op: 'replace', value: 'false' }), 'invalidValue', /value must be an object/],
      [patchOp({ op: 'replace', path: 'id', value: 'mine' }), 'mutability', /id is set by QDesk/],
      [
        patchOp({ op: 'replace', path: 'meta.lastModified', value: 'now' }),
        'mutability',
        /meta is set by QDesk/,
      ],
      [
        patchOp({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
        'invalidPath',
        /ends where \] was expected/,
      ],
      [
        patchOp({ op: 'replace', path: 'a.b.c', value: 'x' }),
        'invalidPath',
        /where an attribute name was expected/,
      ],
      [
        patchOp({ op: 'replace', path: 'userName[type eq "x"].value', value: 'x' }),
        'invalidPath',
        /userName is not multi-valued/,
      ],
      [patchOp({ op: 'replace', path: 'displayName.first', value: 'x' }), 'invalidValue', /displayName/],
      [
        patchOp({ op: 'replace', path: 'emails[type ne "work"].value', value: 'home' }),
        'invalidValue',
        /emails\[1\]\.value "home" is not an email/,
      ],
      [
        patchOp({ op: 'replace', path: 'emails[value co "nobody"].value', value: 'x@example.com' }),
        'noTarget',
        /does not say what a new one would hold/,
      ],
      [patchOp({ op: 'remove', path: 'userName' }), 'invalidValue', /userName is required/],
      [
        patchOp(
          { op: 'replace', path: 'displayName', value: 'Fine' },
          { op: 'replace', path: 'active', value: 'sometimes' },
        ),
        'invalidValue',
        /active must be true or false/,
      ],
    ];
    for (const [body, scimType, detail] of cases) {
      const answer = await scim.call('PATCH', `/Users/${id}`, { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json, JSON.stringify(body)).toEqual(scimError(400, scimType));
      expect(answer.json?.detail, JSON.stringify(body)).toMatch(detail);
    }
    const stored = await scim.store.inspect.user('cust-a', id);
    expect(stored?.version).toBe(1);
    expect(stored?.user.displayName).toBeNull();
    expect(scim.changes).toHaveLength(1);
  });

  it('answers 404 for a user it does not have and 409 for a userName another user has', async () => {
    const { scim, id } = await oneUser();
    await scim.call('POST', '/Users', { body: user(3) });
    const missing = await scim.call('PATCH', '/Users/nobody', {
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    });
    expect(missing.status).toBe(404);
    const taken = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'Replace', path: 'userName', value: 'USER3@example.com' }),
    });
    expect(taken.status).toBe(409);
    expect(taken.json).toEqual(scimError(409, 'uniqueness'));
    const renamed = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'Replace', path: 'userName', value: 'USER2@example.com' }),
    });
    expect(renamed.json).toMatchObject({ userName: 'USER2@example.com' });
  });

  it('honours If-Match: a stale ETag gets 412 and changes nothing, the current one writes', async () => {
    const { scim, id } = await oneUser();
    const body = patchOp({ op: 'replace', path: 'displayName', value: 'Pinned' });
    expect((await scim.call('GET', `/Users/${id}`)).headers.get('etag')).toBe('W/"1"');
    const stale = await scim.call('PATCH', `/Users/${id}`, { body, headers: { 'if-match': 'W/"7"' } });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual(scimError(412));
    const fresh = await scim.call('PATCH', `/Users/${id}`, { body, headers: { 'if-match': 'W/"1"' } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('W/"2"');
    expect((await scim.call('DELETE', `/Users/${id}`, { headers: { 'if-match': 'W/"1"' } })).status).toBe(
      412,
    );
    expect(await scim.store.inspect.user('cust-a', id)).not.toBeNull();
    expect((await scim.call('DELETE', `/Users/${id}`, { headers: { 'if-match': '*' } })).status).toBe(204);
  });

  it('stores nothing for a PATCH that changes nothing, but passes the user on again', async () => {
    const { scim, id } = await oneUser();
    scim.advance(5000);
    const same = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp(
        { op: 'Replace', path: 'active', value: 'True' },
        { op: 'add', path: 'emails', value: { value: 'user2@example.com', type: 'work' } },
      ),
    });
    expect(same.status).toBe(200);
    expect(same.json?.meta).toMatchObject({
      version: 'W/"1"',
      lastModified: new Date(scim.now() - 5000).toISOString(),
    });
    expect(scim.changes).toHaveLength(2);
    expect(scim.changes[1]).toEqual(scim.changes[0]);
  });

  it('adds emails and makes the one marked primary the only primary, passing the others as otherEmails', async () => {
    const { scim, id } = await oneUser();
    const answer = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({
        op: 'add',
        path: 'emails',
        value: [{ value: 'new.main@example.com', type: 'work', primary: true }],
      }),
    });
    expect(answer.json?.emails).toEqual([
      { value: 'user2@example.com', type: 'work' },
      { value: 'user2@home.example', type: 'home' },
      { value: 'new.main@example.com', type: 'work', primary: true },
    ]);
    expect(scim.changes.at(-1)?.change).toMatchObject({
      record: { email: 'new.main@example.com', otherEmails: ['user2@example.com', 'user2@home.example'] },
    });
  });
});
