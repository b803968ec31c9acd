import { describe, expect, it } from 'vitest';
import { patchOp, START, scimHarness } from './scim.test-helpers.js';

// The request bodies follow Okta's "Okta and SCIM Version 2.0" reference: a lookup with startIndex=1&count=100, a
// create carrying a password and an empty groups list, a full PUT (with id, meta and password), and deactivation
// as a no-path replace of { "active": false }.
const OKTA_CREATE = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'test.user@example.com',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@example.com', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

describe('SCIM handler: Okta provisioning', () => {
  it('follows Okta’s sequence: test, look up, create, read, replace, deactivate, reactivate', async () => {
    const scim = scimHarness();

    const test = await scim.call('GET', '/Users?startIndex=1&count=2');
    expect(test.status).toBe(200);
    expect(test.json).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    const lookup = await scim.call(
      'GET',
      '/Users?filter=userName%20eq%20%22test.user%40example.com%22&startIndex=1&count=100',
    );
    expect(lookup.json).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim.call('POST', '/Users', { body: OKTA_CREATE });
    expect(created.status).toBe(201);
    const id = created.json?.id as string;
    expect(created.json).toMatchObject({
      userName: 'test.user@example.com',
      externalId: '00ujl29u0le5T6Aj10h7',
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
    });
    expect(created.json).not.toHaveProperty('password');
    expect(created.json).not.toHaveProperty('groups');
    expect(scim.changes[0]?.change).toEqual({
      type: 'upsert',
      record: {
        externalId: id,
        email: 'test.user@example.com',
        otherEmails: [],
        displayName: 'Test User',
        phones: [],
        active: true,
        changedAt: START,
      },
    });

    const read = await scim.call('GET', `/Users/${id}`);
    expect(read.json).toEqual(created.json);

    scim.advance(1000);
    const replaced = await scim.call('PUT', `/Users/${id}`, {
      body: {
        ...OKTA_CREATE,
        id,
        name: { givenName: 'Another', familyName: 'User' },
        displayName: 'Another User',
        phoneNumbers: [{ value: '+44 7700 900123', type: 'mobile', primary: true }],
        meta: created.json?.meta,
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({
      id,
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
      phoneNumbers: [{ value: '+44 7700 900123', type: 'mobile', primary: true }],
      meta: { version: 'W/"2"', lastModified: new Date(START + 1000).toISOString() },
    });
    expect(scim.changes[1]?.change).toMatchObject({
      record: {
        displayName: 'Another User',
        phones: [{ number: '+44 7700 900123', kind: 'mobile', source: 'scim' }],
      },
    });

    const deactivated = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'replace', value: { active: false } }),
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.json?.active).toBe(false);
    expect(scim.changes[2]?.change).toMatchObject({
      type: 'upsert',
      record: { externalId: id, active: false },
    });
    expect((await scim.call('GET', `/Users/${id}`)).json?.active).toBe(false);

    const reactivated = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'replace', value: { active: true } }),
    });
    expect(reactivated.json?.active).toBe(true);
    expect(scim.changes.map((c) => c.change.type === 'upsert' && c.change.record.active)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('never stores, returns or passes on a password, on create, PUT or a password push', async () => {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: OKTA_CREATE })).json?.id as string;
    await scim.call('PUT', `/Users/${id}`, { body: { ...OKTA_CREATE, password: 'pw-on-put-7731' } });
    const pushed = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp(
        { op: 'replace', value: { password: 'pw-push-5519' } },
        { op: 'replace', path: 'password', value: 'pw-path-2284' },
      ),
    });
    expect(pushed.status).toBe(200);
    const everything = JSON.stringify([
      await scim.store.inspect.user('cust-a', id),
      scim.changes,
      pushed.json,
    ]);
    for (const password of ['1mz050nq', 'pw-on-put-7731', 'pw-push-5519', 'pw-path-2284']) {
      expect(everything).not.toContain(password);
    }
    // Nothing but the password changed, so nothing was written.
    expect((await scim.store.inspect.user('cust-a', id))?.version).toBe(1);
  });

  it('keeps a deactivated user deactivated when a PUT leaves active out', async () => {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: OKTA_CREATE })).json?.id as string;
    await scim.call('PATCH', `/Users/${id}`, { body: patchOp({ op: 'replace', value: { active: false } }) });
    const { active: _dropped, ...withoutActive } = OKTA_CREATE;
    const replaced = await scim.call('PUT', `/Users/${id}`, {
      body: { ...withoutActive, displayName: 'Renamed User' },
    });
    expect(replaced.json).toMatchObject({ displayName: 'Renamed User', active: false });
    expect(scim.changes.at(-1)?.change).toMatchObject({
      record: { displayName: 'Renamed User', active: false },
    });
  });

  it('refuses a PUT whose body names another id, changing nothing', async () => {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: OKTA_CREATE })).json?.id as string;
    const refused = await scim.call('PUT', `/Users/${id}`, { body: { ...OKTA_CREATE, id: 'someone-else' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ scimType: 'mutability' });
    expect((await scim.store.inspect.user('cust-a', id))?.version).toBe(1);
    expect(scim.changes).toHaveLength(1);
  });
});
