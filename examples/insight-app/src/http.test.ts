import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { type AppServices, composeDemo } from './compose.js';
import { readEnv } from './config.js';

let services: AppServices;
let app: ReturnType<typeof createApp>['app'];
const ORIGIN = 'http://127.0.0.1';
let cookie = '';
let csrf = '';

async function request(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set('origin', ORIGIN);
  if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return app.request(`${ORIGIN}${path}`, { ...init, headers, body });
}
const techPost = (path: string, json?: unknown, raw?: string) =>
  request(path, {
    method: 'POST',
    headers: { 'x-csrf-token': csrf, ...(raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : { json }),
  });

beforeAll(async () => {
  const env = readEnv({ PORT: '0' });
  services = await composeDemo(env, { quiet: true, stores: { kind: 'memory' } });
  app = createApp(services, env).app;
  // Demo mode signs the first visitor in as the demo technician; the Insight page carries the CSRF token.
  const home = await request('/');
  cookie = (home.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await request('/insight?ticketId=1001')).text();
  csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
});
afterAll(() => services.close());

/** A fresh SMS verification on ticket 1001: the ticket keeps one at a time, so each replaces the one before. */
const startSms = async () => {
  const res = await techPost('/api/verifications', {
    ticketId: '1001',
    method: 'sms',
    ifActive: 'supersede',
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { session: { id: string } }).session.id;
};

describe('insight-app HTTP: hostile input gets a clear 4xx and changes nothing', () => {
  it('starts a verification for a signed-in technician with a CSRF token', async () => {
    const id = await startSms();
    const res = await request(`/api/verifications/${id}`);
    expect(await res.json()).toMatchObject({ session: { id, status: 'sent' } });
  });

  it('refuses technician calls without sign-in or without the CSRF token, the same for any email', async () => {
    for (const email of ['ana.silva@northwind.example', 'nobody@nowhere.example']) {
      const anonymous = await request('/api/verifications', {
        method: 'POST',
        headers: { cookie: 'x=1' },
        json: { email, method: 'sms' },
      });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({
        error: { code: 'http_401', message: 'Sign in as a technician first.' },
      });
    }
    const noToken = await request('/api/verifications', {
      method: 'POST',
      json: { ticketId: '1001', method: 'sms' },
    });
    expect(noToken.status).toBe(403);
    const wrongToken = await request('/api/verifications', {
      method: 'POST',
      headers: { 'x-csrf-token': 'forged' },
      json: { ticketId: '1001', method: 'sms' },
    });
    expect(wrongToken.status).toBe(403);
    const forgedCookie = await request('/api/verifications/vs_x', {
      headers: { cookie: 'qd_tech=%7B%22id%22%3A%22x%22%7D.forged' },
    });
    expect(forgedCookie.status).toBe(401);
  });

  it('answers malformed, oversized and injected bodies with 400 and a message naming the field', async () => {
    const bad: [unknown, string | undefined][] = [
      [undefined, '{not json'],
      [null, undefined],
      [[], undefined],
      [{ ticketId: 1001, method: 'sms' }, undefined],
      [{ ticketId: '1001' }, undefined],
      [{ ticketId: '1001', method: 'fax' }, undefined],
      [{ ticketId: 'abc', method: 'sms' }, undefined],
      [{ ticketId: '<script>alert(1)</script>', method: 'sms' }, undefined],
      [{ email: '<script>@x', method: 'sms' }, undefined],
      [{ ticketId: '1'.repeat(5000), method: 'sms' }, undefined],
      [{ email: `${'a'.repeat(300)}@example.com`, method: 'sms' }, undefined],
      [{ ticketId: '1001', method: 'sms', extra: true }, undefined],
      [{ method: 'sms' }, undefined],
    ];
    for (const [json, raw] of bad) {
      const res = await techPost('/api/verifications', json, raw);
      expect(res.status, JSON.stringify(json)).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('input_invalid');
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('maps domain refusals to 4xx: missing contact 422, unknown ticket 404, unknown session 404, closed 409', async () => {
    expect((await techPost('/api/verifications', { ticketId: '1005', method: 'sms' })).status).toBe(422);
    expect((await techPost('/api/verifications', { ticketId: '987654', method: 'sms' })).status).toBe(404);
    expect((await request('/api/verifications/vs_doesnotexist')).status).toBe(404);
    expect((await techPost('/api/verifications/vs_doesnotexist/check', { code: '123456' })).status).toBe(404);
    expect((await request('/api/verifications/..%2F..%2Fetc')).status).toBe(400);
    const id = await startSms();
    expect((await techPost(`/api/verifications/${id}/deny`)).status).toBe(200);
    const again = await techPost(`/api/verifications/${id}/approve`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('session_closed');
  });

  it('bad codes are 400 and do not count; the stored session is unchanged', async () => {
    const id = await startSms();
    const before = await services.verifier.getSession({
      actor: { tenantId: services.tenantId, technicianId: 'tech-demo', technicianName: 'Sam Rivera' },
      sessionId: id,
    });
    for (const code of ['12', 'abcdef', '１２３４５６', '<script>', '1'.repeat(40)]) {
      expect((await techPost(`/api/verifications/${id}/check`, { code })).status).toBe(400);
    }
    expect((await techPost(`/api/verifications/${id}/check`, { code: 123456 })).status).toBe(400);
    expect((await techPost(`/api/verifications/${id}/check`, undefined, '[')).status).toBe(400);
    const after = await services.verifier.getSession({
      actor: { tenantId: services.tenantId, technicianId: 'tech-demo', technicianName: 'Sam Rivera' },
      sessionId: id,
    });
    expect(after).toEqual(before);
  });

  it("another tenant's session id is not found, and nothing about it changes", async () => {
    services.directory.put({
      id: 'eu-other',
      tenantId: 'other-msp',
      email: 'x@other.example',
      displayName: 'Other',
      mobilePhone: '+15550109999',
      devices: [],
    });
    const other = { tenantId: 'other-msp', technicianId: 't', technicianName: 'Other Tech' };
    const { session } = await services.verifier.startForEndUser({ actor: other, endUserId: 'eu-other' });
    await services.verifier.send({ actor: other, sessionId: session.id, method: 'sms' });
    expect((await request(`/api/verifications/${session.id}`)).status).toBe(404);
    for (const action of ['approve', 'deny', 'cancel']) {
      expect((await techPost(`/api/verifications/${session.id}/${action}`)).status).toBe(404);
    }
    expect((await techPost(`/api/verifications/${session.id}/check`, { code: '123456' })).status).toBe(404);
    expect((await request(`/api/verifications/${session.id}/events`)).status).toBe(404);
    expect((await services.verifier.getSession({ actor: other, sessionId: session.id })).status).toBe('sent');
  });

  it('end-user endpoints need the end-user sign-in and a real challenge token', async () => {
    expect((await request('/api/self-serve/pending', { headers: { cookie: 'x=1' } })).status).toBe(401);
    const signIn = await request('/self-serve/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'x=1' },
      body: 'endUserId=eu-ana',
    });
    expect(signIn.status).toBe(303);
    const eu = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const res = await techPost('/api/verifications', {
      ticketId: '1001',
      method: 'number_match',
      ifActive: 'supersede',
    });
    expect(res.status).toBe(201);
    const { session } = (await res.json()) as { session: { id: string } };
    const asEndUser = (path: string, json: unknown) =>
      request(path, { method: 'POST', headers: { cookie: eu }, json });
    for (const json of [
      { sessionId: session.id, token: 'forged', answer: 'approve' },
      { sessionId: session.id, token: 'A'.repeat(43), answer: 'approve' },
    ]) {
      expect((await asEndUser('/api/self-serve/answer', json)).status).toBe(403);
    }
    for (const json of [
      {},
      { sessionId: session.id },
      { sessionId: '<x>', token: 't', answer: 'approve' },
      { sessionId: session.id, token: 't', answer: 'explode' },
    ]) {
      expect((await asEndUser('/api/self-serve/answer', json)).status).toBe(400);
    }
    expect(
      (await asEndUser('/api/self-serve/device', { deviceId: 'web-1', permission: 'maybe' })).status,
    ).toBe(400);
    expect(
      (
        await asEndUser('/api/self-serve/device', {
          deviceId: 'web-1',
          permission: 'granted',
          subscription: { endpoint: 'http://insecure.example', keys: { p256dh: 'x', auth: 'y' } },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await services.verifier.getSession({
          actor: { tenantId: services.tenantId, technicianId: 'tech-demo', technicianName: 'Sam Rivera' },
          sessionId: session.id,
        })
      ).status,
    ).toBe('awaiting_push');
    const pending = (await (
      await request('/api/self-serve/pending', { headers: { cookie: eu } })
    ).json()) as { challenges: { challengeId: string }[] };
    expect(pending.challenges.map((c) => c.challengeId)).toContain(session.id);
  });

  it('forms from another origin are refused', async () => {
    const res = await app.request(`${ORIGIN}/self-serve/sign-in`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'endUserId=eu-ana',
    });
    expect(res.status).toBe(403);
  });

  it('pages: bad ticket ids are 400, injected filters are escaped, and framing is limited', async () => {
    expect((await request('/insight?ticketId=abc')).status).toBe(400);
    expect((await request('/insight?ticketId=%3Cscript%3E')).status).toBe(400);
    expect((await request('/insight')).status).toBe(400);
    const history = await request('/history?ticket=%3Cscript%3Ealert(1)%3C/script%3E');
    const html = await history.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    expect((await request(`/history?ticket=${'x'.repeat(500)}`)).status).toBe(400);
    const insight = await request('/insight?ticketId=1001');
    expect(insight.headers.get('content-security-policy')).toContain('frame-ancestors');
    expect(insight.headers.get('content-security-policy')).toContain('https://*.autotask.net');
    expect(insight.headers.get('x-frame-options')).toBeNull();
    const home = await request('/');
    expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(home.headers.get('x-frame-options')).toBe('DENY');
  });

  it('never answers 500 to any garbage on any route', async () => {
    const id = await startSms();
    const routes = [
      ['POST', '/api/verifications'],
      ['GET', `/api/verifications/${id}`],
      ['POST', `/api/verifications/${id}/check`],
      ['POST', `/api/verifications/${id}/approve`],
      ['POST', `/api/verifications/${id}/deny`],
      ['POST', `/api/verifications/${id}/cancel`],
      ['POST', `/api/verifications/${id}/take-over`],
      ['POST', '/api/reverse'],
      ['POST', '/api/grants'],
      ['POST', '/api/grants/verify'],
      ['GET', '/api/admin/policies'],
      ['PUT', '/api/admin/policies/cust-northwind'],
      ['POST', '/api/admin/end-users/eu-ana/unlock'],
      ['GET', '/admin/policies'],
      ['GET', '/api/self-serve/pending'],
      ['POST', '/api/self-serve/answer'],
      ['POST', '/api/self-serve/device'],
      ['POST', '/login'],
      ['POST', '/self-serve/sign-in'],
      ['GET', '/outbox'],
      ['GET', '/history'],
      ['GET', '/self-serve'],
      ['GET', '/nope'],
      ['GET', '/static/../../package.json'],
    ] as const;
    const bodies = [
      '',
      '{',
      'null',
      '"x"',
      '[1,2]',
      '{"a":{"b":{"c":[]}}}',
      JSON.stringify({ x: 'y'.repeat(100_000) }),
    ];
    for (const [method, path] of routes) {
      for (const raw of method === 'GET' ? [undefined] : bodies) {
        const res = await request(path, {
          method,
          headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
          ...(raw === undefined ? {} : { body: raw }),
        });
        expect(res.status, `${method} ${path} ${raw?.slice(0, 20)}`).toBeLessThan(500);
      }
    }
  });
});
