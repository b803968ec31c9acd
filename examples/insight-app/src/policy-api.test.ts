import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, type Browser, json, startTestApp, type TestApp } from './test-app.test-helpers.js';

let t: TestApp;
let alex: Browser;
let sam: Browser;
beforeAll(async () => {
  t = await startTestApp();
  [alex, sam] = await Promise.all([t.staff('admin-demo'), t.staff('tech-demo')]);
});
afterAll(() => t.close());

const put = (customer: string, body: unknown, as: Browser | null = alex) =>
  t.request(`/api/admin/policies/${customer}`, { method: 'PUT', json: body, as });
const pushForNorthwind = {
  settings: { methods: ['number_match', 'push_code', 'sms', 'push'] },
  accept: [{ choice: 'push', reason: 'Warehouse staff wear gloves; accepted by the Northwind IT lead.' }],
};

describe('GET /api/admin/policies: each customer with its methods in force', () => {
  it('is for administrators only: 401 anonymous, 403 forbidden for a technician, and the page likewise', async () => {
    expect((await t.request('/api/admin/policies', { headers: { cookie: 'x=1' } })).status).toBe(401);
    const technician = await t.request('/api/admin/policies', { as: sam });
    expect(technician.status).toBe(403);
    expect((await json(technician)).error.code).toBe('forbidden');
    const page = await t.request('/admin/policies', { as: sam });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('Sign in as the demo administrator');
    expect((await t.request('/admin/policies', { as: alex })).status).toBe(200);
  });

  it('lists the tenant on the NIST defaults and Contoso with its recorded risk acceptances', async () => {
    const { layers } = await json(await t.request('/api/admin/policies', { as: alex }));
    const layer = (id: string | null) =>
      layers.find((l: { customerId: string | null }) => l.customerId === id);
    expect(layer(null).effective).toMatchObject({
      methods: ['number_match', 'push_code', 'sms'],
      fallback: ['sms'],
      allowedCodeModes: ['verify'],
    });
    expect(layer('cust-northwind').stored).toBeNull();
    const contoso = layer('cust-contoso');
    expect(contoso.effective.methods).toEqual(['number_match', 'push_code', 'sms', 'push', 'email']);
    expect(contoso.effective.riskAcceptances.map((a: { choice: string }) => a.choice).sort()).toEqual([
      'compare',
      'email',
      'email_fallback',
      'push',
    ]);
    expect(contoso.stored.updatedBy).toEqual({ id: 'admin-demo', name: 'Alex Morgan' });
    expect((await t.request('/api/admin/policies/_tenant', { as: alex })).status).toBe(200);
    expect((await t.request('/api/admin/policies/cust-nope', { as: alex })).status).toBe(404);
  });
});

