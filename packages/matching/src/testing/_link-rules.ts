import { type KitRule, must } from '@qdesk/core/testing';
import type { ContactLink } from '../types.js';
import { attempt, canon, companyLink, contactLink, newTenant, outcome, same } from './_fixtures.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

const other = { id: 'kit-other', name: 'Other Admin' };

/** Rules on company and contact links: one to one, retries, conflicts, unlinking, races, copies. @internal */
export const linkRules: readonly KitRule<MappingStoreSubject>[] = [
  {
    name: 'linkCompany stores the link, and the same pair again keeps the first confirmation',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'One' });
      const expected = { tenantId: t, ...companyLink('1', 'c1', 5_000) };
      const first = await store.linkCompany(t, companyLink('1', 'c1', 5_000));
      must(
        same(first, { link: expected, created: true }),
        `linkCompany() returned ${canon(first)}; return { link: <the stored link with tenantId>, created: true }.`,
      );
      must(
        same(await inspect.companyLink(t, '1'), expected),
        'linkCompany() resolved but stored no (or another) link row.',
      );
      const read = await store.customerForCompany(t, '1');
      must(
        same(read, expected),
        `customerForCompany() returned ${canon(read)} for a linked company; return its link (the verifier reads customerId).`,
      );
      const again = await store.linkCompany(t, { ...companyLink('1', 'c1', 9_000), confirmedBy: other });
      must(
        same(again, { link: expected, created: false }),
        `linking the same pair again returned ${canon(again)}; return the stored link unchanged with created: false.`,
      );
      must(
        (await inspect.companyLink(t, '1'))?.confirmedAt === 5_000,
        'linking the same pair again replaced the first confirmation; keep who confirmed it first, and when.',
      );
      const listed = await store.listCompanyLinks(t);
      must(same(listed, [expected]), `listCompanyLinks() returned ${canon(listed)}; list each link once.`);
    },
  },
  {
    name: 'linkContact stores the link, endUserForContact reads it, and the same pair again keeps the first',
    async check({ store, inspect }) {
      const t = newTenant();
      const expected = { tenantId: t, ...contactLink('10', 'eu-1', 5_000) };
      const first = await store.linkContact(t, contactLink('10', 'eu-1', 5_000));
      must(
        same(first, { link: expected, created: true }),
        `linkContact() returned ${canon(first)}; return { link: <the stored link with tenantId>, created: true }.`,
      );
      must(
        same(await inspect.contactLink(t, '10'), expected),
        'linkContact() resolved but stored no (or another) link row.',
      );
      const read = await store.endUserForContact(t, '10');
      must(
        same(read, expected),
        `endUserForContact() returned ${canon(read)} for a linked contact; return its link (the verifier reads endUserId).`,
      );
      const again = await store.linkContact(t, { ...contactLink('10', 'eu-1', 9_000), confirmedBy: other });
      must(
        same(again, { link: expected, created: false }),
        `linking the same pair again returned ${canon(again)}; return the stored link unchanged with created: false.`,
      );
      const listed = await store.listContactLinks(t);
      must(same(listed, [expected]), `listContactLinks() returned ${canon(listed)}; list each link once.`);
    },
  },
  {
    name: 'a company or a customer linked elsewhere is refused with conflict, changing nothing',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'One' });
      await store.createCustomer(t, { id: 'c2', name: 'Two' });
      await store.linkCompany(t, companyLink('1', 'c1'));
      const company = await outcome(store.linkCompany(t, companyLink('1', 'c2')));
      must(
        company === 'conflict',
        `linkCompany() of company 1, linked to c1, to c2 ${company}; throw 'conflict'.`,
      );
      const customer = await outcome(store.linkCompany(t, companyLink('2', 'c1')));
      must(
        customer === 'conflict',
        `linkCompany() of company 2 to c1, linked to company 1, ${customer}; throw 'conflict'.`,
      );
      must(
        (await inspect.companyLink(t, '1'))?.customerId === 'c1' &&
          (await inspect.companyLink(t, '2')) === null,
        'a refused linkCompany() changed the stored links; a conflict must change nothing.',
      );
    },
  },
  {
    name: 'a contact or an end-user linked elsewhere is refused with conflict, changing nothing',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.linkContact(t, contactLink('10', 'eu-1'));
      const contact = await outcome(store.linkContact(t, contactLink('10', 'eu-2')));
      must(
        contact === 'conflict',
        `linkContact() of contact 10, linked to eu-1, to eu-2 ${contact}; throw 'conflict'.`,
      );
      const user = await outcome(store.linkContact(t, contactLink('11', 'eu-1')));
      must(
        user === 'conflict',
        `linkContact() of contact 11 to eu-1, linked to contact 10, ${user}; throw 'conflict'.`,
      );
      must(
        (await inspect.contactLink(t, '10'))?.endUserId === 'eu-1' &&
          (await inspect.contactLink(t, '11')) === null,
        'a refused linkContact() changed the stored links; a conflict must change nothing (unique index on each side).',
      );
    },
  },
  {
    name: 'linkCompany refuses a customer the tenant does not have with InputError',
    async check({ store, inspect }) {
      const t = newTenant();
      const result = await outcome(store.linkCompany(t, companyLink('1', 'nobody')));
      must(
        result === 'input_invalid',
        `linkCompany() to customer 'nobody', which this tenant does not have, ${result}; throw InputError on customerId.`,
      );
      must(
        (await inspect.companyLink(t, '1')) === null,
        'linkCompany() to an unknown customer stored a link row.',
      );
    },
  },
  {
    name: 'unlinking removes the link, returns it, and frees both sides',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'One' });
      await store.createCustomer(t, { id: 'c2', name: 'Two' });
      const { link } = await store.linkCompany(t, companyLink('1', 'c1'));
      const removed = await store.unlinkCompany(t, '1');
      must(same(removed, link), `unlinkCompany() returned ${canon(removed)}; return the link it removed.`);
      must((await inspect.companyLink(t, '1')) === null, 'unlinkCompany() left the link row; delete it.');
      must(
        (await store.unlinkCompany(t, '1')) === null,
        'unlinkCompany() of a company without a link must return null.',
      );
      const reused = [
        await outcome(store.linkCompany(t, companyLink('2', 'c1'))),
        await outcome(store.linkCompany(t, companyLink('1', 'c2'))),
      ];
      must(
        reused.every((r) => r === 'resolved'),
        `after unlinkCompany() company 1 and customer c1 must be free again (got ${reused.join(', ')}).`,
      );
      const contact = await store.linkContact(t, contactLink('10', 'eu-1'));
      must(
        same(await store.unlinkContact(t, '10'), contact.link),
        'unlinkContact() must return the link it removed.',
      );
      must((await inspect.contactLink(t, '10')) === null, 'unlinkContact() left the link row; delete it.');
      must(
        (await store.endUserForContact(t, '10')) === null,
        'endUserForContact() still reads a removed link.',
      );
      const freed = await outcome(store.linkContact(t, contactLink('11', 'eu-1')));
      must(freed === 'resolved', `after unlinkContact() end-user eu-1 must be free again (got ${freed}).`);
    },
  },
  {
    name: 'exactly one of many racing links to one end-user wins',
    async check({ store, inspect }) {
      const t = newTenant();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.linkContact(t, contactLink(String(100 + i), 'eu-race'))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      must(
        won.length === 1,
        `${won.length} of 20 concurrent linkContact() calls to one end-user won; make the end-user side unique (an index) so exactly one wins.`,
      );
      const winner = (won[0] as PromiseFulfilledResult<{ link: ContactLink }>).value.link;
      const rows = await store.listContactLinks(t);
      must(
        rows.length === 1 && same(await inspect.contactLink(t, winner.contactId), winner),
        `after the race the store holds ${rows.length} links; it must hold only the winner's.`,
      );
    },
  },
  {
    name: 'a read is a copy: mutating what was read does not change the store',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'One' });
      await store.linkCompany(t, companyLink('1', 'c1'));
      await store.linkContact(t, contactLink('10', 'eu-1'));
      const [company] = await store.listCompanyLinks(t);
      const contact = await store.endUserForContact(t, '10');
      const [customer] = await store.listCustomers(t);
      attempt(() => {
        company!.customerId = 'changed';
      });
      attempt(() => {
        contact!.confirmedBy.name = 'changed';
      });
      attempt(() => {
        customer!.name = 'changed';
      });
      must(
        (await inspect.companyLink(t, '1'))?.customerId === 'c1' &&
          (await inspect.contactLink(t, '10'))?.confirmedBy.name !== 'changed' &&
          (await inspect.customer(t, 'c1'))?.name === 'One',
        'mutating what a read returned changed the store; return copies or deeply frozen values.',
      );
    },
  },
  {
    name: 'a write is a copy: mutating the given object afterwards does not change the store',
    async check({ store, inspect }) {
      const t = newTenant();
      const link = contactLink('10', 'eu-1');
      await store.linkContact(t, link);
      link.endUserId = 'changed';
      link.confirmedBy.name = 'changed';
      const row = await inspect.contactLink(t, '10');
      must(
        row?.endUserId === 'eu-1' && row.confirmedBy.name !== 'changed',
        'the store kept a reference to the link given to linkContact(); copy what you store.',
      );
    },
  },
];
