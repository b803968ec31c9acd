import { describe, expect, it } from 'vitest';
import { BASE, patchOp, START, scimError, scimHarness } from './scim.test-helpers.js';

// The request bodies follow Microsoft's "Develop and plan provisioning for a SCIM endpoint" tutorial (user
// operations) and its SCIM compatibility page: `op` in PascalCase, `active` as the string "False", paths with
// filters, and no-path operations whose keys are paths.
const USER_NAME = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
const WORK_EMAIL = 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com';
const ENTRA_CREATE = {
  schemas: [
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: USER_NAME,
  active: true,
  emails: [{ primary: true, type: 'work', value: WORK_EMAIL }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
    employeeNumber: '701984',
    department: 'Help Desk',
  },
};

const filterQuery = (filter: string) => `/Users?filter=${encodeURIComponent(filter).replace(/%20/g, '+')}`;

describe('SCIM handler: Microsoft Entra ID provisioning', () => {
  it('follows Entra ID’s sequence: look up, create, read, update, disable, delete, passing each change on', async () => {
    const scim = scimHarness();

    // Entra looks the user up by userName before creating it.
    const lookup = await scim.call('GET', filterQuery(`userName eq "${USER_NAME}"`));
    expect(lookup.status).toBe(200);
    expect(lookup.headers.get('content-type')).toBe('application/scim+json');
    expect(lookup.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    const created = await scim.call('POST', '/Users', { body: ENTRA_CREATE });
    expect(created.status).toBe(201);
    const id = created.json?.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.get('location')).toBe(`${BASE}/Users/${id}`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.json).toMatchObject({
      schemas: ENTRA_CREATE.schemas,
      id,
      externalId: ENTRA_CREATE.externalId,
      userName: USER_NAME,
      active: true,
      emails: [{ value: WORK_EMAIL, type: 'work', primary: true }],
      name: ENTRA_CREATE.name,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        employeeNumber: '701984',
        department: 'Help Desk',
      },
      meta: {
        resourceType: 'User',
        created: '2025-03-01T09:00:00.000Z',
        lastModified: '2025-03-01T09:00:00.000Z',
        location: `${BASE}/Users/${id}`,
        version: 'W/"1"',
      },
    });
    expect(scim.changes).toEqual([
      {
        customerId: 'cust-a',
        change: {
          type: 'upsert',
          record: {
            externalId: id,
            email: WORK_EMAIL,
            otherEmails: [],
            displayName: 'givenName familyName',
            phones: [],
            active: true,
            changedAt: START,
          },
        },
      },
    ]);

    const read = await scim.call('GET', `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created.json);
    for (const filter of [
      `userName eq "${USER_NAME.toLowerCase()}"`,
      `externalId eq "${ENTRA_CREATE.externalId}"`,
      `emails[type eq "work"].value eq "${WORK_EMAIL}"`,
    ]) {
      const found = await scim.call('GET', filterQuery(filter));
      expect(found.json, filter).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [{ id }] });
    }

    // Update User [Multi-valued properties], then a phone number the user did not have.
    scim.advance(60_000);
    const updated = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.example' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0100' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 425 555 0101' },
      ),
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      emails: [{ value: 'updatedEmail@contoso.example', type: 'work', primary: true }],
      name: { formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' },
      phoneNumbers: [
        { type: 'mobile', value: '+1 425 555 0100' },
        { type: 'work', value: '+1 425 555 0101' },
      ],
      meta: {
        created: '2025-03-01T09:00:00.000Z',
        lastModified: '2025-03-01T09:01:00.000Z',
        version: 'W/"2"',
      },
    });
    expect(scim.changes.at(-1)?.change).toEqual({
      type: 'upsert',
      record: {
        externalId: id,
        email: 'updatedEmail@contoso.example',
        otherEmails: [],
        displayName: 'givenName familyName',
        phones: [
          { number: '+1 425 555 0100', kind: 'mobile', source: 'scim' },
          { number: '+1 425 555 0101', kind: 'business', source: 'scim' },
        ],
        active: true,
        changedAt: START + 60_000,
      },
    });

    // Disable User, as Entra's customappsso job sends it: "False" as a string.
    scim.advance(60_000);
    const disabled = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'Replace', path: 'active', value: 'False' }),
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json?.active).toBe(false);
    expect(scim.changes.at(-1)?.change).toMatchObject({
      type: 'upsert',
      record: { externalId: id, active: false },
    });
    const disabledLookup = await scim.call('GET', filterQuery(`userName eq "${USER_NAME}"`));
    expect(disabledLookup.json).toMatchObject({ totalResults: 1, Resources: [{ active: false }] });

    const enabled = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'Replace', path: 'active', value: 'True' }),
    });
    expect(enabled.json?.active).toBe(true);
    expect(scim.changes.at(-1)?.change).toMatchObject({ record: { active: true } });

    const deleted = await scim.call('DELETE', `/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeNull();
    expect(scim.changes.at(-1)).toEqual({ customerId: 'cust-a', change: { type: 'delete', externalId: id } });
    expect(scim.changes).toHaveLength(5);

    const gone = await scim.call('GET', `/Users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual(scimError(404));
    expect((await scim.call('GET', filterQuery(`userName eq "${USER_NAME}"`))).json).toMatchObject({
      totalResults: 0,
    });
    expect(await scim.store.inspect.count('cust-a')).toBe(0);
  });

  it('reads the no-path operations of Entra’s SCIM job, whose keys are paths, and a boolean false', async () => {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: ENTRA_CREATE })).json?.id as string;

    const patched = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({
        op: 'replace',
        value: {
          'name.givenName': 'updatedGivenName',
          'emails[type eq "work"].value': 'renamed@contoso.example',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Service Desk',
          displayName: 'updatedGivenName familyName',
        },
      }),
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      displayName: 'updatedGivenName familyName',
      name: { givenName: 'updatedGivenName', familyName: 'familyName' },
      emails: [{ value: 'renamed@contoso.example', type: 'work', primary: true }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        employeeNumber: '701984',
        department: 'Service Desk',
      },
    });

    const disabled = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    });
    expect(disabled.json?.active).toBe(false);
    expect(scim.changes.map((c) => c.change.type === 'upsert' && c.change.record.active)).toEqual([
      true,
      true,
      false,
    ]);
    expect(scim.changes[1]?.change).toMatchObject({
      record: { email: 'renamed@contoso.example', displayName: 'updatedGivenName familyName' },
    });
  });

  it('answers 409 uniqueness when Entra creates a userName that exists, in any case, and keeps the first user', async () => {
    const scim = scimHarness();
    const first = await scim.call('POST', '/Users', { body: ENTRA_CREATE });
    const again = await scim.call('POST', '/Users', {
      body: { ...ENTRA_CREATE, userName: USER_NAME.toUpperCase() },
    });
    expect(again.status).toBe(409);
    expect(again.json).toEqual(scimError(409, 'uniqueness'));
    expect(again.json?.detail).toContain('userName');
    expect(await scim.store.inspect.count('cust-a')).toBe(1);
    expect(scim.changes).toHaveLength(1);
    expect((await scim.call('GET', `/Users/${first.json?.id}`)).status).toBe(200);
  });

  it('removes a work phone number Entra clears, and passes the user on without it', async () => {
    const scim = scimHarness();
    const id = (
      await scim.call('POST', '/Users', {
        body: {
          ...ENTRA_CREATE,
          phoneNumbers: [
            { type: 'work', value: '+1 425 555 0101' },
            { type: 'mobile', value: '+1 425 555 0100' },
          ],
        },
      })
    ).json?.id as string;
    const cleared = await scim.call('PATCH', `/Users/${id}`, {
      body: patchOp({ op: 'Remove', path: 'phoneNumbers[type eq "work"].value' }),
    });
    expect(cleared.json?.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 425 555 0100' }]);
    expect(scim.changes.at(-1)?.change).toMatchObject({
      record: { phones: [{ number: '+1 425 555 0100', kind: 'mobile', source: 'scim' }] },
    });
  });
});
