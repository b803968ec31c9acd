import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.js';
import { type AppServices, composeServices } from './compose.js';
import { readEnv } from './config.js';

// Real mode has no demo picker: an end-user gets into the self-serve app with a sign-in link. Here the app runs in
// real mode against the Autotask fake, with the real Twilio SMS channel (Twilio's endpoint answered at the HTTP
// boundary) and no email, so the link goes to the phone on file and points at PUBLIC_URL.

const PUBLIC_URL = 'https://qdesk.msp.example';
const ORIGIN = 'http://127.0.0.1';

const TWILIO = { accountSid: `AC${'0'.repeat(31)}1`, authToken: 'twilio-auth-token', from: '+15005550006' };
const TWILIO_MESSAGES = `https://api.twilio.com/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

/**
 * Twilio's Messages endpoint at the HTTP boundary: the real Twilio channel posts to it through the global `fetch`,
 * which answers as Twilio does (201 and a message sid) and keeps what was sent; every other request (the Autotask
 * fake) goes through untouched.
 */
function interceptTwilio() {
  const sent: { to: string; body: string }[] = [];
  const passThrough = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url !== TWILIO_MESSAGES) return passThrough(request);
    const form = new URLSearchParams(await request.text());
    sent.push({ to: form.get('To') ?? '', body: form.get('Body') ?? '' });
    return Response.json(
      { sid: `SM${String(sent.length).padStart(32, '0')}`, status: 'queued' },
      { status: 201 },
    );
  });
  return sent;
}

describe('sign-in links in real mode (no demo picker), by Twilio SMS', () => {
  let fake: AutotaskFakeServer;
  let sms: { to: string; body: string }[];
  let services: AppServices;
  let app: ReturnType<typeof createApp>['app'];
  let withoutPublicUrl: ReturnType<typeof createApp>['app'];
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-enrol-real-'));

  beforeAll(async () => {
    fake = await startAutotaskFake();
    sms = interceptTwilio();
    const directoryFile = join(dir, 'users.json');
    writeFileSync(
      directoryFile,
      JSON.stringify([
        {
          id: 'u-ana',
          email: 'ana.silva@northwind.example',
          displayName: 'Ana Silva',
          mobilePhone: '+15550100001',
          devices: [],
        },
        // No phone, and no email channel here: nothing can reach them.
        { id: 'u-dev', email: 'dev.patel@contoso.example', displayName: 'Dev Patel', mobilePhone: null },
      ]),
    );
    const variables = {
      PORT: '0',
      AUTOTASK_USERNAME: FAKE_CREDENTIALS.username,
      AUTOTASK_SECRET: FAKE_CREDENTIALS.secret,
      AUTOTASK_INTEGRATION_CODE: FAKE_CREDENTIALS.integrationCode,
      AUTOTASK_ZONE_URL: fake.zoneUrl,
      QDESK_SECRET: 'a-real-secret-of-at-least-32-characters!',
      // Technicians sign in with an identity provider; none does here, so it is never contacted.
      QDESK_OIDC_ISSUER: 'http://127.0.0.1:9',
      QDESK_OIDC_CLIENT_ID: 'qdesk',
      QDESK_OIDC_CLIENT_SECRET: 'not-used-here',
      QDESK_MSP_NAME: 'Acme IT',
      QDESK_DIRECTORY_FILE: directoryFile,
      QDESK_DATA_DIR: join(dir, 'data'),
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_FROM: TWILIO.from,
    };
    const env = readEnv({ ...variables, PUBLIC_URL });
    services = await composeServices(env);
    app = createApp(services, env).app;
    // Real mode's configuration requires PUBLIC_URL (the identity provider's redirect); were it missing anyway, the
    // form must not fall back to the request's Host.
    withoutPublicUrl = createApp(services, { ...env, PUBLIC_URL: undefined }).app;
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllGlobals();
    await services?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, cookie = '') =>
    app.request(`${ORIGIN}${path}`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie },
      body,
    });

  it('signs an end-user in with the link texted to the phone on file, where the demo sign-in does not exist', async () => {
    expect(services.demo).toBe(false);
    const signedOut = await app.request(`${ORIGIN}/self-serve`);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.text()).toContain('<a href="/self-serve/enrol">Get a sign-in link</a>');
    expect((await post('/self-serve/sign-in', 'endUserId=u-ana')).status).toBe(404);

    const asked = await post('/self-serve/enrol', 'email=ana.silva%40northwind.example');
    expect(asked.status).toBe(200);
    await vi.waitFor(() => expect(sms).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect(sms[0]!.to).toBe('+15550100001');
    // The link points at PUBLIC_URL, not at the Host the request named.
    const link = /https:\/\/qdesk\.msp\.example\/self-serve\/enrol\/[\w.-]+/.exec(sms[0]!.body)?.[0];
    expect(link, sms[0]!.body).toBeDefined();
    const path = new URL(link!).pathname;

    expect((await app.request(`${ORIGIN}${path}`)).status).toBe(200);
    const redeemed = await post(path, '');
    expect(redeemed.status).toBe(303);
    // PUBLIC_URL is https: the end-user cookie is a __Host- one.
    const cookie = (redeemed.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^__Host-qd_eu=/);
    const page = await (await app.request(`${ORIGIN}/self-serve`, { headers: { cookie } })).text();
    expect(page).toContain('Hi Ana Silva');
    expect((await post(path, '')).status).toBe(410);

    // A browser the end-user enrols is announced by SMS, with the self-serve page to remove it from.
    const enrolled = await app.request(`${ORIGIN}/api/self-serve/device`, {
      method: 'POST',
      headers: {
        origin: ORIGIN,
        cookie,
        'content-type': 'application/json',
        'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      },
      body: JSON.stringify({ deviceId: 'web-ana-1', permission: 'default' }),
    });
    expect(enrolled.status).toBe(200);
    expect(sms).toHaveLength(2);
    expect(sms[1]).toMatchObject({ to: '+15550100001' });
    expect(sms[1]!.body).toContain('Firefox on Windows');
    expect(sms[1]!.body).toContain(`${PUBLIC_URL}/self-serve`);
  });

  it('answers the same for an end-user nothing can reach, sends nothing, and audits why', async () => {
    const before = sms.length;
    const asked = await post('/self-serve/enrol', 'email=dev.patel%40contoso.example');
    expect(asked.status).toBe(200);
    const audited = async () =>
      (
        await services.audit.query(services.tenantId, {
          endUserId: 'u-dev',
          actions: ['enrolment_link_sent'],
        })
      )[0];
    await vi.waitFor(async () => expect(await audited()).toBeDefined(), { timeout: 5000, interval: 20 });
    expect(await audited()).toMatchObject({ result: 'no_route', detail: { route: null } });
    expect(sms).toHaveLength(before);
  });

  it("sends no link without PUBLIC_URL: the request's Host, which an outsider picks, would be the link's", async () => {
    const before = sms.length;
    for (const res of [
      await withoutPublicUrl.request(`${ORIGIN}/self-serve/enrol`),
      await withoutPublicUrl.request(`${ORIGIN}/self-serve/enrol`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=ana.silva%40northwind.example',
      }),
    ]) {
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('set PUBLIC_URL');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sms).toHaveLength(before);
  });
});
