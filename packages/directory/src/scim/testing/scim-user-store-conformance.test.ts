import { checkRules } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryScimUserStore } from '../memory-scim-user-store.js';
import { type Flaw, flawedStore } from './broken-scim-user-stores.test-helpers.js';
import { runScimUserStoreConformance, scimUserStoreRules } from './scim-user-store-conformance.js';

runScimUserStoreConformance({
  name: 'memory',
  create: () => createMemoryScimUserStore(),
  inspect: (store) => store.inspect,
});

// Each rule, the mistake that breaks it, and what the rule's message must tell the store's author.
const CAUGHT: Record<string, [Flaw, RegExp]> = {
  'declares specificationVersion v1': ['oldVersion', /specificationVersion is "v0"; set it to 'v1'/],
  'a customer that never wrote anything reads as empty': [
    'phantomUsers',
    /get\(\) for a customer with no users returned .*; return null/,
  ],
  'create stores the user at version 1, and get and the backing system read it back as given': [
    'forgetsExtras',
    /create\(\) returned .*"extra":\{\}.*; return .*"title":"Analyst"/,
  ],
  'findByUserName ignores case; findByExternalId matches exactly and returns every match, oldest first': [
    'caseSensitiveLookup',
    /findByUserName\('TWO@Example.COM'\) returned null; compare userName in lower case/,
  ],
  'list applies every condition, orders oldest first then by id, and pages with a total': [
    'newestFirst',
    /list\(\) with \[\] returned \["u5","u4","u3","u2","u1"\] of 5; return \["u1","u2","u3","u4","u5"\]/,
  ],
  'keeps customers apart: nothing of one customer is read, refused or removed because of another': [
    'customerBlind',
    /get\(\) of another customer returned .*; scope every query by customer id/,
  ],
  'create refuses a userName another user of the customer has, in any case, with 409 uniqueness': [
    'caseSensitiveUniqueness',
    /create\(\) of a second 'TAKEN@example.com' resolved; throw ScimError.userNameTaken/,
  ],
  'replace writes at the expected version: the version grows by one, created stays, lastModified moves': [
    'resetsCreated',
    /replace\(\) returned .*"created":5000.*; return .*"created":1000/,
  ],
  'replace refuses a stale version with 412 and a taken userName with 409, keeping the stored user': [
    'ignoresVersion',
    /replace\(\) at version 7 of a user at version 1 resolved; throw ScimError.versionMismatch/,
  ],
  'delete removes and returns the user, refuses a stale version with 412, and frees its userName': [
    'deleteIgnoresVersion',
    /delete\(\) at version 3 of a user at version 1 resolved; throw ScimError.versionMismatch/,
  ],
  'a read is a copy: mutating what was read does not change the store': [
    'sharesReads',
    /mutating what get\(\) returned changed the store; return copies or deeply frozen values/,
  ],
  'a write is a copy: mutating the given user afterwards does not change the store': [
    'keepsInput',
    /create\(\) kept a reference to the user it was given; copy what you store/,
  ],
  'exactly one of many racing creates with one userName wins': [
    'checkThenWrite',
    /20 of 20 concurrent create\(\) calls with one userName won; let a unique index decide/,
  ],
};

describe('the SCIM user store kit', () => {
  it('names each rule once, and every rule has a mistake that shows it', () => {
    const names = scimUserStoreRules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(CAUGHT).sort()).toEqual([...names].sort());
  });

  it('passes every rule on the store without mistakes, so each failure below comes from its mistake', async () => {
    const results = await checkRules(scimUserStoreRules, { create: () => flawedStore(null) });
    expect(results.filter((r) => r.status !== 'passed')).toEqual([]);
  });

  it.each(scimUserStoreRules.map((rule) => [rule.name, rule] as const))(
    'fails "%s" on a store with its mistake, saying what to fix',
    async (_name, rule) => {
      const [flaw, message] = CAUGHT[rule.name]!;
      const [result] = await checkRules([rule], { create: () => flawedStore(flaw) });
      expect(result!.status).toBe('failed');
      expect(result!.error).toMatchObject({ name: 'RuleViolation', message: expect.stringMatching(message) });
    },
  );
});
