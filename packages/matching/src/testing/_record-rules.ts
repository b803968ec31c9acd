import type { PsaContact } from '@qdesk/core/ports';
import { type KitRule, must } from '@qdesk/core/testing';
import {
  canon,
  checkpoint,
  company,
  companyLink,
  contact,
  contactLink,
  ids,
  newTenant,
  outcome,
  same,
} from './_fixtures.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

/** Rules on the PSA records a sync and webhooks store, and on completing a run. @internal */
export const recordRules: readonly KitRule<MappingStoreSubject>[] = [
  {
    name: 'saveSyncBatch stores the records with their checkpoint, and the listings return them',
    async check({ store, inspect }) {
      const t = newTenant();
      const cp1 = checkpoint('run-1', { phase: 'companies', afterId: '2', companiesDone: 2 });
      await store.saveSyncBatch(t, { checkpoint: cp1, companies: [company('1'), company('2')] });
      must(
        same(await store.getSyncCheckpoint(t), cp1),
        'getSyncCheckpoint() must return the checkpoint just saved.',
      );
      const cp2 = checkpoint('run-1', { afterId: '12', companiesDone: 2, contactsDone: 3 });
      await store.saveSyncBatch(t, {
        checkpoint: cp2,
        contacts: [contact('10', '1'), contact('11', '1'), contact('12', '2')],
      });
      must(
        same(await store.getSyncCheckpoint(t), cp2),
        'a later saveSyncBatch() must replace the checkpoint.',
      );
      must(
        same(await inspect.company(t, '2'), company('2')),
        'saveSyncBatch() did not store company 2 as given.',
      );
      must(
        same(await inspect.contact(t, '12'), contact('12', '2')),
        'saveSyncBatch() did not store contact 12 as given.',
      );
      const companies = ids(await store.listCompanies(t));
      must(
        canon(companies) === canon(['1', '2']),
        `listCompanies() returned ids ${canon(companies)}; expected 1 and 2.`,
      );
      const contacts = ids(await store.listContacts(t));
      must(
        canon(contacts) === canon(['10', '11', '12']),
        `listContacts() returned ids ${canon(contacts)}; expected 10, 11 and 12.`,
      );
    },
  },
  {
    name: 'saveSyncBatch is all or nothing: a batch with a malformed record writes none of it',
    async check({ store, inspect }) {
      const t = newTenant();
      const cp1 = checkpoint('run-1', { phase: 'companies' });
      await store.saveSyncBatch(t, { checkpoint: cp1 });
      const malformed = { ...contact('11', '1'), emails: 'not-a-list' } as unknown as PsaContact;
      const result = await outcome(
        store.saveSyncBatch(t, {
          checkpoint: checkpoint('run-1', { afterId: '11', companiesDone: 1, contactsDone: 2 }),
          companies: [company('1')],
          contacts: [contact('10', '1'), malformed],
        }),
      );
      must(
        result === 'input_invalid',
        `saveSyncBatch() with a malformed contact ${result}; throw InputError naming it.`,
      );
      must(
        (await inspect.company(t, '1')) === null && (await inspect.contact(t, '10')) === null,
        'a refused saveSyncBatch() stored part of its records; check every record first and write the batch in one transaction.',
      );
      must(same(await store.getSyncCheckpoint(t), cp1), 'a refused saveSyncBatch() moved the checkpoint.');
    },
  },
  {
    name: 'putContact upserts one contact by id',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.putContact(t, contact('10', '1'));
      const moved = { ...contact('10', '2'), firstName: 'Bea' };
      await store.putContact(t, moved);
      must(
        same(await inspect.contact(t, '10'), moved),
        'putContact() of a stored id must replace the contact (an upsert), not keep the old one.',
      );
      const listed = await store.listContacts(t);
      must(
        listed.length === 1 && same(listed[0], moved),
        `listContacts() returned ${canon(listed)} after two putContact() of one id; keep one row per id.`,
      );
    },
  },
  {
    name: 'removeContact removes the contact with its link and returns that link',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.putContact(t, contact('10', '1'));
      const { link } = await store.linkContact(t, contactLink('10', 'eu-1'));
      const removal = await store.removeContact(t, '10');
      must(
        same(removal, { removed: true, unlinked: link }),
        `removeContact() returned ${canon(removal)}; return { removed: true, unlinked: <its link> }.`,
      );
      must((await inspect.contact(t, '10')) === null, 'removeContact() left the contact row.');
      must(
        (await inspect.contactLink(t, '10')) === null,
        "removeContact() left the contact's link: the verifier would still follow it; drop it with the contact.",
      );
    },
  },
  {
    name: 'completeSync removes what the run did not see, with their links, and keeps what a webhook stored during it',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'One' });
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-1'),
        companies: [company('1'), company('2')],
        contacts: [contact('10', '1'), contact('11', '2')],
      });
      await store.completeSync(t, checkpoint('run-1', { phase: 'completed', completedAt: 2_000 }));
      const gone = (await store.linkCompany(t, companyLink('2', 'c1'))).link;
      const goneContact = (await store.linkContact(t, contactLink('11', 'eu-2'))).link;
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-2'),
        companies: [company('1')],
        contacts: [contact('10', '1')],
      });
      await store.putContact(t, contact('12', '1'));
      const done = checkpoint('run-2', { phase: 'completed', completedAt: 3_000 });
      const pruned = await store.completeSync(t, done);
      const expected = {
        removedCompanies: ['2'],
        removedContacts: ['11'],
        unlinkedCompanies: [gone],
        unlinkedContacts: [goneContact],
      };
      must(
        same(pruned, expected),
        `completeSync() returned ${canon(pruned)}; expected ${canon(expected)} (records not stamped with the run, and their links).`,
      );
      must(
        (await inspect.company(t, '2')) === null && (await inspect.contact(t, '11')) === null,
        'completeSync() kept records the completed run did not see; remove every record not stamped with its runId.',
      );
      must(
        (await inspect.companyLink(t, '2')) === null && (await inspect.contactLink(t, '11')) === null,
        'completeSync() kept the links of the records it removed; drop them too.',
      );
      must(
        (await inspect.contact(t, '12')) !== null,
        'completeSync() removed a contact putContact() stored during the run; stamp webhook records with the run in progress.',
      );
      must(
        same(await store.getSyncCheckpoint(t), done),
        'completeSync() must store the completed checkpoint.',
      );
    },
  },
];
