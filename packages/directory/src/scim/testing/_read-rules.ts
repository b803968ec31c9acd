import { type KitRule, must } from '@qdesk/core/testing';
import type { ScimUserRecord } from '../scim-user.js';
import type { ScimUserStore } from '../scim-user-store.js';
import { canon, newCustomer, same, sampleUser } from './_fixtures.js';
import type { ScimUserStoreSubject } from './scim-user-store-conformance.js';

const ids = (records: readonly ScimUserRecord[]) => records.map((r) => r.id);

/** Creates users u1..uN (at 1000, 2000...; u3 and u4 at the same time) for listing rules. */
async function seed(store: ScimUserStore, customerId: string): Promise<void> {
  const users = [
    ['u1', sampleUser('one@example.com', { externalId: 'ext-1', active: false }), 1000],
    ['u2', sampleUser('two@example.com', { externalId: 'ext-2' }), 2000],
    ['u4', sampleUser('four@example.com', { externalId: 'ext-3' }), 3000],
    [
      'u3',
      sampleUser('three@example.com', {
        externalId: 'ext-3',
        emails: [{ value: 'x@home.example', type: 'home', primary: false }],
      }),
      3000,
    ],
    ['u5', sampleUser('five@example.com', { active: false }), 5000],
  ] as const;
  for (const [id, user, at] of users) await store.create(customerId, { id, user, at });
}

