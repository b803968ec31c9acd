import type { EndUser } from '@qdesk/core';
import { createMemoryPsa } from '@qdesk/core/memory';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { type KitRule, must } from '@qdesk/core/testing';
import type { MappingStore } from '../mapping-store.js';
import { matchByHand, unmatch } from '../match-by-hand.js';
import { createMatchingSync } from '../matching-sync.js';
import { suggestCompanyMatches } from '../suggest-companies.js';
import { suggestContactMatches } from '../suggest-contacts.js';
import type { MatchConflict, MatchSuggestionBase } from '../types.js';
import { canon, newTenant } from './_fixtures.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

// One rule that drives the store through matching's own operations (a sync, webhook changes, directory changes,
// links made and removed by hand) and checks after each step that the suggestions kept incrementally are the ones
// a rebuild from scratch computes, and that every status count agrees with them.

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev'];
const LAST = ['Silva', 'Okafor', 'Martin'];

/** Deterministic numbers, so a failure repeats. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Suggestions as data whose order carries no meaning: lists sorted, suggestions sorted. */
function comparable(suggestions: readonly MatchSuggestionBase<string>[]): string {
  const sortIds = (c: MatchConflict) =>
    c.type === 'email_on_several_contacts'
      ? { ...c, contactIds: [...c.contactIds].sort() }
      : c.type === 'email_on_several_end_users'
        ? { ...c, endUserIds: [...c.endUserIds].sort() }
        : { ...c, otherIds: [...c.otherIds].sort() };
  return canon(
    suggestions
      .map((s) => ({
        ...s,
        ties: [...s.ties].sort(),
        conflicts: s.conflicts.map(sortIds).sort((a, b) => (canon(a) < canon(b) ? -1 : 1)),
      }))
      .map((s) => canon(s))
      .sort(),
  );
}

async function expected(store: MappingStore, t: string) {
  const [companies, customers, companyLinks, contacts, users, contactLinks] = await Promise.all([
    store.listCompanies(t),
    store.listCustomers(t),
    store.listCompanyLinks(t),
    store.listContacts(t),
    store.listEndUsers(t),
    store.listContactLinks(t),
  ]);
  const endUsers = users.map(
    (u) =>
      ({
        ...u,
        tenantId: t,
        customerId: u.customerId ?? undefined,
        mobilePhone: null,
        devices: [],
      }) as EndUser,
  );
  return {
    companies: suggestCompanyMatches(companies, customers, companyLinks),
    contacts: suggestContactMatches(contacts, endUsers, { companyLinks, contactLinks }),
    contactIds: contacts.map((c) => c.id),
    companyIds: companies.map((c) => c.id),
    linked: new Set(contactLinks.map((l) => l.contactId)),
  };
}

async function agree(store: MappingStore, t: string, step: string) {
  const want = await expected(store, t);
  const kept = await store.getSuggestions(t, { contactIds: want.contactIds, companyIds: want.companyIds });
  must(
    comparable(kept.contacts) === comparable(want.contacts),
    `after ${step}, the kept contact suggestions differ from a rebuild's:\nkept    ${comparable(kept.contacts)}\nrebuild ${comparable(want.contacts)}`,
  );
  must(
    comparable(kept.companies) === comparable(want.companies),
    `after ${step}, the kept company suggestions differ from a rebuild's.`,
  );
  const suggested = new Set(want.contacts.map((s) => s.contactId));
  const counts = {
    all: want.contactIds.length,
    matched: want.contactIds.filter((id) => want.linked.has(id)).length,
    unmatched: want.contactIds.filter((id) => !want.linked.has(id)).length,
    suggested: want.contactIds.filter((id) => !want.linked.has(id) && suggested.has(id)).length,
  };
  const page = await store.listContactPage(t, {
    filter: 'suggested',
    search: null,
    companyId: null,
    after: null,
    before: null,
    limit: 1000,
  });
  must(
    canon(page.counts) === canon(counts),
    `after ${step}, the counts are ${canon(page.counts)}; the kept suggestions and links make ${canon(counts)}.`,
  );
  must(
    canon(page.rows.map((r) => r.contact.id).sort()) ===
      canon(want.contactIds.filter((id) => !want.linked.has(id) && suggested.has(id)).sort()),
    `after ${step}, the suggested filter lists other contacts than those with kept suggestions.`,
  );
}

/**
 * Drives `store` through a sync and `steps` random changes (seeded), checking after each that the kept suggestions
 * equal a rebuild's. @internal
 */
