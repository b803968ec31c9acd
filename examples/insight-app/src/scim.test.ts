import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from './config.js';
import { scimCustomers } from './scim.js';
import { auditTrail, ORIGIN, startTestApp, type TestApp } from './test-app.test-helpers.js';

// A customer's identity provider pushes users to the app over SCIM, as Microsoft Entra ID's provisioning does: they
// become end-users of that customer, with SCIM as the source of their email and number, and a deactivated one can no
// longer be verified.

const TOKEN = 'northwind-scim-token-of-some-length-0123456789';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('SCIM provisioning in the app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-scim-'));
  const file = join(dir, 'scim.json');
  let t: TestApp;
  beforeAll(async () => {
    writeFileSync(
      file,
      JSON.stringify([{ customerId: 'cust-northwind', tokenSha256: sha256(TOKEN), defaultRegion: 'US' }]),
    );
    t = await startTestApp({ QDESK_SCIM_FILE: file });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scim = (method: string, path: string, body?: unknown, token = TOKEN, customer = 'cust-northwind') =>
    t.app.request(`${ORIGIN}/scim/v2/${customer}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('creates, changes and deactivates an end-user as Entra ID sends them, audited, with SCIM as the source', async () => {
    expect(
      (await scim('GET', '/Users?filter=userName%20eq%20%22new.hire%40northwind.example%22')).status,
    ).toBe(200);
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: 'entra-object-id-1',
      userName: 'new.hire@northwind.example',
      active: true,
      displayName: 'New Hire',
      emails: [{ primary: true, type: 'work', value: 'new.hire@northwind.example' }],
      phoneNumbers: [{ type: 'mobile', value: '+1 201 555 0142' }],
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const user = await t.services.directory.findByEmail(t.services.tenantId, 'new.hire@northwind.example');
    expect(user).toMatchObject({
      customerId: 'cust-northwind',
      mobilePhone: '+12015550142',
      provenance: { mobilePhone: { source: 'scim', changedAt: null } },
    });
    const patch = (operations: unknown[]) =>
      scim('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: operations,
      });
    t.clock.advance(60_000);
    expect(
      (
        await patch([
          { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 201 555 0143' },
        ])
      ).status,
    ).toBe(200);
    expect(
      (await t.services.directory.getById(t.services.tenantId, user!.id))?.provenance?.mobilePhone,
    ).toEqual({ source: 'scim', changedAt: t.clock.now() });
    expect((await patch([{ op: 'Replace', path: 'active', value: 'False' }])).status).toBe(200);
    expect(
      await t.services.directory.findByEmail(t.services.tenantId, 'new.hire@northwind.example'),
    ).toBeNull();
    const trail = (await auditTrail(t.services)).filter((r) => r.action === 'directory_sync');
    expect(trail.map((r) => r.result)).toEqual(['created', 'contact_changed', 'removed']);
    expect(JSON.stringify(trail)).not.toContain('5550143');
  });

  it('refuses a missing or wrong token, and a token on another customer’s URL', async () => {
    expect((await scim('GET', '/Users', undefined, 'wrong')).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, TOKEN, 'cust-contoso')).status).toBe(401);
    const none = await t.app.request(`${ORIGIN}/scim/v2/cust-northwind/Users`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/scim+json');
  });

  it('refuses a configuration file that stores a token instead of its digest, naming the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ customerId: 'cust-1', tokenSha256: TOKEN, defaultRegion: 'US' }]));
    expect(() => scimCustomers(readEnv({ QDESK_SCIM_FILE: bad }))).toThrow(
      /QDESK_SCIM_FILE: .* \(0\.tokenSha256: must be the SHA-256 of the token, 64 hex digits\)/,
    );
  });
});
