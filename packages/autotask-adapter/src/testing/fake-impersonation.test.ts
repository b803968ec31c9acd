import { describe, expect, it } from 'vitest';
import { fakeServerForFile } from '../test-support.js';
import { createAutotaskFake, FAKE_API_USER_RESOURCE_ID, FAKE_CREDENTIALS, FAKE_RESOURCES } from './index.js';

const server = await fakeServerForFile({ contacts: 5, tickets: 2 });
const fake = server.state;

const auth = {
  ApiIntegrationCode: FAKE_CREDENTIALS.integrationCode,
  UserName: FAKE_CREDENTIALS.username,
  Secret: FAKE_CREDENTIALS.secret,
  'Content-Type': 'application/json',
};
const api = (path: string) => `${server.zoneUrl}V1.0/${path}`;
const createNote = (actingAs?: number) =>
  fetch(api('Tickets/1001/Notes'), {
    method: 'POST',
    headers: actingAs === undefined ? auth : { ...auth, ImpersonationResourceId: String(actingAs) },
    body: JSON.stringify({ title: 't', description: 'd', publish: 2, noteType: 1 }),
  });

describe('Autotask fake: Resources', () => {
  it('answers Resources queries by email (case-insensitive) and gets by id', async () => {
    const response = await fetch(api('Resources/query'), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        filter: [{ op: 'eq', field: 'email', value: 'sam.rivera@QDESK-MSP.example' }],
        IncludeFields: ['id', 'email', 'isActive'],
      }),
    });
    const { items } = (await response.json()) as { items: unknown[] };
    expect(items).toEqual([
      { id: FAKE_RESOURCES.samRivera, email: 'Sam.Rivera@qdesk-msp.example', isActive: true },
    ]);
    const one = await fetch(api(`Resources/${FAKE_RESOURCES.formerTechnician}`), { headers: auth });
    expect(await one.json()).toMatchObject({ item: { firstName: 'Former', isActive: false } });
  });

  it("seeds the demo MSP's staff at the MSP's domain", () => {
    const emails = fake.tables.Resources.map((r) => String(r.email).toLowerCase());
    for (const email of ['sam.rivera', 'jo.park', 'alex.morgan'])
      expect(emails).toContain(`${email}@qdesk-msp.example`);
    const owner = fake.tables.Companies.find((c) => c.id === 0);
    expect(owner?.webAddress).toBe('qdesk-msp.example');
  });
});

describe('Autotask fake: notes created by impersonation', () => {
  it('records the impersonated resource as creator and the API user as impersonator', async () => {
    const as = await createNote(FAKE_RESOURCES.joPark);
    const plain = await createNote();
    const { itemId: asId } = (await as.json()) as { itemId: number };
    const { itemId: plainId } = (await plain.json()) as { itemId: number };
    expect(fake.noteAuthor(asId)).toEqual({
      creatorResourceId: FAKE_RESOURCES.joPark,
      impersonatorResourceId: FAKE_API_USER_RESOURCE_ID,
    });
    expect(fake.noteAuthor(plainId)).toEqual({
      creatorResourceId: FAKE_API_USER_RESOURCE_ID,
      impersonatorResourceId: null,
    });
    expect(fake.noteAuthor(999_999_999)).toBeNull();
    const stored = fake.tables.TicketNotes.find((n) => n.id === asId);
    expect(stored).toMatchObject({
      creatorResourceID: FAKE_RESOURCES.joPark,
      impersonatorCreatorResourceID: FAKE_API_USER_RESOURCE_ID,
    });
    expect(fake.requests.map((r) => r.impersonationResourceId)).toEqual([
      String(FAKE_RESOURCES.joPark),
      null,
    ]);
  });

  it('refuses with 500 "does not have adequate permissions" and stores nothing when a right is missing', async () => {
    const before = fake.tables.TicketNotes.length;
    const refused = async (actingAs: number) => {
      const response = await createNote(actingAs);
      expect(response.status).toBe(500);
      const { errors } = (await response.json()) as { errors: string[] };
      expect(errors.join(' ')).toContain('does not have adequate permissions');
    };
    await refused(FAKE_RESOURCES.formerTechnician); // inactive
    fake.impersonation.notImpersonable.add(FAKE_RESOURCES.alexMorgan);
    await refused(FAKE_RESOURCES.alexMorgan);
    expect((await createNote(FAKE_RESOURCES.samRivera)).status).toBe(200);
    fake.impersonation.apiUserMayImpersonate = false;
    await refused(FAKE_RESOURCES.samRivera);
    expect((await createNote()).status).toBe(200);
    expect(fake.tables.TicketNotes.length).toBe(before + 2);
  });

  it('takes its starting rights from the options', async () => {
    const local = createAutotaskFake({
      contacts: 5,
      tickets: 2,
      impersonation: { notImpersonable: [FAKE_RESOURCES.joPark] },
    });
    const create = (actingAs: number) =>
      local.handle({
        method: 'POST',
        url: `${local.zoneUrl}V1.0/Tickets/1001/Notes`,
        headers: {
          apiintegrationcode: FAKE_CREDENTIALS.integrationCode,
          username: FAKE_CREDENTIALS.username,
          secret: FAKE_CREDENTIALS.secret,
          impersonationresourceid: String(actingAs),
        },
        body: JSON.stringify({ title: 't', description: 'd', publish: 2, noteType: 1 }),
      });
    expect((await create(FAKE_RESOURCES.joPark)).status).toBe(500);
    expect((await create(FAKE_RESOURCES.samRivera)).status).toBe(200);
    const denied = createAutotaskFake({
      contacts: 5,
      tickets: 2,
      impersonation: { apiUserMayImpersonate: false },
    });
    expect(denied.impersonation.apiUserMayImpersonate).toBe(false);
  });
});
