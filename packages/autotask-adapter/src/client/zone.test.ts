import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAutotaskError } from '../errors.js';
import { fastRetries } from '../test-support.js';
import { createAutotaskFake, FAKE_CREDENTIALS } from '../testing/index.js';
import { createAutotaskMswHandlers } from '../testing/msw.js';
import { createAutotaskClient } from './client.js';
import { createZoneCache, zoneFromUrl } from './zone.js';

const fake = createAutotaskFake({ contacts: 20 });
const msw = setupServer(...createAutotaskMswHandlers(fake));
const seen: Array<{ url: string; headers: Headers }> = [];
msw.events.on('request:start', ({ request }) => {
  seen.push({ url: request.url, headers: request.headers });
});
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterEach(() => msw.resetHandlers());
afterAll(() => msw.close());
beforeEach(() => {
  seen.length = 0;
  fake.resetObservations();
});

const DISCOVERY = 'https://webservices2.autotask.net/atservicesrest/v1.0/zoneInformation';
const discoveries = () => seen.filter((s) => s.url.startsWith(DISCOVERY));
const client = (overrides = {}) =>
  createAutotaskClient({ ...FAKE_CREDENTIALS, ...fastRetries(), ...overrides });

describe('zone discovery', () => {
  it('asks the discovery host without credentials, then calls the zone with the three auth headers', async () => {
    await client().get('Tickets', 1001);
    expect(discoveries().map((s) => s.url)).toEqual([
      `${DISCOVERY}?user=${encodeURIComponent(FAKE_CREDENTIALS.username)}`,
    ]);
    const [discovery] = discoveries();
    for (const name of ['UserName', 'Secret', 'ApiIntegrationCode'])
      expect(discovery!.headers.has(name)).toBe(false);
    const call = seen.find((s) => s.url.includes('/V1.0/Tickets/1001'))!;
    expect(call.url.startsWith('https://webservices15.autotask.net/ATServicesRest/V1.0/')).toBe(true);
    expect(call.headers.get('UserName')).toBe(FAKE_CREDENTIALS.username);
    expect(call.headers.get('Secret')).toBe(FAKE_CREDENTIALS.secret);
    expect(call.headers.get('ApiIntegrationCode')).toBe(FAKE_CREDENTIALS.integrationCode);
    expect(call.headers.has('ImpersonationResourceId')).toBe(false);
  });

  it('sends ImpersonationResourceId when configured', async () => {
    await client({ impersonationResourceId: 29682881 }).get('Tickets', 1001);
    const call = seen.find((s) => s.url.includes('/V1.0/Tickets/1001'))!;
    expect(call.headers.get('ImpersonationResourceId')).toBe('29682881');
  });

  it('discovers once per user, shared by concurrent calls and by clients sharing a cache', async () => {
    const zoneCache = createZoneCache();
    const a = client({ zoneCache });
    await Promise.all([a.get('Tickets', 1001), a.get('Contacts', 201), a.get('Companies', 101)]);
    await client({ zoneCache }).get('Tickets', 1002);
    expect(discoveries()).toHaveLength(1);
    await client({ zoneCache, username: 'Other-User@qdesk-msp.example' })
      .zone()
      .catch(() => undefined);
    expect(discoveries()).toHaveLength(2);
  });

  it('discovers again once the cached zone is older than the TTL', async () => {
    let now = 1_000_000;
    const zoneCache = createZoneCache({ ttlMs: 60_000, now: () => now });
    const c = client({ zoneCache });
    await c.zone();
    now += 59_000;
    await c.zone();
    expect(discoveries()).toHaveLength(1);
    now += 2_000;
    await c.zone();
    expect(discoveries()).toHaveLength(2);
  });

  it('skips discovery when zoneUrl is given', async () => {
    const c = client({ zoneUrl: 'https://webservices15.autotask.net/ATServicesRest' });
    expect((await c.zone()).apiUrl).toBe('https://webservices15.autotask.net/ATServicesRest/V1.0/');
    await c.get('Tickets', 1001);
    expect(discoveries()).toHaveLength(0);
  });

  it('fails with a typed error naming the user when Autotask cannot find the zone, and never falls back', async () => {
    const c = client({ username: 'nobody@qdesk-msp.example' });
    const error = await c.get('Tickets', 1001).catch((e: unknown) => e);
    expect(isAutotaskError(error, 'zone_discovery')).toBe(true);
    expect((error as Error).message).toContain('nobody@qdesk-msp.example');
    expect((error as Error).message).toContain('zoneUrl');
    expect(seen.map((s) => new URL(s.url).pathname.toLowerCase())).toEqual([
      '/atservicesrest/v1.0/zoneinformation',
    ]);
    // Not cached: the next call asks again.
    await c.zone().catch(() => undefined);
    expect(discoveries()).toHaveLength(2);
  });

  it('retries a transient discovery failure', async () => {
    fake.failNext(2, { status: 503, body: '', endpoint: 'zoneInformation' });
    expect((await client().zone()).url).toBe('https://webservices15.autotask.net/ATServicesRest/');
    expect(discoveries()).toHaveLength(3);
  });

  it('refuses a discovery answer without a usable zone URL', async () => {
    msw.use(http.get(DISCOVERY, () => HttpResponse.json({ zoneName: 'X', url: 'not a url' })));
    const error = await client()
      .zone()
      .catch((e: unknown) => e);
    expect(isAutotaskError(error, 'zone_discovery')).toBe(true);
  });
});

describe('zoneFromUrl', () => {
  it('normalises slashes and a trailing V1.0', () => {
    for (const url of [
      'https://webservices5.autotask.net/ATServicesRest',
      'https://webservices5.autotask.net/ATServicesRest/',
      'https://webservices5.autotask.net/ATServicesRest/V1.0/',
    ]) {
      expect(zoneFromUrl(url).apiUrl).toBe('https://webservices5.autotask.net/ATServicesRest/V1.0/');
    }
  });
});
