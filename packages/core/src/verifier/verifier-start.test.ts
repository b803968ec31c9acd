import { describe, expect, it } from 'vitest';
import type { ContactLinks } from '../ports/contact-links.js';
import { demoLinks, setup } from './setup.test-helpers.js';

const startsIn = (t: ReturnType<typeof setup>) => t.audit.all().filter((r) => r.action === 'start');

describe('start operations do what they say', () => {
  it('startFromContact with a ticket creates one session, bound to the ticket, using the given contact', async () => {
    const t = setup();
    // Ticket 1002's contact is Ben; the technician starts from Ana (same company) on that ticket.
    const started = await t.verifier.startFromContact({ actor: t.actor, contactId: '201', ticketId: '1002' });
    expect(started.session.ticket).toMatchObject({ id: '1002', number: 'T20261124.0002' });
    expect(started.session.contactId).toBe('201');
    expect(started.endUser.id).toBe('eu-ana');
    expect(started.context?.ticket.id).toBe('1002');
    expect(startsIn(t)).toHaveLength(1);
    expect(await t.store.listActive(t.demo.tenantId, 'eu-ana')).toHaveLength(1);
    expect(await t.store.listActive(t.demo.tenantId, 'eu-ben')).toHaveLength(0);
    await t.verifier.cancel({ actor: t.actor, sessionId: started.session.id });
    // The outcome reaches the ticket it was started on.
    expect(t.psa.notes('1002')).toHaveLength(1);
    expect(t.psa.notes('1002')[0]!.text).toContain('Ana Silva');
  });

  it('startFromContact uses the given contact on a ticket that has no contact', async () => {
    const links = new Map([['206', 'eu-eva']]);
    const contactLinks: ContactLinks = {
      specificationVersion: 'v1',
      endUserForContact: async (_tenantId, contactId) => {
        const endUserId = links.get(contactId);
        return endUserId ? { endUserId } : null;
      },
      customerForCompany: demoLinks().customerForCompany,
    };
    const t = setup({}, { contactLinks });
    await expect(t.verifier.startFromTicket({ actor: t.actor, ticketId: '1005' })).rejects.toMatchObject({
      code: 'ticket_missing_contact',
    });
    const started = await t.verifier.startFromContact({ actor: t.actor, contactId: '206', ticketId: '1005' });
    expect(started.session.ticket?.id).toBe('1005');
    expect(started.endUser.id).toBe('eu-eva');
  });

  it('startFromContact refuses a contact of another company than the ticket', async () => {
    const t = setup();
    await expect(
      t.verifier.startFromContact({ actor: t.actor, contactId: '203', ticketId: '1001' }),
    ).rejects.toMatchObject({ code: 'contact_not_on_ticket_company', name: 'PreconditionError' });
    expect(await t.store.listActive(t.demo.tenantId, 'eu-chloe')).toEqual([]);
  });

  it('startForEndUser with a ticket keeps the ticket binding and writes the outcome on it', async () => {
    const t = setup();
    const started = await t.verifier.startForEndUser({
      actor: t.actor,
      email: 'ana.silva@northwind.example',
      ticketId: '1001',
    });
    expect(started.session.ticket).toMatchObject({ id: '1001', companyName: 'Northwind Traders Inc.' });
    await t.verifier.send({ actor: t.actor, sessionId: started.session.id, method: 'sms' });
    await t.verifier.checkCode({ actor: t.actor, sessionId: started.session.id, code: t.lastCode() });
    expect(t.psa.notes('1001')).toHaveLength(1);
    const byId = await t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ben', ticketId: '1002' });
    expect(byId.session.ticket?.id).toBe('1002');
  });

  it('startForEndUser with an unknown ticket is an error, never a session without its ticket', async () => {
    const t = setup();
    await expect(
      t.verifier.startForEndUser({ actor: t.actor, endUserId: 'eu-ana', ticketId: '424242' }),
    ).rejects.toMatchObject({ code: 'ticket_not_found' });
    expect(await t.store.listActive(t.demo.tenantId, 'eu-ana')).toEqual([]);
  });
});
