import { type KitRule, must } from '@qdesk/core/testing';
import { by, canon, companyLink, contact, contactLink, newTenant, outcome, same } from './_fixtures.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

/** Rules on the port's version, an empty tenant, customers and tenancy. @internal */
export const customerRules: readonly KitRule<MappingStoreSubject>[] = [
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
    name: 'a tenant that never wrote anything reads as empty',
    async check({ store }) {
      const t = newTenant();
      for (const [method, read] of [
        ['listCustomers', store.listCustomers(t)],
        ['listCompanyLinks', store.listCompanyLinks(t)],
        ['listContactLinks', store.listContactLinks(t)],
        ['listCompanies', store.listCompanies(t)],
        ['listContacts', store.listContacts(t)],
      ] as const) {
        const value = await read;
        must(
          Array.isArray(value) && value.length === 0,
          `${method}() of a new tenant returned ${canon(value)}; return [] for a tenant with no rows.`,
        );
      }
      for (const [method, read] of [
        ['endUserForContact', store.endUserForContact(t, '1')],
        ['getSyncCheckpoint', store.getSyncCheckpoint(t)],
        ['unlinkCompany', store.unlinkCompany(t, '1')],
        ['unlinkContact', store.unlinkContact(t, '1')],
      ] as const) {
        const value = await read;
        must(
          value === null,
          `${method}() of a new tenant returned ${canon(value)}; return null when nothing is stored.`,
        );
      }
      const removal = await store.removeContact(t, '1');
      must(
        same(removal, { removed: false, unlinked: null }),
        `removeContact() of an unknown contact returned ${canon(removal)}; return { removed: false, unlinked: null }.`,
      );
    },
  },
  {
    name: 'createCustomer stores the customer as given, with a made-up id when none is given',
    async check({ store, inspect }) {
      const t = newTenant();
      const made = await store.createCustomer(t, { name: 'Contoso Dental', domain: 'contoso.example' });
      must(
        typeof made.customer.id === 'string' && made.customer.id !== '',
        `createCustomer() without an id returned id ${canon(made.customer.id)}; make up a non-empty id.`,
      );
      const expected = {
        id: made.customer.id,
        tenantId: t,
        name: 'Contoso Dental',
        domain: 'contoso.example',
      };
      must(
        same(made, { customer: expected, link: null }),
        `createCustomer() returned ${canon(made)}; return { customer: ${canon(expected)}, link: null }.`,
      );
      const row = await inspect.customer(t, made.customer.id);
      must(
        same(row, expected),
        `createCustomer() returned customer ${made.customer.id} but the backing system holds ${canon(row)}; store it with its tenantId, name and domain.`,
      );
      const named = await store.createCustomer(t, { id: 'c1', name: 'Fabrikam' });
      must(
        same(await inspect.customer(t, 'c1'), { id: 'c1', tenantId: t, name: 'Fabrikam', domain: null }),
        `createCustomer() with id c1 and no domain must store id 'c1' and domain null (returned ${canon(named)}).`,
      );
      const listed = (await store.listCustomers(t)).map((c) => c.id).sort();
      must(
        canon(listed) === canon([made.customer.id, 'c1'].sort()),
        `listCustomers() returned ids ${canon(listed)}; list every customer of the tenant.`,
      );
    },
  },
  {
    name: 'createCustomer refuses a taken id with conflict and keeps the first customer',
    async check({ store, inspect }) {
      const t = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'First' });
      const second = await outcome(store.createCustomer(t, { id: 'c1', name: 'Second' }));
      must(
        second === 'conflict',
        `createCustomer() with a taken id ${second}; throw a QdeskError with code 'conflict' and leave the customer.`,
      );
      const row = await inspect.customer(t, 'c1');
      must(
        row?.name === 'First',
        `a refused createCustomer() changed customer c1 to ${canon(row)}; keep the first.`,
      );
    },
  },
  {
    name: 'createCustomer with linkTo stores the customer and its link together, or neither when the company is linked',
    async check({ store, inspect }) {
      const t = newTenant();
      const linkTo = { companyId: '7', confirmedBy: { ...by }, confirmedAt: 42 };
      const made = await store.createCustomer(t, { id: 'c1', name: 'Fabrikam', linkTo });
      const expected = { tenantId: t, companyId: '7', customerId: 'c1', confirmedBy: by, confirmedAt: 42 };
      must(
        same(made.link, expected),
        `createCustomer() with linkTo returned link ${canon(made.link)}; return the stored link ${canon(expected)}.`,
      );
      must(
        same(await inspect.companyLink(t, '7'), expected),
        'createCustomer() with linkTo did not store the company link; store the customer and the link together.',
      );
      const again = await outcome(store.createCustomer(t, { id: 'c2', name: 'Other', linkTo }));
      must(
        again === 'conflict',
        `createCustomer() linking company 7, which is linked to c1, ${again}; throw 'conflict'.`,
      );
      must(
        (await inspect.customer(t, 'c2')) === null,
        'createCustomer() stored customer c2 although its link was refused; check both, then write both in one transaction.',
      );
    },
  },
  {
    name: 'keeps tenants apart: nothing of one tenant is read or refused because of another',
    async check({ store, inspect }) {
      const t = newTenant();
      const other = newTenant();
      await store.createCustomer(t, { id: 'c1', name: 'Mine' });
      await store.linkCompany(t, companyLink('1', 'c1'));
      await store.linkContact(t, contactLink('10', 'eu-1'));
      await store.putContact(t, contact('10', '1'));
      const seen = [
        ['listCustomers', await store.listCustomers(other)],
        ['listCompanyLinks', await store.listCompanyLinks(other)],
        ['listContactLinks', await store.listContactLinks(other)],
        ['listContacts', await store.listContacts(other)],
      ] as const;
      for (const [method, rows] of seen) {
        must(
          rows.length === 0,
          `${method}() of another tenant returned ${canon(rows)}; scope every read by tenantId.`,
        );
      }
      const foreign = await store.endUserForContact(other, '10');
      must(
        foreign === null,
        `endUserForContact() of another tenant returned ${canon(foreign)}; scope it by tenantId.`,
      );
      const borrowed = await outcome(store.linkCompany(other, companyLink('1', 'c1')));
      must(
        borrowed === 'input_invalid',
        `linkCompany() to customer c1 of another tenant ${borrowed}; throw InputError: customers belong to one tenant.`,
      );
      await store.createCustomer(other, { id: 'c1', name: 'Theirs' });
      const sameIds = await outcome(store.linkCompany(other, companyLink('1', 'c1')));
      const sameUser = await outcome(store.linkContact(other, contactLink('10', 'eu-1')));
      must(
        sameIds === 'resolved' && sameUser === 'resolved',
        `linking ids another tenant uses was refused (${sameIds}, ${sameUser}); make ids and links unique per tenant.`,
      );
      must(
        (await inspect.customer(t, 'c1'))?.name === 'Mine',
        "creating customer c1 in another tenant changed this tenant's c1; key customers by (tenantId, id).",
      );
    },
  },
];