export async function keptScenario(store: MappingStore, seed: number, steps: number): Promise<void> {
  const t = newTenant();
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const companies: PsaCompany[] = Array.from({ length: 4 }, (_, i) => ({
    id: String(i + 1),
    name: `Company ${i + 1}`,
    webAddress: null,
    isActive: true,
  }));
  // Few emails and names for many records: shared emails, ties and name matches on every step.
  const email = () => `${pick(['ana', 'ben', 'dev', 'eva', 'fay'])}@${pick(['a', 'b'])}.example`;
  const contactAt = (i: number): PsaContact => ({
    id: String(100 + i),
    companyId: pick(companies).id,
    firstName: pick(FIRST),
    lastName: pick(LAST),
    emails: next() < 0.2 ? [] : [email()],
    mobilePhone: null,
    phone: null,
    isActive: true,
  });
  const userAt = (i: number): EndUser => ({
    id: `eu-${i}`,
    tenantId: t,
    email: email(),
    displayName: next() < 0.5 ? `${pick(FIRST)} ${pick(LAST)}` : `${pick(LAST)}, ${pick(FIRST)}`,
    mobilePhone: null,
    customerId: pick(['cust-1', 'cust-2', 'cust-3']),
    devices: [],
  });
  const contacts = Array.from({ length: 30 }, (_, i) => contactAt(i));
  const users = Array.from({ length: 24 }, (_, i) => userAt(i));
  for (const id of ['cust-1', 'cust-2', 'cust-3', 'cust-4']) {
    await store.createCustomer(t, { id, name: id === 'cust-4' ? 'Company 4' : `Customer ${id}` });
  }
  const actor = {
    tenantId: t,
    technicianId: 'kit-admin',
    technicianName: 'Kit Admin',
    role: 'admin' as const,
  };
  for (const [companyId, customerId] of [
    ['1', 'cust-1'],
    ['2', 'cust-2'],
  ] as const) {
    await store.linkCompany(t, {
      companyId,
      customerId,
      confirmedBy: { id: 'kit', name: 'Kit' },
      confirmedAt: 1,
    });
  }
  const sync = createMatchingSync({
    psa: createMemoryPsa({ companies, contacts, tickets: [] }),
    store,
    tenantId: t,
    directory: { list: () => users },
  });
  await sync.run();
  await agree(store, t, 'a completed sync');

  for (let step = 0; step < steps; step++) {
    const roll = next();
    let what: string;
    if (roll < 0.25) {
      const changed = { ...contactAt(Math.floor(next() * 40)) };
      await sync.applyContactChange({ action: 'updated', contact: changed });
      what = `contact ${changed.id} created or changed by a webhook`;
    } else if (roll < 0.35) {
      const id = String(100 + Math.floor(next() * 40));
      await sync.applyContactChange({ action: 'deleted', contactId: id });
      what = `contact ${id} deleted by a webhook`;
    } else if (roll < 0.55) {
      const changed = userAt(Math.floor(next() * 30));
      await sync.applyEndUserChanges(next() < 0.8 ? { put: [changed] } : { remove: [changed.id] });
      what = `end-user ${changed.id} changed in the directory`;
    } else if (roll < 0.8) {
      const stored = await store.listContacts(t);
      const kept = await store.getSuggestions(t, { contactIds: stored.map((c) => c.id) });
      const s = kept.contacts.length > 0 ? pick(kept.contacts) : null;
      const link = (await store.listContactLinks(t))[0];
      if (s && next() < 0.7) {
        const outcome = await matchByHand({
          kind: 'contacts',
          store,
          actor,
          contactId: s.contactId,
          endUserId: s.endUserId,
        }).then(
          () => 'linked',
          () => 'refused',
        );
        what = `contact ${s.contactId} matched by hand to ${s.endUserId} (${outcome})`;
      } else if (link) {
        await unmatch({ kind: 'contacts', store, actor, contactId: link.contactId });
        what = `contact ${link.contactId} unmatched`;
      } else continue;
    } else {
      const links = await store.listCompanyLinks(t);
      if (links.length > 0 && next() < 0.5) {
        const link = pick(links);
        await unmatch({ kind: 'companies', store, actor, companyId: link.companyId });
        what = `company ${link.companyId} unmatched`;
      } else {
        const linked = new Set(links.map((l) => l.customerId));
        const free = ['cust-1', 'cust-2', 'cust-3', 'cust-4'].filter((c) => !linked.has(c));
        const companyIds = new Set(links.map((l) => l.companyId));
        const company = companies.find((c) => !companyIds.has(c.id));
        if (free.length === 0 || !company) continue;
        await matchByHand({
          kind: 'companies',
          store,
          actor,
          companyId: company.id,
          customerId: pick(free),
        });
        what = `company ${company.id} matched by hand`;
      }
    }
    await agree(store, t, `step ${step + 1} (${what})`);
  }
}

/** @internal */
export const scenarioRules: readonly KitRule<MappingStoreSubject>[] = [
  {
    name: 'suggestions kept through webhooks, directory changes and links made by hand equal a rebuild from scratch',
    async check({ store }) {
      // Two seeds of 60 steps: enough for every kind of step to follow every other (a page read between them too).
      await keptScenario(store, 5, 60);
      await keptScenario(store, 7, 60);
    },
  },
];
