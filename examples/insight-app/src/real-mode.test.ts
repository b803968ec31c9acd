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
import { type AppServices, composeServices } from './compose.js';
import { EnvError, readEnv } from './config.js';

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
  });
});

describe('real mode (Autotask credentials given), against the Autotask fake as the tenant', () => {
  let fake: AutotaskFakeServer;
  let services: AppServices;
  let app: ReturnType<typeof createApp>['app'];
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-real-'));
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    fake = await startAutotaskFake();
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
      QDESK_DIRECTORY_FILE: directoryFile,
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

  it('has no demo surfaces: no outbox, no demo end-user sign-in', async () => {
    expect((await get('/outbox')).status).toBe(404);
    expect((await get('/self-serve')).status).toBe(401);
  });

  it('refuses a directory file that is not a valid end-user list, naming the problem', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'x', email: 'nope', displayName: 'X', mobilePhone: '555' }]));
    const env = readEnv({
      AUTOTASK_USERNAME: 'u',
      AUTOTASK_SECRET: 's',
      AUTOTASK_INTEGRATION_CODE: 'c',
      QDESK_SECRET: 'a-real-secret-of-at-least-32-characters!',
      QDESK_TECHNICIAN_PASSWORD: PASSWORD,
      QDESK_DIRECTORY_FILE: bad,
    });
    await expect(composeServices(env)).rejects.toThrow(
      /QDESK_DIRECTORY_FILE: invalid end-user list[\s\S]*\[0\.email\][\s\S]*\[0\.mobilePhone\]/,
    );
  });
});
