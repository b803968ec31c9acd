import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAutotaskWebhook } from '@qdesk/autotask-adapter';
import { AdapterError } from '@qdesk/core';
import { listMatches } from '@qdesk/matching';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.js';
import { type AppServices, composeDemo, DEMO_WEBHOOK_SECRET } from './compose.js';
import { readEnv } from './config.js';
import { memoryStores, reportingEndUserChanges } from './stores.js';
import { auditTrail } from './test-app.test-helpers.js';

let services: AppServices;
let app: ReturnType<typeof createApp>['app'];
const ORIGIN = 'http://127.0.0.1';
let cookie = '';
let csrf = '';

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, cookie, 'x-csrf-token': csrf, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const hook = (payload: object, secret = DEMO_WEBHOOK_SECRET) => {
  const raw = JSON.stringify(payload);
  return app.request(`${ORIGIN}/webhooks/autotask/contacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hook-signature': signAutotaskWebhook(raw, secret) },
    body: raw,
  });
};
const event = (action: string, id: number) => ({
  Action: action,
  Guid: `g-${action}-${id}`,
  EntityType: 'Contact',
  Id: id,
  Fields: {},
  EventTime: '2026-11-24T09:00:00Z',
  SequenceNumber: 1,
  PersonID: 1,
});

beforeAll(async () => {
  const env = readEnv({ PORT: '0' });
  services = await composeDemo(env, { quiet: true, stores: { kind: 'memory' } });
  const created = createApp(services, env);
  app = created.app;
  await created.runner.settled();
  // Matching decides where codes go: the demo administrator signs in (a technician gets 403, tested below).
  const signIn = await app.request(`${ORIGIN}/login`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ staff: 'admin-demo', next: '/' }).toString(),
  });
  cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await app.request(`${ORIGIN}/admin/matching`, { headers: { cookie } })).text();
  csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
});
afterAll(() => services.close());

const companyLink = async (companyId: string) =>
  (await services.mappings.listCompanyLinks(services.tenantId)).find((l) => l.companyId === companyId);
const syncedContact = async (contactId: string) =>
  (await services.mappings.listContacts(services.tenantId)).find((c) => c.id === contactId);

describe('admin matching API', () => {
  it('is for administrators only: a technician gets 403 and the page says who may use it', async () => {
    const technician = await technicianSession();
    const page = await app.request(`${ORIGIN}/admin/matching`, { headers: { cookie: technician.cookie } });
    expect(page.status).toBe(403);
    const res = await post('/api/admin/companies/confirm', { companyIds: ['101'] }, technician);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('needs a signed-in technician and the CSRF token', async () => {
    expect(
      (await post('/api/admin/companies/confirm', { companyIds: ['101'] }, { cookie: 'x=1' })).status,
    ).toBe(401);
    expect(
      (await post('/api/admin/companies/confirm', { companyIds: ['101'] }, { 'x-csrf-token': 'nope' }))
        .status,
    ).toBe(403);
  });

  it('answers garbage with 4xx and changes nothing', async () => {
    const before = await services.mappings.listCompanyLinks(services.tenantId);
    const cases: [string, unknown][] = [
      ['/api/admin/companies/confirm', {}],
      ['/api/admin/companies/confirm', { companyIds: [] }],
      ['/api/admin/companies/confirm', { companyIds: ['<script>'] }],
      ['/api/admin/companies/confirm', { companyIds: 'all' }],
      ['/api/admin/companies/link', { companyId: '101' }],
      ['/api/admin/companies/link', { companyId: '101', customerId: 'nope' }],
      ['/api/admin/companies/link', { companyId: '999999', customerId: 'cust-northwind' }],
      ['/api/admin/contacts/link', { contactId: '206', endUserId: 'nobody' }],
      ['/api/admin/contacts/link', { contactId: '206', endUserId: 'eu-ana', confirmCrossCustomer: 'yes' }],
      ['/api/admin/contacts/link', { contactId: '206', endUserId: '' }],
      ['/api/admin/contacts/unlink', { contactId: 5 }],
      ['/api/admin/companies/create-customer', { companyId: '999999' }],
      ['/api/admin/contacts/confirm', '{'],
      ['/api/admin/companies/confirm', { companyIds: Array.from({ length: 6000 }, (_, i) => String(i)) }],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 40)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await services.mappings.listCompanyLinks(services.tenantId)).toEqual(before);
    expect(await services.mappings.endUserForContact(services.tenantId, '206')).toBeNull();
  });

  it('starts with the demo companies linked by the demo administrator, on the audit trail', async () => {
    const links = await services.mappings.listCompanyLinks(services.tenantId);
    expect(links.map((l) => [l.companyId, l.customerId, l.confirmedBy.name]).sort()).toEqual([
      ['101', 'cust-northwind', 'Alex Morgan'],
      ['102', 'cust-contoso', 'Alex Morgan'],
      ['103', 'cust-fabrikam', 'Alex Morgan'],
    ]);
    const seeded = (await auditTrail(services)).filter((r) => r.action === 'link_company');
    expect(seeded.map((r) => r.actor)).toEqual(Array(3).fill(expect.objectContaining({ id: 'admin-demo' })));
  });

  it('confirms, links by hand, unlinks and creates a customer from a company', async () => {
    const from = (await auditTrail(services)).length;
    for (const companyId of ['101', '102'])
      expect((await post('/api/admin/companies/unlink', { companyId })).status).toBe(200);
    const confirmed = await post('/api/admin/companies/confirm', { companyIds: ['101', '102'] });
    expect(await confirmed.json()).toEqual({ confirmed: 2, skipped: [] });
    expect((await post('/api/admin/companies/unlink', { companyId: '102' })).status).toBe(200);
    expect(await companyLink('102')).toBeUndefined();
    expect(
      (await post('/api/admin/companies/link', { companyId: '102', customerId: 'cust-contoso' })).status,
    ).toBe(200);
    const generated = (await services.mappings.listCompanies(services.tenantId)).find(
      (c) => !['101', '102', '103'].includes(c.id),
    )!;
    const created = await post('/api/admin/companies/create-customer', { companyId: generated.id });
    expect(created.status).toBe(201);
    const { customer } = (await created.json()) as { customer: { name: string } };
    expect(customer.name).toBe(generated.name);
    expect((await companyLink(generated.id))?.customerId).toBeTruthy();
    // Every link change is on file, with the admin and the link before and after.
    const changes = (await auditTrail(services)).slice(from).filter((r) => r.action.endsWith('_company'));
    expect(changes.map((r) => r.action)).toEqual([
      'unlink_company',
      'unlink_company',
      'link_company',
      'link_company',
      'unlink_company',
      'link_company',
      'link_company',
    ]);
    expect(changes[4]).toMatchObject({
      actor: { type: 'technician' },
      detail: { companyId: '102', after: null },
    });
  });
});

/** A technician's cookie and CSRF token (not an administrator). */
async function technicianSession() {
  const home = await app.request(`${ORIGIN}/`);
  const technician = (home.headers.get('set-cookie') ?? '').split(';')[0]!;
  const insight = await (
    await app.request(`${ORIGIN}/insight?ticketId=1001`, { headers: { cookie: technician } })
  ).text();
  return { cookie: technician, 'x-csrf-token': /name="csrf-token" content="([^"]+)"/.exec(insight)![1]! };
}

const page = async (query: string) =>
  (await app.request(`${ORIGIN}/admin/matching?${query}`, { headers: { cookie } })).text();
const decodeEntities = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

const OPTION = /<option value="([^"]*)"([^>]*)>([^<]*)<\/option>/g;
const optionOf = (o: RegExpMatchArray) => ({
  value: o[1]!,
  disabled: /\bdisabled\b/.test(o[2]!),
  selected: /\bselected\b/.test(o[2]!),
  text: decodeEntities(o[3]!),
});
/** The options in a piece of the page, in order. */
const optionsIn = (fragment: string) => [...fragment.matchAll(OPTION)].map(optionOf);
/** The content of the template with `id`. */
function templateIn(html: string, id: string) {
  const content = new RegExp(`<template id="${id}">([\\s\\S]*?)</template>`).exec(html)?.[1];
  if (content === undefined) throw new Error(`no template #${id} on the page`);
  return content;
}

/** The manual-match select with `id` as the page renders it: its groups with their options, in order. */
function choicesIn(html: string, id: string) {
  const select = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  if (select === undefined) throw new Error(`no select #${id} on the page`);
  return {
    first: optionsIn(select)[0]!,
    groups: [...select.matchAll(/<optgroup label="([^"]*)">([\s\S]*?)<\/optgroup>/g)].map((g) => ({
      label: decodeEntities(g[1]!),
      options: optionsIn(g[2]!),
    })),
  };
}