/** Rules on reads: the version, an empty customer, create-then-read, lookups, listings and tenancy. @internal */
export const readRules: readonly KitRule<ScimUserStoreSubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ store }) {
      must(
        store.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(store.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'a customer that never wrote anything reads as empty',
    async check({ store }) {
      const c = newCustomer();
      for (const [method, value] of [
        ['get', await store.get(c, 'u1')],
        ['findByUserName', await store.findByUserName(c, 'one@example.com')],
        ['delete', await store.delete(c, 'u1')],
        [
          'replace',
          await store.replace(c, {
            id: 'u1',
            user: sampleUser('one@example.com'),
            at: 1,
            expectedVersion: 1,
          }),
        ],
      ] as const) {
        must(
          value === null,
          `${method}() for a customer with no users returned ${canon(value)}; return null.`,
        );
      }
      const byExternalId = await store.findByExternalId(c, 'ext-1');
      must(
        same(byExternalId, []),
        `findByExternalId() of a new customer returned ${canon(byExternalId)}; return [].`,
      );
      const list = await store.list(c, { conditions: [], startIndex: 1, count: 10 });
      must(
        same(list, { users: [], totalResults: 0 }),
        `list() of a new customer returned ${canon(list)}; return { users: [], totalResults: 0 }.`,
      );
    },
  },
  {
    name: 'create stores the user at version 1, and get and the backing system read it back as given',
    async check({ store, inspect }) {
      const c = newCustomer();
      const user = sampleUser('one@example.com', {
        externalId: 'ext-1',
        name: { givenName: 'One', familyName: 'User' },
        phoneNumbers: [{ value: '+1 425 555 0100', type: 'mobile', primary: true }],
        extra: {
          title: 'Analyst',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'IT' },
        },
      });
      const expected = { id: 'u1', user, created: 1000, lastModified: 1000, version: 1 };
      const made = await store.create(c, { id: 'u1', user, at: 1000 });
      must(same(made, expected), `create() returned ${canon(made)}; return ${canon(expected)}.`);
      const read = await store.get(c, 'u1');
      must(same(read, expected), `get() after create() returned ${canon(read)}; return ${canon(expected)}.`);
      const row = await inspect.user(c, 'u1');
      must(
        same(row, expected),
        `create() stored ${canon(row)} in the backing system; store ${canon(expected)}.`,
      );
    },
  },
  {
    name: 'findByUserName ignores case; findByExternalId matches exactly and returns every match, oldest first',
    async check({ store }) {
      const c = newCustomer();
      await seed(store, c);
      const found = await store.findByUserName(c, 'TWO@Example.COM');
      must(
        found?.id === 'u2',
        `findByUserName('TWO@Example.COM') returned ${canon(found)}; compare userName in lower case.`,
      );
      const none = await store.findByUserName(c, 'two@example');
      must(none === null, `findByUserName('two@example') returned ${canon(none)}; match the whole userName.`);
      const shared = ids(await store.findByExternalId(c, 'ext-3'));
      must(
        same(shared, ['u3', 'u4']),
        `findByExternalId('ext-3') returned ${canon(shared)}; return ['u3', 'u4'] (oldest first, then by id).`,
      );
      const cased = await store.findByExternalId(c, 'EXT-1');
      must(
        cased.length === 0,
        `findByExternalId('EXT-1') returned ${canon(ids(cased))}; externalId is compared exactly.`,
      );
    },
  },
  {
    name: 'list applies every condition, orders oldest first then by id, and pages with a total',
    async check({ store }) {
      const c = newCustomer();
      await seed(store, c);
      const cases = [
        [[], ['u1', 'u2', 'u3', 'u4', 'u5']],
        [[{ attribute: 'active', value: false }], ['u1', 'u5']],
        [[{ attribute: 'userName', value: 'THREE@example.com' }], ['u3']],
        [[{ attribute: 'externalId', value: 'ext-3' }], ['u3', 'u4']],
        [[{ attribute: 'id', value: 'u2' }], ['u2']],
        [[{ attribute: 'email', value: 'X@HOME.example', type: null }], ['u3']],
        [[{ attribute: 'email', value: 'x@home.example', type: 'work' }], []],
        [[{ attribute: 'email', value: 'four@example.com', type: 'WORK' }], ['u4']],
        [
          [
            { attribute: 'externalId', value: 'ext-3' },
            { attribute: 'email', value: 'four@example.com', type: null },
          ],
          ['u4'],
        ],
      ] as const;
      for (const [conditions, expected] of cases) {
        const { users, totalResults } = await store.list(c, {
          conditions: [...conditions],
          startIndex: 1,
          count: 10,
        });
        must(
          same(ids(users), expected) && totalResults === expected.length,
          `list() with ${canon(conditions)} returned ${canon(ids(users))} of ${totalResults}; return ${canon(expected)} of ${expected.length}.`,
        );
      }
      const page = await store.list(c, { conditions: [], startIndex: 2, count: 2 });
      must(
        same(ids(page.users), ['u2', 'u3']) && page.totalResults === 5,
        `list() from startIndex 2, count 2 returned ${canon(ids(page.users))} of ${page.totalResults}; return ["u2","u3"] of 5.`,
      );
      const none = await store.list(c, { conditions: [], startIndex: 1, count: 0 });
      must(
        none.users.length === 0 && none.totalResults === 5,
        `list() with count 0 returned ${canon(ids(none.users))} of ${none.totalResults}; return no users, totalResults 5.`,
      );
    },
  },
  {
    name: 'keeps customers apart: nothing of one customer is read, refused or removed because of another',
    async check({ store, inspect }) {
      const mine = newCustomer();
      const theirs = newCustomer();
      await store.create(mine, {
        id: 'u1',
        user: sampleUser('same@example.com', { externalId: 'ext-1' }),
        at: 1000,
      });
      const leaks = [
        ['get', await store.get(theirs, 'u1')],
        ['findByUserName', await store.findByUserName(theirs, 'same@example.com')],
        ['delete', await store.delete(theirs, 'u1')],
      ] as const;
      for (const [method, value] of leaks) {
        must(
          value === null,
          `${method}() of another customer returned ${canon(value)}; scope every query by customer id.`,
        );
      }
      const listed = await store.list(theirs, { conditions: [], startIndex: 1, count: 10 });
      must(
        listed.totalResults === 0,
        `list() of another customer returned ${canon(ids(listed.users))}; scope every query by customer id.`,
      );
      const external = await store.findByExternalId(theirs, 'ext-1');
      must(
        external.length === 0,
        `findByExternalId() of another customer returned ${canon(ids(external))}; scope it by customer id.`,
      );
      try {
        await store.create(theirs, { id: 'u1', user: sampleUser('same@example.com'), at: 2000 });
      } catch (error) {
        must(
          false,
          `create() of another customer's user with the same id and userName threw (${String(error)}); make (customer id, id) and (customer id, userName) the unique keys.`,
        );
      }
      must(
        (await inspect.user(mine, 'u1'))?.created === 1000,
        'creating a user of another customer changed this customer’s user; key rows by customer id.',
      );
    },
  },
];
