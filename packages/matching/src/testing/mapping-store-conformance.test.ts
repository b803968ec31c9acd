import { checkRules } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryMappingStore } from '../memory-mapping-store.js';
import { brokenStores } from './broken-mapping-stores.test-helpers.js';
import { mappingStoreRules } from './mapping-store-conformance.js';

type Broken = keyof typeof brokenStores;

// Each rule, the broken store that breaks it, and what the rule's message must tell its author.
const CAUGHT: Record<string, [Broken, RegExp]> = {
  'declares specificationVersion v1': ['oldVersion', /specificationVersion is "v0"; set it to 'v1'/],
  'a tenant that never wrote anything reads as empty': [
    'phantomLinks',
    /endUserForContact\(\) of a new tenant returned .*eu-ghost.*; return null when nothing is stored/,
  ],
  'createCustomer stores the customer as given, with a made-up id when none is given': [
    'forgetfulCustomers',
    /but the backing system holds null; store it/,
  ],
  'createCustomer refuses a taken id with conflict and keeps the first customer': [
    'swallowsTakenIds',
    /createCustomer\(\) with a taken id resolved; throw a QdeskError with code 'conflict'/,
  ],
  'createCustomer with linkTo stores the customer and its link together, or neither when the company is linked':
    [
      'twoStepCustomerLink',
      /stored customer c2 although its link was refused; check both, then write both in one transaction/,
    ],
  'keeps tenants apart: nothing of one tenant is read or refused because of another': [
    'tenantBlind',
    /listCustomers\(\) of another tenant returned .*Mine.*; scope every read by tenantId/,
  ],
  'linkCompany stores the link, and the same pair again keeps the first confirmation': [
    'upsertsCompanyLinks',
    /linking the same pair again returned .*"created":true.*; return the stored link unchanged with created: false/,
  ],
  'linkContact stores the link, endUserForContact reads it, and the same pair again keeps the first': [
    'noEndUserForContact',
    /endUserForContact\(\) returned null for a linked contact; return its link/,
  ],
  'a company or a customer linked elsewhere is refused with conflict, changing nothing': [
    'upsertsCompanyLinks',
    /linkCompany\(\) of company 1, linked to c1, to c2 resolved; throw 'conflict'/,
  ],
  'a contact or an end-user linked elsewhere is refused with conflict, changing nothing': [
    'upsertsContactLinks',
    /linkContact\(\) of contact 10, linked to eu-1, to eu-2 resolved; throw 'conflict'/,
  ],
  'linkCompany refuses a customer the tenant does not have with InputError': [
    'inventsCustomers',
    /linkCompany\(\) to customer 'nobody', which this tenant does not have, resolved; throw InputError/,
  ],
  'unlinking removes the link, returns it, and frees both sides': [
    'unlinkKeeps',
    /unlinkCompany\(\) left the link row; delete it/,
  ],
  'exactly one of many racing links to one end-user wins': [
    'careless',
    /20 of 20 concurrent linkContact\(\) calls to one end-user won; make the end-user side unique/,
  ],
  'a read is a copy: mutating what was read does not change the store': [
    'careless',
    /mutating what a read returned changed the store; return copies or deeply frozen values/,
  ],
  'a write is a copy: mutating the given object afterwards does not change the store': [
    'careless',
    /kept a reference to the link given to linkContact\(\); copy what you store/,
  ],
  'saveSyncBatch stores the records with their checkpoint, and the listings return them': [
    'dropsContacts',
    /saveSyncBatch\(\) did not store contact 12 as given/,
  ],
  'saveSyncBatch is all or nothing: a batch with a malformed record writes none of it': [
    'splitBatches',
    /stored part of its records; check every record first and write the batch in one transaction/,
  ],
  'putContact upserts one contact by id': ['insertOnlyContacts', /must replace the contact \(an upsert\)/],
  'removeContact removes the contact with its link and returns that link': [
    'removeKeepsLink',
    /removeContact\(\) returned .*"unlinked":null.*; return \{ removed: true, unlinked: <its link> \}/,
  ],
  'completeSync removes what the run did not see, with their links, and keeps what a webhook stored during it':
    ['neverPrunes', /completeSync\(\) returned .*; expected .*"removedCompanies":\["2"\]/],
  'saveEndUsers upserts, removes and replaces the end-users kept for matching': [
    'ignoresReplaceAll',
    /saveEndUsers\(\{ replaceAll: true \}\) must keep only the end-users it puts/,
  ],
  'findEndUsers and findContacts answer the union of their criteria, by the keys matching computes': [
    'firstCriterionOnly',
    /findEndUsers\(\{ emails, ids \}\) must return the end-users with that email key and those ids/,
  ],
  'replaceSuggestions keeps suggestions by scope and derives each status; a link drops them': [
    'replacesAll',
    /replaceSuggestions\(\) with contactIds must replace only those contacts/,
  ],
  'listContactPage pages by order key forwards and backwards, with filters, search and counts': [
    'ignoresCursors',
    /paging after the last row must walk/,
  ],
  'counts follow every change: batches, links, suggestions, removals and a completed sync': [
    'staleCounts',
    /after a link: /,
  ],
  'suggestions kept through webhooks, directory changes and links made by hand equal a rebuild from scratch':
    ['onlyFullRebuilds', /after step \d+ .*, the kept contact suggestions differ from a rebuild's/],
};

describe('the mapping store kit', () => {
  it('names each rule once, and every rule has a broken store that shows it', () => {
    const names = mappingStoreRules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(CAUGHT).sort()).toEqual([...names].sort());
  });

  it.each(mappingStoreRules.map((rule) => [rule.name, rule] as const))(
    'fails "%s" on a broken store, saying what to fix',
    async (_name, rule) => {
      const [broken, message] = CAUGHT[rule.name]!;
      const [result] = await checkRules([rule], { create: brokenStores[broken] });
      expect(result!.status).toBe('failed');
      expect(result!.error).toMatchObject({ name: 'RuleViolation', message: expect.stringMatching(message) });
    },
  );

  it('passes every rule on the memory store, with nothing skipped', async () => {
    const results = await checkRules(mappingStoreRules, {
      create: () => {
        const store = createMemoryMappingStore();
        return { store, inspect: store.inspect };
      },
    });
    expect(results.filter((r) => r.status !== 'passed')).toEqual([]);
  });
});
