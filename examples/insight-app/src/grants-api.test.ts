import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditTrail,
  type Browser,
  json,
  ORIGIN,
  startTestApp,
  type TestApp,
} from './test-app.test-helpers.js';

let t: TestApp;
let sam: Browser;
let jo: Browser;
beforeAll(async () => {
  t = await startTestApp();
  [sam, jo] = await Promise.all([t.staff('tech-demo'), t.staff('tech-jo')]);
});
afterAll(() => t.close());

const post = (path: string, body: unknown, as: Browser | null = sam) =>
  t.request(path, { method: 'POST', json: body, as });
const ask = (body: object, as: Browser | null = sam) =>
  post('/api/grants', { endUserId: 'eu-ana', ticketId: '1001', action: 'reset_password', ...body }, as);
/** The reset tool: a server with its bearer token, no cookie and no Origin. */
const tool = (body: unknown, token: string | null = t.services.resetToolToken) =>
  t.app.request(`${ORIGIN}/api/grants/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

/** Verifies Ana on ticket 1001 by SMS, as Sam: the caller reads the code back. */
async function verifyAna() {
  t.clock.advance(1000); // the newest approval is the one a grant is for
  const started = await json(
    await post('/api/verifications', { ticketId: '1001', method: 'sms', ifActive: 'supersede' }),
  );
  const code = t.codeSentTo('+15550100001');
  const checked = await json(await post(`/api/verifications/${started.session.id}/check`, { code }));
  expect(checked.session.status).toBe('approved');
}

describe('POST /api/grants: the technician asks for the right to reset', () => {
  it('needs a signed-in technician and the CSRF token, and a well-formed request', async () => {
    expect((await ask({}, null)).status).toBe(401);
    expect((await ask({}, { ...sam, csrf: 'forged' })).status).toBe(403);
    for (const bad of [{ action: 'Reset Password!' }, { ticketId: 'abc' }, { extra: 1 }]) {
      const res = await ask(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await json(res)).error.code).toBe('input_invalid');
    }
  });

  it('refuses (403 not_verified, saying what to do) until the caller was verified on that ticket', async () => {
    const res = await ask({});
    expect(res.status).toBe(403);
    const { error } = await json(res);
    expect(error.code).toBe('not_verified');
    expect(error.message).toMatch(/Verify the caller first/);
  });

  it('grants once per verification and action, only to the technician who verified', async () => {
    await verifyAna();
    expect((await ask({}, jo)).status).toBe(403); // Jo did not run that verification
    const res = await ask({});
    expect(res.status).toBe(201);
    const { grant, claims } = await json(res);
    expect(grant).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(claims).toMatchObject({
      endUserId: 'eu-ana',
      ticketId: '1001',
      technicianId: 'tech-demo',
      action: 'reset_password',
      customerId: 'cust-northwind',
    });
    expect((await ask({})).status).toBe(403); // the same verification does not mint a second one
    expect((await ask({ action: 'reset_mfa' })).status).toBe(201); // another action is its own grant
  });
});

describe('POST /api/grants/verify: the reset tool checks a grant before it acts', () => {
  let grant: string;
  beforeAll(async () => {
    await verifyAna();
    grant = (await json(await ask({}))).grant;
  });

  it('needs the reset tool bearer token (401 otherwise), not a technician cookie', async () => {
    for (const token of [null, 'wrong-token', `${t.services.resetToolToken}x`]) {
      const res = await tool({ grant, action: 'reset_password' }, token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    const asTechnician = await t.request('/api/grants/verify', {
      method: 'POST',
      as: sam,
      json: { grant, action: 'reset_password' },
    });
    expect(asTechnician.status).toBe(401);
  });

  it('answers bad bodies with 400 and a grant for another action, end-user or ticket with 403', async () => {
    expect((await tool({ grant })).status).toBe(400);
    expect((await tool({ grant, action: 'reset_password', tenantId: 'other' })).status).toBe(400);
    for (const wrong of [{ action: 'reset_mfa' }, { endUserId: 'eu-ben' }, { ticketId: '1002' }]) {
      const res = await tool({ grant, action: 'reset_password', ...wrong });
      expect(res.status, JSON.stringify(wrong)).toBe(403);
      expect((await json(res)).error.code).toBe('grant_invalid');
    }
    expect((await tool({ grant: 'not.a.grant', action: 'reset_password' })).status).toBe(403);
  });

  it('accepts a valid grant once: the reset may go ahead, a replay is refused', async () => {
    const check = { grant, action: 'reset_password', endUserId: 'eu-ana', ticketId: '1001' };
    const ok = await tool(check);
    expect(ok.status).toBe(200);
    expect((await json(ok)).claims).toMatchObject({ endUserId: 'eu-ana', action: 'reset_password' });
    const replay = await tool(check);
    expect(replay.status).toBe(403);
    expect((await json(replay)).error.code).toBe('grant_invalid');
  });

  it('never writes a grant into the audit trail', async () => {
    expect(JSON.stringify(await auditTrail(t.services))).not.toContain(grant);
    expect((await auditTrail(t.services)).some((r) => r.action === 'grant_used')).toBe(true);
  });

  it('is off (404) when no reset tool token is configured', async () => {
    const token = t.services.resetToolToken;
    t.services.resetToolToken = null;
    try {
      expect((await tool({ grant, action: 'reset_password' }, 'anything')).status).toBe(404);
    } finally {
      t.services.resetToolToken = token;
    }
  });
});
