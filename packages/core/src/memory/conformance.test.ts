import { createDemoData } from '../demo/data.js';
import type { SmsMessage } from '../ports/channel.js';
import { runChannelConformance } from '../testing/channel-conformance.js';
import { runPsaAdapterConformance } from '../testing/psa-adapter-conformance.js';
import { runSessionStoreConformance } from '../testing/session-store-conformance.js';
import { createOutboxChannel, type OutboxChannel } from './outbox-channel.js';
import { createMemoryPsa, type MemoryPsa } from './psa.js';
import { createMemorySessionStore } from './session-store.js';

runSessionStoreConformance({ name: 'memory', create: () => createMemorySessionStore() });

// The demo data plus enough generated contacts to span several pages.
const demo = createDemoData();
const extraContacts = Array.from({ length: 1234 }, (_, i) => ({
  id: String(10_000 + i),
  companyId: '101',
  firstName: `First${i}`,
  lastName: `Last${i}`,
  emails: i === 7 ? ['primary7@example.com', 'Secondary.Seven@Example.com'] : [`person${i}@example.com`],
  mobilePhone: null,
  phone: null,
  isActive: i % 10 !== 0,
}));
const data = { ...demo, contacts: [...demo.contacts, ...extraContacts] };
let psa: MemoryPsa = createMemoryPsa(data, { pageSize: 100 });
runPsaAdapterConformance({
  name: 'memory',
  create: () => {
    psa = createMemoryPsa(data, { pageSize: 100 });
    return psa;
  },
  fixtures: {
    readyTicketId: '1001',
    readyContactEmail: 'Ana.Silva@northwind.example',
    ticketWithoutContactId: '1005',
    unknownTicketId: '424242',
    unknownContactId: '424242',
    secondaryEmail: 'secondary.seven@example.com',
    companyCount: demo.companies.length,
    contactCount: data.contacts.length,
  },
  inspect: { notes: async (ticketId) => psa.notes(ticketId) },
});

const context = {
  code: '042137',
  technicianName: 'Sam',
  ticketNumber: 'T1',
  companyName: null,
  expiresInMinutes: 10,
};
const message = (to: string): SmsMessage => ({
  kind: 'sms',
  to,
  text: `${context.code} is your code`,
  sessionId: 's1',
  context,
});
let outbox: OutboxChannel = createOutboxChannel('sms');
runChannelConformance({
  name: 'outbox',
  create: () => {
    outbox = createOutboxChannel('sms');
    outbox.failFor('+15005550001', {
      status: 'permanent_failure',
      reason: 'invalid number',
      providerCode: '21211',
    });
    outbox.failFor('+15005550002', {
      status: 'transient_failure',
      reason: 'rate limited',
      providerCode: '20429',
    });
    return outbox;
  },
  acceptedMessage: () => message('+15550100001'),
  permanentFailureMessage: () => message('+15005550001'),
  transientFailureMessage: () => message('+15005550002'),
  inspect: {
    lastReceived: async () => {
      const last = outbox.last()?.message;
      return last?.kind === 'sms' ? last.text : null;
    },
  },
});
