import { ConfigError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { createMemoryScimUserStore } from './memory-scim-user-store.js';
import { BASE, ORIGIN, patchOp, scimError, scimHarness, TOKENS } from './scim.test-helpers.js';
import { createScimHandler } from './scim-handler.js';

const user = (userName: string, more: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...more,
});

describe('SCIM handler: bearer tokens', () => {
  it('answers 401 with a SCIM error and WWW-Authenticate without a token, with a wrong one, or another scheme', async () => {
    const scim = scimHarness();
    for (const [what, options] of [
      ['no token', { token: null }],
      ['a wrong token', { token: 'scim-token-a-wrong' }],
      ['basic credentials', { token: null, headers: { authorization: `Basic ${btoa('admin:secret')}` } }],
    ] as const) {
      for (const path of ['/Users', '/ServiceProviderConfig']) {
        const answer = await scim.call('GET', path, options);
        expect(answer.status, `${what} on ${path}`).toBe(401);
        expect(answer.json).toEqual(scimError(401));
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="QDesk SCIM"');
        expect(answer.headers.get('content-type')).toBe('application/scim+json');
      }
    }
    const refused = await scim.call('POST', '/Users', {
      token: 'scim-token-a-wrong',
      body: user('u1@example.com'),
    });
    expect(refused.status).toBe(401);
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
    expect(scim.changes).toEqual([]);
  });

  it('refuses a token of one customer on another customer’s URL', async () => {
    const scim = scimHarness();
    const answer = await scim.call('POST', '/Users', {
      customer: 'cust-a',
      token: TOKENS['cust-b'],
      body: user('u1@example.com'),
    });
    expect(answer.status).toBe(401);
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
    expect(await scim.store.inspect.count('cust-b')).toBe(0);
  });

  it('tells authenticate the customer the URL names, and never puts the token in an answer', async () => {
    const seen: Array<{ token: string; customerId: string | null }> = [];
    const scim = scimHarness({
      authenticate: (token, { customerId }) => {
        seen.push({ token, customerId });
        return customerId === 'cust-a' && token === TOKENS['cust-a'] ? 'cust-a' : null;
      },
    });
    const wrong = await scim.call('GET', '/Users', { token: 'secret-looking-token-123' });
    expect(JSON.stringify(wrong.json)).not.toContain('secret-looking-token-123');
    expect((await scim.call('GET', '/Users')).status).toBe(200);
    expect(seen).toEqual([
      { token: 'secret-looking-token-123', customerId: 'cust-a' },
      { token: TOKENS['cust-a'], customerId: 'cust-a' },
    ]);
  });

  it('keeps customers apart: one customer’s users are neither seen nor in the way of another’s', async () => {
    const scim = scimHarness();
    const a = await scim.call('POST', '/Users', { body: user('same@example.com') });
    const b = await scim.call('POST', '/Users', { customer: 'cust-b', body: user('same@example.com') });
    expect(b.status).toBe(201);
    expect((await scim.call('GET', `/Users/${a.json?.id}`, { customer: 'cust-b' })).status).toBe(404);
    expect((await scim.call('DELETE', `/Users/${a.json?.id}`, { customer: 'cust-b' })).status).toBe(404);
    expect((await scim.call('GET', '/Users', { customer: 'cust-b' })).json).toMatchObject({
      totalResults: 1,
      Resources: [{ id: b.json?.id }],
    });
    expect(scim.changes.map((c) => c.customerId)).toEqual(['cust-a', 'cust-b']);
  });
});

