import { signAutotaskWebhook } from '@qdesk/autotask-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { type AppServices, composeDemo, DEMO_WEBHOOK_SECRET } from './compose.js';
import { readEnv } from './config.js';

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
  services = await composeDemo(env, { quiet: true });
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
    const home = await app.request(`${ORIGIN}/`);
    const technician = (home.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await app.request(`${ORIGIN}/admin/matching`, { headers: { cookie: technician } });
    expect(page.status).toBe(403);
    const insight = await (
      await app.request(`${ORIGIN}/insight?ticketId=1001`, { headers: { cookie: technician } })
    ).text();
    const token = /name="csrf-token" content="([^"]+)"/.exec(insight)![1]!;
    const res = await post(
      '/api/admin/companies/confirm',
      { companyIds: ['101'] },
      { cookie: technician, 'x-csrf-token': token },
    );
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
  });

  it('starts with the demo companies linked by the demo administrator, on the audit trail', async () => {
    const links = await services.mappings.listCompanyLinks(services.tenantId);
    expect(links.map((l) => [l.companyId, l.customerId, l.confirmedBy.name]).sort()).toEqual([
      ['101', 'cust-northwind', 'Alex Morgan'],
      ['102', 'cust-contoso', 'Alex Morgan'],
      ['103', 'cust-fabrikam', 'Alex Morgan'],
    ]);
    const seeded = services.audit.all().filter((r) => r.action === 'link_company');
    expect(seeded.map((r) => r.actor)).toEqual(Array(3).fill(expect.objectContaining({ id: 'admin-demo' })));
  });

  it('confirms, links by hand, unlinks and creates a customer from a company', async () => {
    const from = services.audit.all().length;
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
    const changes = services.audit
      .all()
      .slice(from)
      .filter((r) => r.action.endsWith('_company'));
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
