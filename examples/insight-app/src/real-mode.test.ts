import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_STAFF, DEV_TECHNICIAN_CLIENT } from '../dev/dev-idp-setup.js';
import { startTestIdp, type TestIdp } from '../dev/test-idp.js';
import { createApp } from './app.js';
import { type AppServices, composeServices, selfServeUrlOf } from './compose.js';
import { EnvError, readEnv } from './config.js';
import { signInAtIdp } from './idp-sign-in.test-helpers.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
const RESET_TOOL_TOKEN = 'reset-tool-token-of-at-least-32-characters';
const GRAPH = {
  QDESK_GRAPH_TENANT_ID: 'contoso.example',
  QDESK_GRAPH_CLIENT_ID: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b',
  QDESK_GRAPH_CLIENT_SECRET: 'not-a-real-secret',
  QDESK_GRAPH_SENDER: 'it-verify@msp.example',
};

describe('configuration from the environment', () => {
  it('names every missing or malformed variable', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        readEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(EnvError);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(readEnv({}).PORT).toBe(3000);
    expect(attempt({ PORT: 'eighty' })).toContain('PORT');
    expect(attempt({ TWILIO_ACCOUNT_SID: 'AC1' })).toMatch(
      /TWILIO_AUTH_TOKEN: is required when other Twilio settings are set/,
    );
    expect(attempt({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' })).toContain('TWILIO_FROM');
    expect(attempt({ SMTP_HOST: 'mail.example', SMTP_FROM: 'not-an-email' })).toContain('SMTP_FROM');
    const real = attempt({ AUTOTASK_USERNAME: 'api@msp.example' });
    for (const name of [
      'AUTOTASK_SECRET',
      'AUTOTASK_INTEGRATION_CODE',
      'QDESK_SECRET',
      'QDESK_OIDC_ISSUER',
      'QDESK_DIRECTORY_FILE',
    ]) {
      expect(real).toContain(name);
    }
    expect(attempt({ QDESK_SECRET: 'short' })).toContain('QDESK_SECRET: must be at least 32 characters');
    expect(attempt({ QDESK_GRAPH_TENANT_ID: 'contoso.example' })).toMatch(
      /QDESK_GRAPH_CLIENT_ID: is required when other Microsoft Graph mail settings are set/,
    );
    expect(
      attempt({
        SMTP_HOST: 'mail.example',
        SMTP_FROM: 'it@msp.example',
        ...GRAPH,
      }),
    ).toContain('QDESK_GRAPH_TENANT_ID: email goes by SMTP or by Microsoft Graph, not both');
    // A shared password proved nothing about who signed in: setting one now fails start, saying what replaced it.
    expect(attempt({ QDESK_TECHNICIAN_PASSWORD: 'correct horse battery staple' })).toContain(
      'QDESK_TECHNICIAN_PASSWORD: was removed: technicians sign in with your identity provider now',
    );
    expect(attempt({ QDESK_OIDC_ISSUER: 'https://login.example/v2.0' })).toMatch(
      /QDESK_OIDC_CLIENT_ID: is required when other OpenID Connect settings are set[\s\S]*PUBLIC_URL: is required with QDESK_OIDC_ISSUER/,
    );
    expect(attempt({ QDESK_OIDC_TECHNICIAN_ROLE: 'same', QDESK_OIDC_ADMIN_ROLE: 'same' })).toContain(
      'QDESK_OIDC_ADMIN_ROLE: must differ from QDESK_OIDC_TECHNICIAN_ROLE',
    );
    expect(
      attempt({
        AUTOTASK_USERNAME: 'u',
        QDESK_OIDC_ISSUER: 'http://idp.msp.example',
        QDESK_OIDC_CLIENT_ID: 'c',
        QDESK_OIDC_CLIENT_SECRET: 's',
        PUBLIC_URL: 'https://qdesk.msp.example',
      }),
    ).toContain('QDESK_OIDC_ISSUER: must be https (plain http only on 127.0.0.1 or localhost)');
    expect(attempt({ QDESK_FRAME_ANCESTORS: 'http://evil.example' })).toContain('QDESK_FRAME_ANCESTORS');
    expect(attempt({ QDESK_RESET_TOOL_TOKEN: 'short' })).toContain('QDESK_RESET_TOOL_TOKEN');
    expect(attempt({ QDESK_MSP_NAME: 'x'.repeat(41) })).toContain('QDESK_MSP_NAME');
  });

  it('links reverse-check messages to the public self-serve page, or to the demo on a fixed port', () => {
    expect(selfServeUrlOf(readEnv({ PUBLIC_URL: 'https://qdesk.msp.example' }))).toEqual({
      selfServeUrl: 'https://qdesk.msp.example/self-serve',
    });
    expect(selfServeUrlOf(readEnv({ PORT: '3000' }))).toEqual({
      selfServeUrl: 'http://127.0.0.1:3000/self-serve',
    });
    expect(selfServeUrlOf(readEnv({ PORT: '0' }))).toEqual({});
  });
});

describe('real mode (Autotask credentials given), against the Autotask fake as the tenant', () => {
  let fake: AutotaskFakeServer;
  let idp: TestIdp;
  let services: AppServices;
  let app: ReturnType<typeof createApp>['app'];
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-real-'));
  const directoryFile = join(dir, 'users.json');
  /** Real mode's required variables but the directory file (never reaching Autotask: start-up fails first). */
  const MINIMAL_REAL = {
    AUTOTASK_USERNAME: 'u',
    AUTOTASK_SECRET: 's',
    AUTOTASK_INTEGRATION_CODE: 'c',
    QDESK_SECRET: 'a-real-secret-of-at-least-32-characters!',
    QDESK_OIDC_ISSUER: 'http://127.0.0.1:9',
    QDESK_OIDC_CLIENT_ID: 'c',
    QDESK_OIDC_CLIENT_SECRET: 's',
    PUBLIC_URL,
  };

  beforeAll(async () => {
    [fake, idp] = await Promise.all([
      startAutotaskFake(),
      startTestIdp({ clients: [DEV_TECHNICIAN_CLIENT], users: [...DEV_STAFF] }),
    ]);
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
      ]),
    );
    const env = readEnv({
      PORT: '0',
      AUTOTASK_USERNAME: FAKE_CREDENTIALS.username,
      AUTOTASK_SECRET: FAKE_CREDENTIALS.secret,
      AUTOTASK_INTEGRATION_CODE: FAKE_CREDENTIALS.integrationCode,
      AUTOTASK_ZONE_URL: fake.zoneUrl,
      QDESK_SECRET: 'a-real-secret-of-at-least-32-characters!',
      PUBLIC_URL,
      QDESK_OIDC_ISSUER: idp.issuer,
      QDESK_OIDC_CLIENT_ID: DEV_TECHNICIAN_CLIENT.clientId,
      QDESK_OIDC_CLIENT_SECRET: DEV_TECHNICIAN_CLIENT.clientSecret,
      QDESK_RESET_TOOL_TOKEN: RESET_TOOL_TOKEN,
      QDESK_MSP_NAME: 'Acme IT',
      QDESK_DIRECTORY_FILE: directoryFile,
      QDESK_DATA_DIR: join(dir, 'data'),
      ...GRAPH,
    });
    services = await composeServices(env);
    app = createApp(services, env).app;
  });
  afterAll(async () => {
    await services?.close();
    await fake?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, cookie = '') => app.request(`http://127.0.0.1${path}`, { headers: { cookie } });
  /** A technician's whole sign-in: the app's start, the identity provider's pages, the app's callback. */
  const signIn = async (email: string, next = '/') => {
    const start = await get(`/auth/start?next=${encodeURIComponent(next)}`);
    expect(start.status).toBe(303);
    const flow = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const back = await signInAtIdp(start.headers.get('location')!, email);
    const done = await get(`${back.pathname}${back.search}`, flow);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(next);
    // The answer also clears the flow's cookie: the sign-in is the technician cookie.
    const tech = done.headers.getSetCookie().find((c) => c.startsWith('qd_tech='));
    return tech!.split(';')[0]!;
  };

  it('needs a technician sign-in through the identity provider, then reads the ticket from Autotask', async () => {
    expect(services.demo).toBe(false);
    const anonymous = await get('/insight?ticketId=1001');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Finsight%3FticketId%3D1001');
    const login = await (await get('/login?next=%2Finsight%3FticketId%3D1001')).text();
    expect(login).toContain('href="/auth/start?next=%2Finsight%3FticketId%3D1001"');
    expect(login).not.toContain('name="password"');
    const cookie = await signIn('sam.rivera@qdesk-msp.example', '/insight?ticketId=1001');
    const page = await (await get('/insight?ticketId=1001', cookie)).text();
    expect(page).toContain('T20261124.0001');
    expect(page).toContain('Ana Silva');
    expect(page).toContain('Sam Rivera');
  });

  it('refuses a typed name and password: nobody signs in by saying who they are', async () => {
    const typed = await app.request('http://127.0.0.1/login', {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Sam+Rivera&password=anything-at-all&next=/',
    });
    expect(typed.status).toBe(404);
    expect(typed.headers.get('set-cookie')).toBeNull();
  });

  it("gives the admin role to the identity provider's admin role only", async () => {
    expect((await get('/admin/policies', await signIn('sam.rivera@qdesk-msp.example'))).status).toBe(403);
    const admin = await signIn('alex.morgan@qdesk-msp.example');
    const page = await get('/admin/policies', admin);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('All customers (tenant default)');
  });

  it('runs the NIST defaults, names the MSP, and sends email by Microsoft Graph where a policy accepts email', async () => {
    const cookie = await signIn('jo.park@qdesk-msp.example');
    const insight = await (await get('/insight?ticketId=1001', cookie)).text();
    // No push or SMS channel is configured here, so nothing can be sent yet; the order is still the NIST one.
    expect(insight.indexOf('value="number_match"')).toBeLessThan(insight.indexOf('value="sms"'));
    expect(insight).toContain('SMS code (restricted)');
    expect(insight).not.toContain('Email code');
    expect(insight).toContain('from Acme IT');
    const admin = {
      tenantId: services.tenantId,
      technicianId: 'alex',
      technicianName: 'Alex',
      role: 'admin' as const,
    };
    await services.verifier.setPolicy({
      actor: admin,
      customerId: null,
      settings: { methods: ['number_match', 'sms', 'email'] },
      accept: [{ choice: 'email', reason: 'Test: the Graph channel is wired as the email channel.' }],
    });
    const methods = await services.verifier.availableMethods({ actor: admin, endUserId: 'u-ana' });
    expect(methods.find((m) => m.method === 'email')).toMatchObject({ available: true, reason: null });
  });

  it('lets a reset tool with QDESK_RESET_TOOL_TOKEN check grants, and nobody else', async () => {
    const check = (token: string) =>
      app.request('http://127.0.0.1/api/grants/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ grant: 'a.b.c', action: 'reset_password' }),
      });
    expect((await check('wrong-token')).status).toBe(401);
    const res = await check(RESET_TOOL_TOKEN);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('grant_invalid');
  });

  it('has no demo surfaces: no outbox, no demo end-user sign-in', async () => {
    expect((await get('/outbox')).status).toBe(404);
    const selfServe = await get('/self-serve');
    expect(selfServe.status).toBe(401);
    expect(await selfServe.text()).toContain('Open the self-serve link from your company portal');
  });

  it('refuses a directory file that is not a valid end-user list, naming the problem', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'x', email: 'nope', displayName: 'X', mobilePhone: '555' }]));
    const env = readEnv({ ...MINIMAL_REAL, QDESK_DIRECTORY_FILE: bad });
    await expect(composeServices(env)).rejects.toThrow(
      /QDESK_DIRECTORY_FILE: invalid end-user list[\s\S]*\[0\.email\][\s\S]*\[0\.mobilePhone\]/,
    );
  });

  it('refuses to start without a database, naming the variables to set', async () => {
    const env = readEnv({ ...MINIMAL_REAL, QDESK_DIRECTORY_FILE: directoryFile });
    await expect(composeServices(env)).rejects.toThrow(/set DATABASE_URL=postgres:\/\/.*or QDESK_DATA_DIR=/);
    await expect(
      composeServices({ ...env, QDESK_DATA_DIR: join(dir, 'x') }, { stores: { kind: 'memory' } }),
    ).rejects.toThrow(/Real mode never runs on memory stores.*set DATABASE_URL or QDESK_DATA_DIR/);
  });
});