describe('PUT /api/admin/policies/:customerId', () => {
  it('needs the CSRF token and the admin role', async () => {
    expect((await put('cust-northwind', pushForNorthwind, { ...alex, csrf: 'forged' })).status).toBe(403);
    const technician = await put('cust-northwind', pushForNorthwind, sam);
    expect(technician.status).toBe(403);
    expect((await json(technician)).error.code).toBe('forbidden');
  });

  it('refuses a weaker choice without a reason (400 naming it) and garbage (400, 404)', async () => {
    const res = await put('cust-northwind', { settings: pushForNorthwind.settings });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toContain('approve-only push');
    for (const body of [
      {},
      { settings: { methods: ['fax'] } },
      { settings: { codeLength: 4 } },
      { settings: {}, accept: [{ choice: 'push', reason: 'short' }] },
    ]) {
      expect((await put('cust-northwind', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await put('cust-nope', pushForNorthwind)).status).toBe(404);
    expect((await put('..%2Fetc', pushForNorthwind)).status).toBe(400);
  });

  it('turns approve-only push on with a reason: the Insight offers it, marked weaker, and the change is audited', async () => {
    const res = await put('cust-northwind', { ...pushForNorthwind, expectedVersion: 0 });
    expect(res.status).toBe(200);
    const view = await json(res);
    expect(view.effective.methods).toContain('push');
    expect(view.stored.version).toBe(1);
    const page = await (await t.request('/insight?ticketId=1001', { as: sam })).text();
    expect(page).toContain('Approve-only push — weaker, accepted by policy');
    const change = (await auditTrail(t.services)).filter((r) => r.action === 'policy_change').at(-1);
    expect(change).toMatchObject({ actor: { id: 'admin-demo' }, detail: { customerId: 'cust-northwind' } });
    expect(JSON.parse(String(change?.detail?.after)).methods).toContain('push');
  });

  it('refuses a change made against an old version (409) and turns push off again', async () => {
    const stale = await put('cust-northwind', { ...pushForNorthwind, expectedVersion: 0 });
    expect(stale.status).toBe(409);
    const off = await put('cust-northwind', {
      settings: { methods: ['number_match', 'sms'] },
      expectedVersion: 1,
    });
    expect(off.status).toBe(200);
    const view = await json(off);
    expect(view.effective.methods).toEqual(['number_match', 'sms']);
    expect(view.effective.riskAcceptances).toEqual([]); // a stale acceptance cannot re-enable push later
    const page = await (await t.request('/insight?ticketId=1001', { as: sam })).text();
    expect(page).not.toContain('Approve-only push');
    expect(page).not.toContain('value="push_code"');
  });
});

describe('POST /api/admin/end-users/:id/unlock', () => {
  it('restricts where texted numbers may come from and how long a changed one counts as new, on the page too', async () => {
    const res = await put('cust-fabrikam', {
      settings: { smsSources: ['idp_mfa', 'directory'], newPhoneDays: 14 },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).effective).toMatchObject({
      smsSources: ['idp_mfa', 'directory'],
      newPhoneDays: 14,
    });
    const page = await (await t.request('/admin/policies', { as: alex })).text();
    expect(page).toContain(
      'SMS to numbers from an MFA method at the identity provider or the directory, a number changed in the last 14 days counts as new.',
    );
    expect(page).toContain('<legend>Text codes only to mobile numbers from</legend>');
    for (const bad of [{ smsSources: [] }, { smsSources: ['carrier'] }, { newPhoneDays: 366 }]) {
      expect((await put('cust-fabrikam', { settings: bad })).status).toBe(400);
    }
    expect((await put('cust-fabrikam', { settings: { smsSources: 'any', newPhoneDays: 7 } })).status).toBe(
      200,
    );
  });

  it('clears the failed checks an end-user piled up, for an administrator, with a reason on file', async () => {
    const started = await json(
      await t.request('/api/verifications', {
        method: 'POST',
        as: sam,
        json: { ticketId: '1002', method: 'sms' },
      }),
    );
    const wrong = t.codeSentTo('+15550100002').replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    for (let i = 0; i < 2; i++) {
      await t.request(`/api/verifications/${started.session.id}/check`, {
        method: 'POST',
        as: sam,
        json: { code: wrong },
      });
    }
    const path = '/api/admin/end-users/eu-ben/unlock';
    expect((await t.request(path, { method: 'POST', as: sam, json: { reason: 'called back' } })).status).toBe(
      403,
    );
    expect((await t.request(path, { method: 'POST', as: alex, json: { reason: 'no' } })).status).toBe(400);
    const nobody = { method: 'POST', as: alex, json: { reason: 'called back' } } as const;
    expect((await t.request('/api/admin/end-users/eu-nobody/unlock', nobody)).status).toBe(404);
    const res = await t.request(path, {
      method: 'POST',
      as: alex,
      json: { reason: 'Ben called from his desk phone' },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ failuresBefore: 2 });
    const record = (await auditTrail(t.services)).find((r) => r.action === 'unlock');
    expect(record).toMatchObject({
      actor: { id: 'admin-demo' },
      detail: { endUserId: 'eu-ben', reason: 'Ben called from his desk phone' },
    });
  });
});
