import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_END_USER_CLIENT,
  DEV_END_USERS,
  DEV_STAFF,
  DEV_TECHNICIAN_CLIENT,
} from '../dev/dev-idp-setup.js';
import { startTestIdp, type TestIdp } from '../dev/test-idp.js';
import { signInAtIdp } from './idp-sign-in.test-helpers.js';
import { personId } from './oidc.js';
import { SIGN_IN_LIMITS } from './sign-in.js';
import { auditTrail, ORIGIN, startTestApp, type TestApp } from './test-app.test-helpers.js';

// Sign-in through a real OpenID Connect provider (the test identity provider on a loopback port), over HTTP: every
// way an answer can come back wrong, and the end-users' sign-in per customer. The browser version of the happy path
// is e2e/framed-insight.e2e.test.ts.

const PUBLIC_URL = 'http://127.0.0.1:3000';

describe('OpenID Connect sign-in against a real provider', () => {
  let idp: TestIdp;
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-oidc-'));

  beforeAll(async () => {
    idp = await startTestIdp({
      clients: [DEV_TECHNICIAN_CLIENT, DEV_END_USER_CLIENT],
      users: [...DEV_STAFF, ...DEV_END_USERS],
    });
    const idpFile = join(dir, 'idps.json');
    writeFileSync(
      idpFile,
      JSON.stringify([
        {
          customerId: 'cust-northwind',
          name: 'Northwind',
          issuer: idp.issuer,
          clientId: DEV_END_USER_CLIENT.clientId,
          clientSecret: DEV_END_USER_CLIENT.clientSecret,
        },
      ]),
    );
    t = await startTestApp({
      PUBLIC_URL,
      QDESK_OIDC_ISSUER: idp.issuer,
      QDESK_OIDC_CLIENT_ID: DEV_TECHNICIAN_CLIENT.clientId,
      QDESK_OIDC_CLIENT_SECRET: DEV_TECHNICIAN_CLIENT.clientSecret,
      QDESK_END_USER_IDP_FILE: idpFile,
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, cookie = '') => t.app.request(`${ORIGIN}${path}`, { headers: { cookie } });
  const cookieNamed = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`))
      ?.split(';')[0];

  /** The app's start, then the provider (sign-in and consent), up to the callback the provider redirects to. */
  async function toCallback(start: string, login: string, decision: 'allow' | 'deny' = 'allow') {
    const res = await get(start);
    expect(res.status).toBe(303);
    const flow = cookieNamed(res, 'qd_flow')!;
    expect(flow).toBeDefined();
    const back = await signInAtIdp(res.headers.get('location')!, login, decision);
    return { flow, callback: `${back.pathname}${back.search}` };
  }
  const failureOf = async (res: Response) => /data-failure="([a-z_]+)"/.exec(await res.text())?.[1];

  it("signs a technician in as the provider's issuer and subject, with the role its claim gives, audited", async () => {
    const { flow, callback } = await toCallback('/auth/start?next=%2Fhistory', 'jo.park@qdesk-msp.example');
    const done = await get(callback, flow);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/history');
    const cookie = cookieNamed(done, 'qd_tech')!;
    const me = await t.services.stores.signIns.get(
      (await import('node:crypto'))
        .createHash('sha256')
        .update(decodeURIComponent(cookie.split('=')[1]!).split('.')[1]!)
        .digest('hex'),
      t.clock.now(),
    );
    expect(me).toMatchObject({
      subject: personId(idp.issuer, 'tech-jo'),
      name: 'Jo Park',
      role: 'technician',
      email: 'jo.park@qdesk-msp.example',
    });
    expect((await auditTrail(t.services)).at(-1)).toMatchObject({
      action: 'sign_in',
      actor: { type: 'technician', id: personId(idp.issuer, 'tech-jo'), name: 'Jo Park' },
      detail: { role: 'technician', method: 'oidc' },
    });
    expect((await get('/history', cookie)).status).toBe(200);
  });

  it('refuses a denied consent, a person without a role, and says what to do', async () => {
    const denied = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example', 'deny');
    const refused = await get(denied.callback, denied.flow);
    expect(refused.status).toBe(400);
    expect(await failureOf(refused)).toBe('denied');
    expect(cookieNamed(refused, 'qd_tech')).toBeUndefined();

    const noRole = await toCallback('/auth/start', 'reception@qdesk-msp.example');
    const res = await get(noRole.callback, noRole.flow);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your account has no QDesk role. Ask your administrator to give you');
    expect(cookieNamed(res, 'qd_tech')).toBeUndefined();
    expect((await auditTrail(t.services)).at(-1)).toMatchObject({
      action: 'sign_in_refused',
      detail: { reason: 'no_role' },
    });
  });

  it("refuses an ID token for another audience, expired, from another issuer or with another sign-in's nonce", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const mutate of [
      (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-app' }),
      (claims: Record<string, unknown>) => ({ ...claims, exp: now - 600 }),
      (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://evil.example' }),
      (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-this-one' }),
    ]) {
      const { flow, callback } = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
      idp.tamperNextIdToken(mutate);
      const res = await get(callback, flow);
      expect(res.status).toBe(400);
      expect(await failureOf(res)).toBe('rejected');
      expect(cookieNamed(res, 'qd_tech')).toBeUndefined();
    }
  });

  it('refuses a replayed callback: with the flow cookie copied (state spent), and without it', async () => {
    const { flow, callback } = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
    expect((await get(callback, flow)).status).toBe(303);
    const replayed = await get(callback, flow);
    expect(replayed.status).toBe(400);
    expect(await failureOf(replayed)).toBe('replayed');
    const noCookie = await get(callback);
    expect(await failureOf(noCookie)).toBe('expired');
    // A callback with someone else's state (a login CSRF) finds no flow of this browser's either.
    const other = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
    const mixed = await get(
      other.callback,
      (await toCallback('/auth/start', 'jo.park@qdesk-msp.example')).flow,
    );
    expect(await failureOf(mixed)).toBe('rejected');
    expect(cookieNamed(mixed, 'qd_tech')).toBeUndefined();
  });

  it('refuses a flow cookie that was tampered with or has expired', async () => {
    const { flow, callback } = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
    const [name, value] = flow.split('=') as [string, string];
    const flipped = `${name}=${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}${value.slice(-1)}`;
    expect(await failureOf(await get(callback, flipped))).toBe('expired');
    const late = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
    t.clock.advance(11 * 60_000);
    expect(await failureOf(await get(late.callback, late.flow))).toBe('expired');
  });

  it('goes only to a same-origin path after sign-in', async () => {
    for (const next of ['//evil.example/phish', '/\\evil.example', 'https://evil.example/']) {
      const { flow, callback } = await toCallback(
        `/auth/start?next=${encodeURIComponent(next)}`,
        'sam.rivera@qdesk-msp.example',
      );
      const res = await get(callback, flow);
      expect(res.headers.get('location')).toBe('/');
    }
  });

  it("hands a pop-up's sign-in to the frame that holds the secret, and to nobody else", async () => {
    const secret = 'a'.repeat(43);
    const { flow, callback } = await toCallback(
      `/auth/start?handoff=${secret}`,
      'sam.rivera@qdesk-msp.example',
    );
    const claim = (s: string) =>
      t.app.request(`${ORIGIN}/auth/handoff`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ secret: s }),
      });
    expect((await claim(secret)).status).toBe(202); // not signed in yet
    const popup = await get(callback, flow);
    expect(popup.status).toBe(200);
    expect(await popup.text()).toContain('You are signed in as Sam Rivera');
    expect(cookieNamed(popup, 'qd_tech')).toBeUndefined(); // the pop-up's cookie would not reach the frame
    expect((await claim('b'.repeat(43))).status).toBe(202);
    expect((await claim('short')).status).toBe(400);
    const claimed = await claim(secret);
    expect(claimed.status).toBe(200);
    const cookie = cookieNamed(claimed, 'qd_tech')!;
    expect(await (await get('/insight?ticketId=1001', cookie)).text()).toContain('Sam Rivera');
    // Unclaimed, it lapses: a frame that never asks leaves nothing usable behind.
    const other = 'c'.repeat(43);
    const late = await toCallback(`/auth/start?handoff=${other}`, 'sam.rivera@qdesk-msp.example');
    expect((await get(late.callback, late.flow)).status).toBe(200);
    t.clock.advance(6 * 60_000);
    expect((await claim(other)).status).toBe(202);
  });

  it('signs an end-user in with their company’s provider, only among that customer’s end-users', async () => {
    const page = await (await get('/self-serve/auth/start?customer=cust-northwind')).status;
    expect(page).toBe(303);
    const ana = await toCallback(
      '/self-serve/auth/start?customer=cust-northwind',
      'ana.silva@northwind.example',
    );
    const res = await get(ana.callback, ana.flow);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/self-serve');
    const cookie = cookieNamed(res, 'qd_eu')!;
    expect(await (await get('/self-serve', cookie)).text()).toContain('Hi Ana Silva');
    expect((await auditTrail(t.services)).at(-1)).toMatchObject({
      action: 'end_user_signed_in',
      endUserId: 'eu-ana',
      detail: { method: 'oidc', customerId: 'cust-northwind' },
    });
    // Chloé works at Contoso: Northwind's provider vouching for her signs nobody in.
    const chloe = await toCallback(
      '/self-serve/auth/start?customer=cust-northwind',
      'Chloe.Martin@contoso-dental.example',
    );
    const refused = await get(chloe.callback, chloe.flow);
    expect(refused.status).toBe(403);
    expect(cookieNamed(refused, 'qd_eu')).toBeUndefined();
    expect((await get('/self-serve/auth/start?customer=cust-nobody')).status).toBe(404);
    // A technician's flow cannot finish as an end-user's, nor the other way round.
    const crossed = await toCallback('/auth/start', 'sam.rivera@qdesk-msp.example');
    const wrongDoor = await t.app.request(
      `${ORIGIN}/self-serve/auth/callback${new URL(crossed.callback, ORIGIN).search}`,
      {
        headers: { cookie: crossed.flow },
      },
    );
    expect(await failureOf(wrongDoor)).toBe('expired');
  });

  it('throttles an address after too many failed sign-ins', async () => {
    const before = await t.services.stores.counters.count(
      t.services.tenantId,
      'sign-in-failed:address:unknown',
      { windowMs: SIGN_IN_LIMITS.windowMs, now: t.clock.now() },
    );
    for (let i = before; i < SIGN_IN_LIMITS.perAddress; i++) {
      expect(await failureOf(await get('/auth/callback?code=x&state=y'))).toBe('expired');
    }
    const refused = await get('/auth/callback?code=x&state=y');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('900');
  });
});

describe('an identity provider that cannot be reached', () => {
  it('answers 502 with a page that says to try again, and tries discovery again next time', async () => {
    const t = await startTestApp({
      PUBLIC_URL,
      QDESK_OIDC_ISSUER: 'http://127.0.0.1:9',
      QDESK_OIDC_CLIENT_ID: 'c',
      QDESK_OIDC_CLIENT_SECRET: 's',
    });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await t.app.request(`${ORIGIN}/auth/start`);
        expect(res.status).toBe(502);
        expect(await res.text()).toContain('could not be reached; try again in a minute');
      }
    } finally {
      await t.close();
    }
  });
});