describe('manual matching that cannot mislead', () => {
  const farid = { contactId: '206', endUserId: 'eu-ana' };
  const linkOf = (contactId: string) => services.mappings.endUserForContact(services.tenantId, contactId);

  it('starts a contact on no one, offering its own company customer first, and Match off until a choice', async () => {
    const html = await page('tab=contacts&filter=all&search=farid');
    const { first, groups } = choicesIn(html, 'eu-206');
    expect(first).toEqual({ value: '', disabled: false, selected: true, text: 'Choose an end-user…' });
    // Farid has no suggestion: his list starts empty, and his customer's end-users wait in the page's one
    // template for that customer, which the page's script copies into the list when it is first used.
    expect(groups).toEqual([{ label: "Fabrikam Logistics GmbH (this contact's company)", options: [] }]);
    expect(html).toMatch(
      /<select id="eu-206" class="choice" data-id="206" data-choices="eu-choices-cust-fabrikam">/,
    );
    expect(optionsIn(templateIn(html, 'eu-choices-cust-fabrikam'))).toEqual([
      {
        value: 'eu-eva',
        disabled: false,
        selected: false,
        text: 'Eva Schmidt (eva.schmidt@fabrikam.example)',
      },
    ]);
    // Another customer's end-user is typed (email or id): the page lists no one else's people.
    expect(html).toMatch(/<input id="eu-other-206" class="other" type="text"/);
    expect(html).not.toMatch(/value="eu-(ana|ben|chloe|dev)"/);
    expect((html.match(/<template /g) ?? []).length).toBe(1);
    // A contact with a suggestion has it in the list from the start, first.
    const chloe = await page('tab=contacts&filter=suggested&search=chloe');
    expect(choicesIn(chloe, 'eu-203').groups[0]!.options.map((o) => o.value)).toEqual(['eu-chloe']);
    expect(optionsIn(templateIn(chloe, 'eu-choices-cust-contoso')).map((o) => o.value)).toEqual([
      'eu-chloe',
      'eu-dev',
    ]);
    expect(html).toMatch(
      /<button type="button" data-action="link-contact" data-id="206" disabled>Match<\/button>/,
    );
  });

  it('reads one page of rows per view, never every contact, end-user or contact link', async () => {
    const store = services.mappings;
    const spies = [
      vi.spyOn(store, 'listContacts'),
      vi.spyOn(store, 'listEndUsers'),
      vi.spyOn(store, 'listContactLinks'),
      vi.spyOn(services.directory, 'list'),
      vi.spyOn(services.stores.directory, 'list'),
    ];
    try {
      for (const query of [
        'tab=contacts&filter=all',
        'tab=contacts&filter=suggested',
        'tab=companies&filter=all',
      ])
        expect(await page(query)).toContain('<table class="matching"');
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('pages by cursor: Next and Previous keep the tab, filter, search and company, and walk the list in order', async () => {
    const names = (html: string) =>
      [...html.matchAll(/<tr data-id="([^"]+)" data-status/g)].map((m) => m[1]!);
    const href = (html: string, rel: 'next' | 'prev') =>
      decodeEntities(new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(html)?.[1] ?? '') || null;
    const first = await page('tab=contacts&filter=all');
    expect(href(first, 'prev')).toBeNull();
    const total = Number(/<small id="total">(\d+) in all<\/small>/.exec(first)![1]);
    expect(total).toBeGreaterThan(100);
    // Forward to the end, then back to the start: every contact once, in the same order both ways.
    const forward: string[][] = [names(first)];
    let next = href(first, 'next');
    for (let i = 0; next && i < 100; i++) {
      const url = new URL(next, ORIGIN);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({ tab: 'contacts', filter: 'all' });
      const html = await page(url.searchParams.toString());
      forward.push(names(html));
      next = href(html, 'next');
      if (!next) {
        let previous = href(html, 'prev');
        const backward: string[][] = [names(html)];
        for (let j = 0; previous && j < 100; j++) {
          const back = await page(new URL(previous, ORIGIN).searchParams.toString());
          backward.unshift(names(back));
          previous = href(back, 'prev');
        }
        expect(backward).toEqual(forward);
      }
    }
    expect(forward.flat()).toHaveLength(total);
    expect(new Set(forward.flat()).size).toBe(total);
    // Search and company are kept across pages; another filter starts from the first page.
    const fabrikam = await page('tab=contacts&filter=all&company=103');
    expect(names(fabrikam)).toContain('206');
    expect(decodeEntities(fabrikam)).toContain('Contacts of <strong>Fabrikam Logistics GmbH</strong>');
    expect(decodeEntities(fabrikam)).toContain(
      'href="/admin/matching?tab=contacts&filter=matched&company=103"',
    );
    const second = await page('tab=contacts&filter=all&search=a');
    const link = new URL(href(second, 'next')!, ORIGIN);
    expect(link.searchParams.get('search')).toBe('a');
    expect(link.searchParams.get('after')).toBeTruthy();
  });

  it('sends a cursor it never gave back to the first page of the same list', async () => {
    const res = await app.request(`${ORIGIN}/admin/matching?tab=contacts&filter=all&after=bm90LWEtY3Vyc29y`, {
      headers: { cookie },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/matching?tab=contacts&filter=all');
  });

  it('refuses a link to another customer’s end-user without confirmation: a typed 409 naming both', async () => {
    const from = (await auditTrail(services)).length;
    const res = await post('/api/admin/contacts/link', farid);
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({
      code: 'cross_customer_link',
      link: {
        contact: { id: '206', name: 'Farid Haddad' },
        company: { id: '103', name: 'Fabrikam Logistics GmbH' },
        companyCustomer: { id: 'cust-fabrikam' },
        endUser: { id: 'eu-ana', name: 'Ana Silva' },
        endUserCustomer: { id: 'cust-northwind', name: 'Northwind Traders' },
      },
      retryWith: { confirmCrossCustomer: true },
    });
    expect(error.message).toBe(
      'Farid Haddad works at Fabrikam Logistics GmbH in Autotask, but Ana ' +
        'Silva belongs to Northwind Traders. A ticket from Farid Haddad would verify Ana Silva. Link them anyway only ' +
        'if they are the same person; otherwise choose an end-user of Fabrikam Logistics GmbH.',
    );
    expect((await post('/api/admin/contacts/link', { ...farid, confirmCrossCustomer: false })).status).toBe(
      409,
    );
    expect(await linkOf('206')).toBeNull();
    expect((await auditTrail(services)).length).toBe(from);
  });

  it('refuses a technician, even with the confirmation', async () => {
    const res = await post(
      '/api/admin/contacts/link',
      { ...farid, confirmCrossCustomer: true },
      await technicianSession(),
    );
    expect(res.status).toBe(403);
    expect(await linkOf('206')).toBeNull();
  });

  it('links across customers once confirmed, audited as such and shown on the row and in recent changes', async () => {
    const res = await post('/api/admin/contacts/link', { ...farid, confirmCrossCustomer: true });
    expect(res.status).toBe(200);
    expect((await linkOf('206'))?.endUserId).toBe('eu-ana');
    const record = (await auditTrail(services)).at(-1)!;
    expect(record).toMatchObject({
      action: 'link_contact',
      endUserId: 'eu-ana',
      actor: { type: 'technician', id: 'admin-demo', name: 'Alex Morgan' },
      detail: {
        contactId: '206',
        after: 'eu-ana',
        via: 'matched_across_customers',
        companyCustomerId: 'cust-fabrikam',
        endUserCustomerId: 'cust-northwind',
      },
    });
    const at = new Date(record.at).toISOString();
    const html = decodeEntities(await page('tab=contacts&filter=all&search=farid'));
    const row = /<tr data-id="206"[\s\S]*?<\/tr>/.exec(html)![0];
    expect(row).toContain(
      `Linked by <strong>Alex Morgan</strong> · matched by hand across customers, confirmed · <time datetime="${at}">${at.slice(0, 10)} ${at.slice(11, 19)} UTC</time>`,
    );
    expect(row).toContain(
      'Other customer: Ana Silva belongs to Northwind Traders; Farid Haddad works at Fabrikam Logistics GmbH.',
    );
    const recent = /<ol class="changes">\s*<li([\s\S]*?)<\/li>/.exec(html)![1]!;
    expect(recent).toContain('data-via="matched_across_customers"');
    expect(recent).toContain(
      '<strong>Alex Morgan</strong> linked contact Farid Haddad to end-user Ana Silva',
    );
  });

  it('links within the contact’s own customer without a question', async () => {
    expect((await post('/api/admin/contacts/unlink', { contactId: '206' })).status).toBe(200);
    const res = await post('/api/admin/contacts/link', { contactId: '206', endUserId: 'eu-eva' });
    expect(res.status).toBe(200);
    expect((await auditTrail(services)).at(-1)).toMatchObject({
      action: 'link_contact',
      detail: { contactId: '206', after: 'eu-eva', via: 'matched_by_hand' },
    });
    expect((await post('/api/admin/contacts/unlink', { contactId: '206' })).status).toBe(200);
  });

  it('starts a company on no customer, with its suggestions first and customers linked elsewhere not choosable', async () => {
    expect((await post('/api/admin/companies/unlink', { companyId: '101' })).status).toBe(200);
    const html = await page('tab=companies&filter=all&search=northwind');
    const { first, groups } = choicesIn(html, 'cust-101');
    expect(first).toMatchObject({ value: '', selected: true, text: 'Choose a customer…' });
    expect(groups.map((g) => g.label)).toEqual(['Suggested for Northwind Traders Inc.']);
    expect(groups[0]!.options.map((o) => [o.value, o.disabled])).toEqual([['cust-northwind', false]]);
    // Any other customer comes from one list shared by the page's rows: only customers free to link are in it
    // (every other one is linked to a company already: the demo's, and one created earlier).
    expect(html).toMatch(/<input id="cust-other-101" class="other"[^>]* list="customer-choices"/);
    const shared = /<datalist id="customer-choices">([\s\S]*?)<\/datalist>/.exec(html)![1]!;
    expect([...shared.matchAll(/data-id="([^"]+)"/g)].map((m) => m[1])).toEqual(['cust-northwind']);
    expect((html.match(/<datalist/g) ?? []).length).toBe(1);
    expect(
      (await post('/api/admin/companies/link', { companyId: '101', customerId: 'cust-northwind' })).status,
    ).toBe(200);
  });

  it('links a contact to an end-user typed by email, and refuses an email nobody or several people have', async () => {
    const byEmail = { contactId: '206', endUserEmail: 'Ana.Silva@northwind.example' };
    const refused = await post('/api/admin/contacts/link', byEmail);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'cross_customer_link' } });
    const linked = await post('/api/admin/contacts/link', { ...byEmail, confirmCrossCustomer: true });
    expect(await linked.json()).toMatchObject({
      link: { contactId: '206', endUserId: 'eu-ana' },
      endUser: { id: 'eu-ana', name: 'Ana Silva' },
    });
    expect((await post('/api/admin/contacts/unlink', { contactId: '206' })).status).toBe(200);
    const nobody = await post('/api/admin/contacts/link', {
      contactId: '206',
      endUserEmail: 'nobody@x.example',
    });
    expect(nobody.status).toBe(404);
    expect(((await nobody.json()) as { error: { message: string } }).error.message).toContain(
      'No end-user has the email nobody@x.example',
    );
    expect(
      (
        await post('/api/admin/contacts/link', {
          contactId: '206',
          endUserId: 'eu-ana',
          endUserEmail: 'a@b.c',
        })
      ).status,
    ).toBe(400);
    // A second account with Ana's email (another customer's): the directory write reaches matching at once.
    const twin = { ...(await services.directory.getById(services.tenantId, 'eu-ana'))!, id: 'eu-ana-2' };
    // Written as directory sources and SCIM write: through the app's stores.
    await services.stores.directory.put({ ...twin, customerId: 'cust-contoso', devices: [] });
    const shared = await post('/api/admin/contacts/link', byEmail);
    expect(shared.status).toBe(409);
    expect(await shared.json()).toMatchObject({
      error: {
        code: 'ambiguous_end_user',
        message: expect.stringContaining('eu-ana (Northwind Traders), eu-ana-2 (Contoso Dental)'),
      },
    });
    const [suggestion] = (await services.mappings.getSuggestions(services.tenantId, { contactIds: ['201'] }))
      .contacts;
    expect(suggestion?.conflicts.map((c) => c.type)).toEqual(['email_on_several_end_users']);
    // Removed again: the suggestion is clean again, without waiting for a sync.
    expect(await services.stores.directory.remove(services.tenantId, 'eu-ana-2')).toBe(true);
    const [clean] = (await services.mappings.getSuggestions(services.tenantId, { contactIds: ['201'] }))
      .contacts;
    expect(clean).toMatchObject({ endUserId: 'eu-ana', strength: 'strong', conflicts: [] });
    expect(await linkOf('206')).toBeNull();
  });

  it('puts every change made from the page on the audit trail, with the administrator', async () => {
    const from = (await auditTrail(services)).length;
    const calls: [string, object][] = [
      ['/api/admin/contacts/confirm', { contactIds: ['201', '203'] }],
      ['/api/admin/contacts/unlink', { contactId: '203' }],
      ['/api/admin/contacts/link', { contactId: '206', endUserId: 'eu-eva' }],
      ['/api/admin/contacts/unlink', { contactId: '206' }],
      ['/api/admin/contacts/link', { contactId: '206', endUserId: 'eu-chloe', confirmCrossCustomer: true }],
      ['/api/admin/contacts/unlink', { contactId: '206' }],
      ['/api/admin/contacts/unlink', { contactId: '201' }],
      ['/api/admin/companies/unlink', { companyId: '103' }],
      ['/api/admin/companies/confirm', { companyIds: ['103'] }],
    ];
    for (const [path, body] of calls) expect((await post(path, body)).status, path).toBe(200);
    const records = (await auditTrail(services)).slice(from);
    expect(records.map((r) => [r.action, r.detail?.via])).toEqual([
      ['link_contact', 'confirmed_suggestion'],
      ['link_contact', 'confirmed_suggestion'],
      ['unlink_contact', 'unmatched_by_hand'],
      ['link_contact', 'matched_by_hand'],
      ['unlink_contact', 'unmatched_by_hand'],
      ['link_contact', 'matched_across_customers'],
      ['unlink_contact', 'unmatched_by_hand'],
      ['unlink_contact', 'unmatched_by_hand'],
      ['unlink_company', 'unmatched_by_hand'],
      ['link_company', 'confirmed_suggestion'],
    ]);
    expect(new Set(records.map((r) => r.actor.id))).toEqual(new Set(['admin-demo']));
  });
});

describe('Autotask contact webhooks', () => {
  it('applies signed create / update / delete events to the synced contacts', async () => {
    await services.mappings.linkContact(services.tenantId, {
      contactId: '206',
      endUserId: 'eu-eva',
      confirmedBy: { id: 'a', name: 'A' },
      confirmedAt: 1,
    });
    const updated = await hook(event('Update', 201));
    expect(updated.status).toBe(200);
    const deleted = await hook(event('Delete', 206));
    expect(deleted.status).toBe(200);
    expect(await syncedContact('206')).toBeUndefined();
    expect(await services.mappings.endUserForContact(services.tenantId, '206')).toBeNull();
  });

  it('refuses a bad signature, another entity, a bad action and a non-JSON body without changing anything', async () => {
    const before = await syncedContact('201');
    expect((await hook(event('Delete', 201), 'wrong-secret')).status).toBe(403);
    const unsigned = await app.request(`${ORIGIN}/webhooks/autotask/contacts`, {
      method: 'POST',
      body: JSON.stringify(event('Delete', 201)),
    });
    expect(unsigned.status).toBe(403);
    expect((await hook({ ...event('Delete', 201), EntityType: 'Ticket' })).status).toBe(400);
    expect((await hook({ ...event('Explode', 201) })).status).toBe(400);
    const raw = 'not json';
    const res = await app.request(`${ORIGIN}/webhooks/autotask/contacts`, {
      method: 'POST',
      headers: { 'x-hook-signature': signAutotaskWebhook(raw, DEMO_WEBHOOK_SECRET) },
      body: raw,
    });
    expect(res.status).toBe(400);
    expect(await syncedContact('201')).toEqual(before);
  });
});

describe('directory writes reaching matching', () => {
  it('keeps the write when matching cannot take it in, and logs the failure without personal data', async () => {
    const directory = memoryStores().directory;
    const failing = reportingEndUserChanges(directory, {
      tenantId: 'msp-1',
      apply: async () => {
        throw new AdapterError('The mapping store failed (ana.silva@northwind.example)', {
          port: 'mapping store',
          operation: 'saveEndUsers',
        });
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const ana = {
        id: 'eu-ana',
        tenantId: 'msp-1',
        email: 'ana.silva@northwind.example',
        displayName: 'Ana Silva',
        mobilePhone: '+15550100001',
        devices: [],
      };
      await failing.put(ana);
      await failing.putMany([{ ...ana, id: 'eu-ana-2' }]);
      expect(await failing.remove('msp-1', 'eu-ana-2')).toBe(true);
      expect(await directory.getById('msp-1', 'eu-ana')).toMatchObject({ displayName: 'Ana Silva' });
      expect(await directory.getById('msp-1', 'eu-ana-2')).toBeNull();
      expect(logged).toHaveBeenCalledTimes(3);
      const lines = logged.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(lines).toContain('QDesk matching could not take in 1 end-user change(s) (adapter_failed)');
      expect(lines).not.toMatch(/ana|silva|eu-|\+1555/i);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('demo start', () => {
  it('rebuilds the suggestions of a data folder that keeps none (one from before kept suggestions)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdesk-demo-start-'));
    const env = readEnv({ PORT: '0' });
    const stores = { kind: 'pglite', dataDir: join(dir, 'pglite') } as const;
    const suggested = async (s: AppServices) =>
      (await listMatches({ store: s.mappings, tenantId: s.tenantId, kind: 'contacts', filter: 'all' })).counts
        .suggested;
    try {
      const first = await composeDemo(env, { quiet: true, stores });
      await createApp(first, env).runner.settled(); // the demo's first sync reads the PSA
      expect(await suggested(first)).toBeGreaterThan(0);
      // Farid gets an account only matching knows of, and no suggestion is kept: only a rebuild finds his.
      await first.mappings.saveEndUsers(first.tenantId, {
        put: [
          {
            id: 'eu-farid',
            email: 'farid.haddad@fabrikam.example',
            displayName: 'Farid Haddad',
            customerId: 'cust-fabrikam',
          },
        ],
      });
      await first.mappings.replaceSuggestions(first.tenantId, {
        companies: [],
        contacts: { contactIds: null, suggestions: [] },
      });
      expect(await suggested(first)).toBe(0);
      await first.close();
      // Started again, before any sync: the suggestions are there.
      const again = await composeDemo(env, { quiet: true, stores });
      try {
        expect(await suggested(again)).toBeGreaterThan(0);
        const { contacts } = await again.mappings.getSuggestions(again.tenantId, { contactIds: ['206'] });
        expect(contacts.map((c) => c.endUserId)).toEqual(['eu-farid']);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
