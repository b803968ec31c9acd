import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { type AppServices, composeServices, selfServeUrlOf } from './compose.js';
import { EnvError, readEnv } from './config.js';
import { SIGN_IN_LIMITS } from './sign-in.js';

const PASSWORD = 'correct horse battery staple';
const ADMIN_PASSWORD = 'admin: a different, longer passphrase';
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
      'QDESK_TECHNICIAN_PASSWORD',
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
    expect(attempt({ QDESK_TECHNICIAN_PASSWORD: PASSWORD, QDESK_ADMIN_PASSWORD: PASSWORD })).toContain(
      'QDESK_ADMIN_PASSWORD: must differ from QDESK_TECHNICIAN_PASSWORD',
    );
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
    QDESK_TECHNICIAN_PASSWORD: PASSWORD,
  };

  beforeAll(async () => {
    fake = await startAutotaskFake();
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
      QDESK_TECHNICIAN_PASSWORD: PASSWORD,
      QDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
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
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, cookie = '') => app.request(`http://127.0.0.1${path}`, { headers: { cookie } });
  const login = (body: string) =>
    app.request('http://127.0.0.1/login', {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('needs a technician sign-in with the configured password, then reads the ticket from Autotask', async () => {
    expect(services.demo).toBe(false);
    const anonymous = await get('/insight?ticketId=1001');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Finsight%3FticketId%3D1001');
    expect((await login('name=Sam&password=wrong&next=/')).status).toBe(401);
    const ok = await login(
      `name=Sam+Rivera&password=${encodeURIComponent(PASSWORD)}&next=/insight?ticketId=1001`,
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/insight?ticketId=1001');
    const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await (await get('/insight?ticketId=1001', cookie)).text();
    expect(page).toContain('T20261124.0001');
    expect(page).toContain('Ana Silva');
  });

  const signIn = async (password: string) => {
    const res = await login(`name=Alex+Morgan&password=${encodeURIComponent(password)}&next=/`);
    expect(res.status).toBe(303);
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  };

  it('gives the admin role to the administrator password only', async () => {
    expect(services.adminSignIn).toBe(true);
    expect((await get('/admin/policies', await signIn(PASSWORD))).status).toBe(403);
    const admin = await signIn(ADMIN_PASSWORD);
    const page = await get('/admin/policies', admin);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('All customers (tenant default)');
  });

  it('runs the NIST defaults, names the MSP, and sends email by Microsoft Graph where a policy accepts email', async () => {
    const cookie = await signIn(PASSWORD);
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

  it('throttles guessing: after 10 wrong passwords an account is refused for 15 minutes, others are not', async () => {
    const guess = (name: string, password: string) =>
      login(`name=${encodeURIComponent(name)}&password=${encodeURIComponent(password)}&next=/`);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++)
      expect((await guess('Mallory Guess', `nope-${i}`)).status).toBe(401);
    // Now even the right password is refused for that account, and the page says what to do.
    const refused = await guess('MALLORY GUESS', PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('900');
    expect(await refused.text()).toContain('Too many failed sign-ins; wait 15 minutes and try again.');
    // Another account signs in as before (the address has room left: its own limit is higher).
    expect((await guess('Jo Park', PASSWORD)).status).toBe(303);
  });

  it('counts guesses sent all at once exactly: of 30 at the same moment, at most 10 are checked', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        login(`name=Concurrent+Guess&password=${encodeURIComponent(`wrong-${i}`)}&next=/`),
      ),
    );
    const statuses = guesses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_LIMITS.perAccount);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - SIGN_IN_LIMITS.perAccount);
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
