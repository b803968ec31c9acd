import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-app.test-helpers.js';

// Before SEND the Insight tells the technician where the number it would text came from and how old it is; a number
// a sync saw change a few days ago is not texted at all (NIST SP 800-63B rev 4, 3.1.3.3).

const DAY = 24 * 3600_000;

describe('the mobile number’s source and age on the Insight', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const withPhone = async (provenance: { source: 'directory' | 'psa'; changedAt: number | null }) => {
    const chloe = (await t.services.directory.getById(t.services.tenantId, 'eu-chloe'))!;
    await t.services.stores.directory.put({ ...chloe, provenance: { mobilePhone: provenance } });
    const sam = await t.staff('tech-demo');
    return (await t.request('/insight?ticketId=1003', { as: sam })).text();
  };

  it('shows where the number came from and when it changed, before SEND', async () => {
    const settled = await withPhone({ source: 'directory', changedAt: t.clock.now() - 30 * DAY });
    expect(settled).toContain('<dd id="who-phone-origin">from the directory, changed 30 days ago</dd>');
    expect(settled).toMatch(/value="sms"(?![^>]*disabled)/);
    const original = await withPhone({ source: 'psa', changedAt: null });
    expect(original).toContain('from the PSA contact only, unchanged since it was first imported');
  });

  it('does not text a number that changed 2 days ago, and says why', async () => {
    const page = await withPhone({ source: 'directory', changedAt: t.clock.now() - 2 * DAY });
    expect(page).toContain('from the directory, changed 2 days ago');
    expect(page).toContain(
      'the mobile number on file changed 2 days ago and counts as new for 7 days: verify with another method',
    );
  });
});
