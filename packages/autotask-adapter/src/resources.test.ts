import { ConfigError, InputError } from '@qdesk/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isAutotaskError } from './errors.js';
import { createResourceDirectory } from './resources.js';
import { fakeClient, fakeServerForFile } from './test-support.js';
import { FAKE_RESOURCES } from './testing/index.js';

const server = await fakeServerForFile({ contacts: 5, tickets: 2 });
const fake = server.state;
const seeded = fake.tables.Resources.length;
afterEach(() => {
  fake.tables.Resources.length = seeded;
});

const lookups = () => fake.requests.filter((r) => r.path.startsWith('Resources/query'));
const directory = (options = {}) =>
  createResourceDirectory(fakeClient(server, { zoneUrl: server.zoneUrl }), options);

describe('finding a technician’s resource by email', () => {
  it('finds the active resource whatever the case, in one query for the fields it needs', async () => {
    const { resource, reason } = await directory().findByEmail('  SAM.RIVERA@qdesk-msp.example ');
    expect(reason).toBeNull();
    expect(resource).toEqual({
      id: FAKE_RESOURCES.samRivera,
      email: 'Sam.Rivera@qdesk-msp.example',
      firstName: 'Sam',
      lastName: 'Rivera',
    });
    expect(lookups()).toHaveLength(1);
    expect(lookups()[0]).toMatchObject({ method: 'POST', status: 200, impersonationResourceId: null });
  });

  it('answers null with a reason: no resource, only an inactive one, several active ones', async () => {
    const d = directory();
    expect(await d.findByEmail('nobody@qdesk-msp.example')).toEqual({
      resource: null,
      reason: 'no_resource',
    });
    expect(await d.findByEmail('former.technician@qdesk-msp.example')).toEqual({
      resource: null,
      reason: 'inactive_resource',
    });
    fake.tables.Resources.push({
      id: 29682990,
      firstName: 'Jo',
      lastName: 'Park (2)',
      email: 'JO.PARK@qdesk-msp.example',
      isActive: true,
    });
    expect(await d.findByEmail('jo.park@qdesk-msp.example')).toEqual({
      resource: null,
      reason: 'ambiguous_resource',
    });
  });

  it('ignores an inactive resource that shares the address of an active one', async () => {
    fake.tables.Resources.push({
      id: 29682991,
      firstName: 'Alex',
      lastName: 'Morgan (old)',
      email: 'alex.morgan@qdesk-msp.example',
      isActive: false,
    });
    const { resource } = await directory().findByEmail('alex.morgan@qdesk-msp.example');
    expect(resource?.id).toBe(FAKE_RESOURCES.alexMorgan);
  });

  it('asks Autotask once per address while the answer is fresh, then again after ttlMs', async () => {
    let now = 1_000_000;
    const d = directory({ ttlMs: 60_000, now: () => now });
    for (let i = 0; i < 5; i++) await d.findByEmail('sam.rivera@qdesk-msp.example');
    expect(lookups()).toHaveLength(1);
    now += 59_999;
    await d.findByEmail('Sam.Rivera@QDESK-MSP.example');
    expect(lookups()).toHaveLength(1);
    now += 2;
    await d.findByEmail('sam.rivera@qdesk-msp.example');
    expect(lookups()).toHaveLength(2);
  });

  it('remembers a miss for missTtlMs, shorter than a hit', async () => {
    let now = 1_000_000;
    const d = directory({ now: () => now });
    await d.findByEmail('nobody@qdesk-msp.example');
    await d.findByEmail('sam.rivera@qdesk-msp.example');
    now += 300_001; // past the default miss lifetime (5 minutes), within the hit lifetime (an hour)
    await d.findByEmail('nobody@qdesk-msp.example');
    await d.findByEmail('sam.rivera@qdesk-msp.example');
    expect(lookups()).toHaveLength(3);
  });

  it('shares one request between concurrent lookups of one address', async () => {
    fake.latencyMs = 30;
    const d = directory();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        d.findByEmail(i % 2 ? 'jo.park@qdesk-msp.example' : 'JO.PARK@qdesk-msp.example'),
      ),
    );
    expect(new Set(answers.map((a) => a.resource?.id))).toEqual(new Set([FAKE_RESOURCES.joPark]));
    expect(lookups()).toHaveLength(1);
  });

  it('keeps at most maxEntries addresses, dropping the oldest', async () => {
    const d = directory({ maxEntries: 2 });
    for (const email of [
      'sam.rivera@qdesk-msp.example',
      'jo.park@qdesk-msp.example',
      'alex.morgan@qdesk-msp.example',
    ]) {
      await d.findByEmail(email);
    }
    await d.findByEmail('alex.morgan@qdesk-msp.example'); // cached
    await d.findByEmail('sam.rivera@qdesk-msp.example'); // dropped: asked again
    expect(lookups()).toHaveLength(4);
  });

  it('does not remember a failed lookup', async () => {
    fake.failNext(1, { status: 403, body: '', endpoint: 'Resources' });
    const d = directory();
    const error = await d.findByEmail('sam.rivera@qdesk-msp.example').catch((e: unknown) => e);
    expect(isAutotaskError(error, 'forbidden')).toBe(true);
    expect((await d.findByEmail('sam.rivera@qdesk-msp.example')).resource?.id).toBe(FAKE_RESOURCES.samRivera);
    expect(lookups().map((r) => r.status)).toEqual([403, 200]);
  });

  it('refuses something that is not an email address before any request, and bad options', async () => {
    for (const bad of ['', 'sam.rivera', 'a b@c.example', `${'x'.repeat(250)}@c.example`]) {
      await expect(directory().findByEmail(bad)).rejects.toBeInstanceOf(InputError);
    }
    expect(lookups()).toHaveLength(0);
    expect(() => directory({ ttlMs: -1 })).toThrow(ConfigError);
    expect(() => directory({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => directory({ now: 5 })).toThrow(/now/);
  });
});
