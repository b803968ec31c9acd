// Runs the Autotask adapter against the local Autotask fake. From packages/autotask-adapter:
//   npx tsx --conditions=qdesk-source examples/quick-start.ts   (or plain `npx tsx` after `pnpm build`)
// src/examples.test.ts runs it too, so it cannot rot.
import { pathToFileURL } from 'node:url';
import { createAutotaskAdapter, createRequestBudget } from '@qdesk/autotask-adapter';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';

export async function main(log: (line: string) => void = console.log) {
  const fake = await startAutotaskFake(); // a real HTTP server on 127.0.0.1, seeded with demo data
  try {
    const psa = createAutotaskAdapter({
      username: FAKE_CREDENTIALS.username, // with a real tenant: the API user's Username (Key)
      secret: FAKE_CREDENTIALS.secret,
      integrationCode: FAKE_CREDENTIALS.integrationCode,
      zoneDiscoveryUrl: fake.url, // omit with a real tenant: Autotask's discovery is the default
      budget: createRequestBudget({ perHour: 2_000 }), // this app's share of the tenant's 10,000 an hour
    });

    const context = await psa.getTicketContext('1001');
    log(
      `${context?.ticket.number} ${context?.ticket.title}: ${context?.contact?.firstName} at ${context?.company?.name}`,
    );

    const [ana] = await psa.findContactsByEmail('ANA.SILVA@northwind.example');
    log(`found contact ${ana?.id} by email`);

    let contacts = 0;
    for await (const _ of psa.listContacts({ onProgress: (p) => log(`listed ${p.done} of ${p.total}`) }))
      contacts++;

    const note = await psa.writeVerificationNote({
      ticketId: '1001',
      sessionId: 'sess_quick_start',
      outcome: 'approved',
      method: 'sms',
      endUser: { id: 'eu-ana', displayName: 'Ana Silva', email: 'ana.silva@northwind.example' },
      technician: { id: 'tech-1', name: 'Tess Technician' },
      at: Date.now(),
      purpose: 'verify',
      weaker: [],
      override: null,
    });
    log(`note ${note.noteId} ${note.created ? 'written' : 'already there'}`);
    return { context, contacts, note, notesOnTicket: fake.state.notes('1001').length };
  } finally {
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
