import { createScimHandler } from '@qdesk/directory';
import { runScimUserStoreConformance } from '@qdesk/directory/testing';
import { describe, expect, it } from 'vitest';
import { testDatabases } from '../_databases.test-helpers.js';
import { createPostgresScimUserStore } from './scim-users.js';

// The SCIM user store on PostgreSQL and PGlite: the port's conformance kit, tenants kept apart, and what an identity
// provider sees through the handler when two creates race.

for (const db of testDatabases()) {
  runScimUserStoreConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresScimUserStore(await db.database(), { tenantId: 'msp-1' }),
    inspect: (store) => store.inspect,
  });

  describe(`the SCIM user store on ${db.name}`, () => {
    it("keeps one tenant's users from another's, the same customer id on both", async () => {
      const database = await db.database();
      const [a, b] = ['msp-a', 'msp-b'].map((tenantId) =>
        createPostgresScimUserStore(database, { tenantId }),
      );
      const user = { userName: 'ana@northwind.example', active: true, emails: [], phoneNumbers: [] };
      await a!.create('cust-1', { id: 'u-1', user: user as never, at: 1 });
      expect(await b!.get('cust-1', 'u-1')).toBeNull();
      expect(await b!.findByUserName('cust-1', 'ana@northwind.example')).toBeNull();
      await b!.create('cust-1', { id: 'u-1', user: user as never, at: 2 });
      expect((await a!.get('cust-1', 'u-1'))?.created).toBe(1);
    });

    it('answers one of 10 racing creates of one userName with 201 and the others with 409 uniqueness', async () => {
      const store = createPostgresScimUserStore(await db.database(), { tenantId: 'msp-race' });
      const handle = createScimHandler({
        store,
        basePath: '/scim/v2',
        authenticate: (token) => (token === 't' ? 'cust-race' : null),
        onChange: () => undefined,
      });
      const create = () =>
        handle(
          new Request('https://qdesk.example/scim/v2/Users', {
            method: 'POST',
            headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' },
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: 'Race.Winner@northwind.example',
            }),
          }),
        );
      const statuses = (await Promise.all(Array.from({ length: 10 }, create))).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      expect(await store.inspect.count('cust-race')).toBe(1);
    });
  });
}
