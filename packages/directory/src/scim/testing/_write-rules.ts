import { type KitRule, must } from '@qdesk/core/testing';
import { canon, describeError, isStatus, newCustomer, sampleUser, thrown } from './_fixtures.js';
import type { ScimUserStoreSubject } from './scim-user-store-conformance.js';

/** Rules on writes: uniqueness, versions, deletes, copies and races. @internal */
export const writeRules: readonly KitRule<ScimUserStoreSubject>[] = [
  {
    name: 'create refuses a userName another user of the customer has, in any case, with 409 uniqueness',
    async check({ store, inspect }) {
      const c = newCustomer();
      await store.create(c, { id: 'u1', user: sampleUser('taken@example.com'), at: 1000 });
      const error = await thrown(() =>
        store.create(c, { id: 'u2', user: sampleUser('TAKEN@example.com'), at: 2000 }),
      );
      must(
        isStatus(error, 409, 'uniqueness'),
        `create() of a second 'TAKEN@example.com' ${describeError(error)}; throw ScimError.userNameTaken(userName) (a unique index on the lower-case userName per customer).`,
      );
      must(
        (await inspect.user(c, 'u2')) === null,
        'create() refused a taken userName but stored the user anyway; store nothing.',
      );
      must(
        (await inspect.count(c)) === 1,
        `the customer has ${await inspect.count(c)} users after a refused create; expected 1.`,
      );
    },
  },
  {
    name: 'replace writes at the expected version: the version grows by one, created stays, lastModified moves',
    async check({ store, inspect }) {
      const c = newCustomer();
      await store.create(c, { id: 'u1', user: sampleUser('one@example.com'), at: 1000 });
      const renamed = sampleUser('ONE@example.com', { displayName: 'One', active: false });
      const replaced = await store.replace(c, { id: 'u1', user: renamed, at: 5000, expectedVersion: 1 });
      const expected = { id: 'u1', user: renamed, created: 1000, lastModified: 5000, version: 2 };
      must(
        canon(replaced) === canon(expected),
        `replace() returned ${canon(replaced)}; return ${canon(expected)}.`,
      );
      const row = await inspect.user(c, 'u1');
      must(canon(row) === canon(expected), `replace() stored ${canon(row)}; store ${canon(expected)}.`);
    },
  },
  {
    name: 'replace refuses a stale version with 412 and a taken userName with 409, keeping the stored user',
    async check({ store, inspect }) {
      const c = newCustomer();
      await store.create(c, { id: 'u1', user: sampleUser('one@example.com'), at: 1000 });
      await store.create(c, { id: 'u2', user: sampleUser('two@example.com'), at: 1000 });
      const stale = await thrown(() =>
        store.replace(c, {
          id: 'u1',
          user: sampleUser('one@example.com', { active: false }),
          at: 2000,
          expectedVersion: 7,
        }),
      );
      must(
        isStatus(stale, 412),
        `replace() at version 7 of a user at version 1 ${describeError(stale)}; throw ScimError.versionMismatch (update ... where version = expected).`,
      );
      const taken = await thrown(() =>
        store.replace(c, { id: 'u1', user: sampleUser('Two@example.com'), at: 2000, expectedVersion: 1 }),
      );
      must(
        isStatus(taken, 409, 'uniqueness'),
        `replace() renaming u1 to u2's userName ${describeError(taken)}; throw ScimError.userNameTaken.`,
      );
      const row = await inspect.user(c, 'u1');
      must(
        row?.version === 1 && row.user.active && row.user.userName === 'one@example.com',
        `a refused replace() left ${canon(row)}; keep the stored user unchanged.`,
      );
    },
  },
  {
    name: 'delete removes and returns the user, refuses a stale version with 412, and frees its userName',
    async check({ store, inspect }) {
      const c = newCustomer();
      const made = await store.create(c, { id: 'u1', user: sampleUser('one@example.com'), at: 1000 });
      const stale = await thrown(() => store.delete(c, 'u1', 3));
      must(
        isStatus(stale, 412),
        `delete() at version 3 of a user at version 1 ${describeError(stale)}; throw ScimError.versionMismatch.`,
      );
      must((await inspect.user(c, 'u1')) !== null, 'delete() at a stale version removed the user; keep it.');
      const removed = await store.delete(c, 'u1', 1);
      must(
        canon(removed) === canon(made),
        `delete() returned ${canon(removed)}; return the removed user ${canon(made)}.`,
      );
      must((await inspect.user(c, 'u1')) === null, 'delete() left the row; remove it.');
      const again = await thrown(() =>
        store.create(c, { id: 'u2', user: sampleUser('one@example.com'), at: 2000 }),
      );
      must(
        again === undefined,
        `create() with the userName of a deleted user ${describeError(again)}; a deleted user's userName is free.`,
      );
    },
  },
  {
    name: 'a read is a copy: mutating what was read does not change the store',
    async check({ store, inspect }) {
      const c = newCustomer();
      await store.create(c, { id: 'u1', user: sampleUser('one@example.com'), at: 1000 });
      const read = await store.get(c, 'u1');
      try {
        (read!.user.emails[0] as { value: string }).value = 'changed@example.com';
        read!.user.extra.title = 'changed';
      } catch {
        // Frozen values refuse the change: that is one way to pass.
      }
      const row = await inspect.user(c, 'u1');
      must(
        row?.user.emails[0]?.value === 'one@example.com' && row.user.extra.title === undefined,
        'mutating what get() returned changed the store; return copies or deeply frozen values.',
      );
    },
  },
  {
    name: 'a write is a copy: mutating the given user afterwards does not change the store',
    async check({ store, inspect }) {
      const c = newCustomer();
      const user = sampleUser('one@example.com');
      await store.create(c, { id: 'u1', user, at: 1000 });
      user.emails[0]!.value = 'changed@example.com';
      user.userName = 'changed@example.com';
      const row = await inspect.user(c, 'u1');
      must(
        row?.user.userName === 'one@example.com' && row.user.emails[0]?.value === 'one@example.com',
        'create() kept a reference to the user it was given; copy what you store.',
      );
    },
  },
  {
    name: 'exactly one of many racing creates with one userName wins',
    async check({ store, inspect }) {
      const c = newCustomer();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, n) =>
          store.create(c, {
            id: `u${n}`,
            user: sampleUser(n % 2 ? 'race@example.com' : 'RACE@example.com'),
            at: 1000,
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled').length;
      must(
        won === 1,
        `${won} of 20 concurrent create() calls with one userName won; let a unique index decide.`,
      );
      const losers = results.filter((r) => r.status === 'rejected');
      must(
        losers.every((r) => isStatus(r.reason, 409, 'uniqueness')),
        'a create() that lost the race did not throw ScimError.userNameTaken; turn the unique violation into it.',
      );
      must(
        (await inspect.count(c)) === 1,
        `${await inspect.count(c)} users stored after the race; expected 1.`,
      );
    },
  },
];