describe('SCIM handler: discovery and routing', () => {
  it('describes itself: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const scim = scimHarness({ maxPageSize: 50 });
    const config = await scim.call('GET', '/ServiceProviderConfig');
    expect(config.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 50 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
    const types = await scim.call('GET', '/ResourceTypes');
    expect(types.json).toMatchObject({
      totalResults: 1,
      Resources: [{ id: 'User', endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' }],
    });
    expect((await scim.call('GET', '/ResourceTypes/User')).json).toMatchObject({ name: 'User' });
    const schemas = await scim.call('GET', '/Schemas');
    const schema = (
      schemas.json!.Resources as Array<{ id: string; attributes: Array<{ name: string }> }>
    )[0]!;
    expect(schema.id).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(schema.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'active',
      'emails',
      'phoneNumbers',
    ]);
    expect(
      (await scim.call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).json,
    ).toMatchObject({ name: 'User' });
  });

  it('answers 404 for what it does not serve, saying what it serves, and 405 with Allow for a wrong method', async () => {
    const scim = scimHarness();
    const groups = await scim.call('GET', '/Groups');
    expect(groups.status).toBe(404);
    expect(groups.json).toEqual(scimError(404));
    expect(groups.json?.detail).toContain('turn off group provisioning');
    for (const path of ['/Users/a/b', '/Schemas/urn:example:nothing', '/ResourceTypes/Group', '/']) {
      expect((await scim.call('GET', path)).status, path).toBe(404);
    }
    const wrong = await scim.call('DELETE', '/Users');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET or POST');
    expect((await scim.call('POST', '/ServiceProviderConfig', { body: {} })).status).toBe(405);
  });

  it('answers 404 outside its base path, before looking at the token', async () => {
    const scim = scimHarness();
    const answer = await scim.handler(new Request(`${ORIGIN}/elsewhere/Users`));
    expect(answer.status).toBe(404);
  });

  it('serves a base path without a customer segment, the token alone choosing the customer', async () => {
    const store = createMemoryScimUserStore();
    const handler = createScimHandler({
      store,
      basePath: '/scim/v2/',
      authenticate: (token) => (token === 'only-token' ? 'cust-z' : null),
      onChange: () => {},
      publicOrigin: 'https://public.example.com',
    });
    const answer = await handler(
      new Request('http://10.0.0.5:8080/scim/v2/Users', {
        method: 'POST',
        headers: { authorization: 'Bearer only-token', 'content-type': 'application/json' },
        body: JSON.stringify(user('z@example.com')),
      }),
    );
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as { id: string; meta: { location: string } };
    expect(body.meta.location).toBe(`https://public.example.com/scim/v2/Users/${body.id}`);
    expect(await store.inspect.count('cust-z')).toBe(1);
  });

  it('refuses bad settings with a ConfigError naming each field', () => {
    let error: unknown;
    try {
      createScimHandler({ basePath: 'scim', maxPageSize: 0 } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(
      ['authenticate', 'basePath', 'maxPageSize', 'onChange', 'store'].sort(),
    );
  });
});

describe('SCIM handler: failures', () => {
  it('answers 500 without the store’s message when the store fails, and reports the failure', async () => {
    const store = createMemoryScimUserStore();
    const failing = {
      ...store,
      get: async () => Promise.reject(new Error('connection to db-7.internal:5432 refused')),
    };
    const scim = scimHarness({ store: failing });
    const answer = await scim.call('GET', '/Users/abc');
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual(scimError(500));
    expect(JSON.stringify(answer.json)).not.toContain('db-7');
    expect(scim.failures).toHaveLength(1);
    expect((scim.failures[0]!.error as Error).message).toContain('db-7');
    expect(scim.failures[0]?.context).toEqual({ customerId: 'cust-a', method: 'GET', route: '/Users/abc' });
  });

  it('undoes a create whose onChange failed, so the identity provider’s retry creates the user', async () => {
    let fail = true;
    const delivered: unknown[] = [];
    const scim = scimHarness({
      onChange: (_customer, change) => {
        if (fail) throw new Error('directory offline');
        delivered.push(change);
      },
    });
    const first = await scim.call('POST', '/Users', { body: user('u1@example.com') });
    expect(first.status).toBe(500);
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
    expect((scim.failures[0]!.error as Error).message).toBe('directory offline');
    fail = false;
    expect((await scim.call('POST', '/Users', { body: user('u1@example.com') })).status).toBe(201);
    expect(delivered).toHaveLength(1);
  });

  it('passes a change on again when the identity provider retries a PATCH whose onChange failed', async () => {
    let fail = false;
    const delivered: unknown[] = [];
    const scim = scimHarness({
      onChange: (_customer, change) => {
        if (fail) throw new Error('directory offline');
        delivered.push(change);
      },
    });
    const id = (await scim.call('POST', '/Users', { body: user('u1@example.com') })).json?.id as string;
    fail = true;
    const deactivate = patchOp({ op: 'Replace', path: 'active', value: 'False' });
    expect((await scim.call('PATCH', `/Users/${id}`, { body: deactivate })).status).toBe(500);
    fail = false;
    const retried = await scim.call('PATCH', `/Users/${id}`, { body: deactivate });
    expect(retried.status).toBe(200);
    expect(retried.json?.meta).toMatchObject({ version: 'W/"2"' });
    expect(delivered.at(-1)).toMatchObject({ type: 'upsert', record: { externalId: id, active: false } });
  });

  it('tells the directory of a delete before forgetting the user, so a failed delete can be retried', async () => {
    let fail = false;
    const scim = scimHarness({
      onChange: (customerId, change) => {
        if (fail) throw new Error('directory offline');
        scim.changes.push({ customerId, change });
      },
    });
    const id = (await scim.call('POST', '/Users', { body: user('u1@example.com') })).json?.id as string;
    fail = true;
    expect((await scim.call('DELETE', `/Users/${id}`)).status).toBe(500);
    expect(await scim.store.inspect.user('cust-a', id)).not.toBeNull();
    fail = false;
    expect((await scim.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(scim.changes.at(-1)?.change).toEqual({ type: 'delete', externalId: id });
  });
});
