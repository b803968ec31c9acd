import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from './app.js';
import { composeDemo } from './compose.js';
import { readEnv } from './config.js';
import {
  auditTrail,
  type Browser,
  json,
  ORIGIN,
  startTestApp,
  type TestApp,
} from './test-app.test-helpers.js';

// The limits every route keeps before its own checks run: the body cap, forms that cannot be read, where sign-in may
// send the browser, cookies of one kind read as the other, and an administrator ending someone's sign-ins.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const form = (path: string, body: string, headers: Record<string, string>) =>
  t.app.request(`${ORIGIN}${path}`, { method: 'POST', headers: { origin: ORIGIN, ...headers }, body });

describe('bodies', () => {
  it('refuses a body past the cap on an anonymous route before reading it, with 413 in words', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const res = await form('/login', big, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(413);
    expect((await json(res)).error.message).toBe('Body too large: at most 64 KiB.');
  });

  it('counts a streamed body without a length too', async () => {
    const chunk = new TextEncoder().encode('y'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 64)
          controller.enqueue(chunk); // 1 MiB in all, far past the cap
        else controller.close();
      },
    });
    const res = await t.app.request(`${ORIGIN}/api/verifications`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half', // what a streamed request body needs
    });
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(64); // it stopped reading once past the cap
  });

  it('answers a malformed multipart sign-in form with 400 and a page, not a 500', async () => {
    const res = await form('/login', '--nope\r\ngarbage', {
      'content-type': 'multipart/form-data; boundary=something-else',
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('The form could not be read; send it again.');
    expect(page).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('where sign-in sends the browser', () => {
  for (const next of [
    '//evil.example/phish',
    '/\\evil.example',
    'https://evil.example/',
    '/%0d%0aSet-Cookie:x',
  ])
    it(`never off this origin: ${JSON.stringify(next)} goes home`, async () => {
      const res = await form('/login', new URLSearchParams({ staff: 'tech-demo', next }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    });
});

describe('cookies', () => {
  it("never reads one kind's cookie as the other's", async () => {
    const ana = await t.endUser('eu-ana');
    const value = ana.cookie.split('=').slice(1).join('=');
    const asTechnician = await t.request('/api/verifications/vs_any', {
      headers: { cookie: `qd_tech=${value}` },
    });
    expect(asTechnician.status).toBe(401);
  });
});

describe('Web Push subscriptions', () => {
  const subscribe = async (as: Browser, endpoint: string) =>
    t.request('/api/self-serve/device', {
      method: 'POST',
      as,
      json: {
        deviceId: 'web-ssrf',
        permission: 'granted',
        subscription: { endpoint, keys: { p256dh: 'p', auth: 'a' } },
      },
    });

  it("are kept only when they name a browser push service, never a loopback, private or anyone else's address", async () => {
    const ana = await t.endUser('eu-ana');
    for (const endpoint of [
      'https://127.0.0.1/push',
      'https://[::1]/push',
      'https://10.0.0.7/push',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost/push',
      'https://evil.example/push',
      'https://fcm.googleapis.com.evil.example/fcm/send/x',
      'https://fcm.googleapis.com:8443/fcm/send/x',
      'https://user:pw@fcm.googleapis.com/fcm/send/x',
      'https://notify.windows.com.evil.example/w/?token=x',
    ]) {
      const res = await subscribe(ana, endpoint);
      expect(res.status, endpoint).toBe(400);
      expect((await json(res)).error.message, endpoint).toContain("must be a browser push service's address");
    }
    const stored = async () =>
      (await t.services.directory.getById(t.services.tenantId, 'eu-ana'))?.devices.find(
        (d) => d.id === 'web-ssrf',
      );
    expect(await stored()).toBeUndefined();
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc123',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://web.push.apple.com/QAbc',
      'https://wns2-by3p.notify.windows.com/w/?token=abc',
    ]) {
      expect((await subscribe(ana, endpoint)).status, endpoint).toBe(200);
      expect(JSON.parse((await stored())!.pushAddress).endpoint).toBe(endpoint);
    }
  });
});

describe('cookies over https (PUBLIC_URL https://...)', () => {
  it('are __Host- cookies, Secure, SameSite=None and Partitioned, and sign in as such', async () => {
    const env = readEnv({ PORT: '0', PUBLIC_URL: 'https://qdesk.msp.example' });
    const services = await composeDemo(env, { quiet: true, stores: { kind: 'memory' } });
    try {
      const { app } = createApp(services, env);
      const origin = 'https://qdesk.msp.example';
      const signIn = await app.request(`${origin}/login`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'staff=tech-demo&next=/',
      });
      const set = signIn.headers.get('set-cookie') ?? '';
      expect(set).toMatch(
        /^__Host-qd_tech=[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=None; Partitioned$/,
      );
      const cookie = set.split(';')[0]!;
      expect((await app.request(`${origin}/history`, { headers: { cookie } })).status).toBe(200);
      // The same value under the plain name is not a sign-in: only the host-only cookie counts.
      const plain = cookie.replace('__Host-', '');
      expect(
        (await app.request(`${origin}/api/verifications/vs_any`, { headers: { cookie: plain } })).status,
      ).toBe(401);
    } finally {
      await services.close();
    }
  });
});

describe('POST /api/admin/sign-ins/revoke', () => {
  let admin: Browser;
  beforeAll(async () => {
    admin = await t.staff('admin-demo');
  });

  it("ends every sign-in of that person at once, and puts it on the audit trail with the administrator's reason", async () => {
    const jo = await t.staff('tech-jo');
    const joAgain = await t.staff('tech-jo'); // a second browser
    const res = await t.request('/api/admin/sign-ins/revoke', {
      method: 'POST',
      as: admin,
      json: { kind: 'technician', subject: 'tech-jo', reason: 'Laptop stolen' },
    });
    expect(await json(res)).toEqual({ revoked: 2 });
    for (const browser of [jo, joAgain])
      expect((await t.request('/api/verifications/vs_any', { as: browser })).status).toBe(401);
    expect((await auditTrail(t.services)).at(-1)).toMatchObject({
      action: 'revoke_sign_ins',
      actor: { type: 'technician', id: 'admin-demo', name: 'Alex Morgan' },
      detail: { kind: 'technician', subject: 'tech-jo', revoked: 2, reason: 'Laptop stolen' },
    });
  });

  it('is for administrators only, and wants a reason', async () => {
    const sam = await t.staff('tech-demo');
    const body = { kind: 'end_user', subject: 'eu-ana', reason: 'Phone lost' };
    expect(
      (await t.request('/api/admin/sign-ins/revoke', { method: 'POST', as: sam, json: body })).status,
    ).toBe(403);
    const noReason = await t.request('/api/admin/sign-ins/revoke', {
      method: 'POST',
      as: admin,
      json: { ...body, reason: '' },
    });
    expect(noReason.status).toBe(400);
  });
});
