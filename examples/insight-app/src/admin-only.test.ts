import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, json, startTestApp, type TestApp } from './test-app.test-helpers.js';

// Every administrator's route, found from the app's own routing table rather than listed by hand (a route added later
// is covered without editing this file): a technician, signed in with a valid CSRF token, is refused each one.

describe('administrator-only routes', () => {
  let t: TestApp;
  let sam: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    sam = await t.staff('tech-demo');
  });
  afterAll(() => t?.close());

  it('refuses a technician every /api/admin route and every /admin page, changing nothing', async () => {
    const { app } = t;
    const routes = app.routes
      .filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/admin/') || r.path.startsWith('/admin/')))
      .map((r) => ({ method: r.method, path: r.path.replace(/:([A-Za-z]+)/g, 'x-$1').replace('/*', '/x') }));
    const unique = [...new Map(routes.map((r) => [`${r.method} ${r.path}`, r])).values()];
    // The routes this issue names are among them: matching, policies and risk acceptances, unlocks, revocations.
    expect(unique.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/admin/contacts/link',
        'POST /api/admin/companies/confirm',
        'PUT /api/admin/policies/x-customerId',
        'POST /api/admin/end-users/x-id/unlock',
        'POST /api/admin/sign-ins/revoke',
        'GET /admin/matching',
        'GET /admin/policies',
      ]),
    );
    expect(unique.length).toBeGreaterThanOrEqual(16);
    const before = (await t.services.audit.query!(t.services.tenantId, { limit: 100_000 })).length;
    for (const { method, path } of unique) {
      const res = await t.request(path, { method, as: sam, ...(method === 'GET' ? {} : { json: {} }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      if (path.startsWith('/api/'))
        expect((await json(res)).error.code, `${method} ${path}`).toBe('forbidden');
    }
    expect((await t.services.audit.query!(t.services.tenantId, { limit: 100_000 })).length).toBe(before);
  });
});
