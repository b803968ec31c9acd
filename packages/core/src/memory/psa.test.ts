import { createDemoData } from '../demo/data.js';
import { runPsaAdapterConformance } from '../testing/psa-adapter-conformance.js';
import { createMemoryPsa, type MemoryPsa } from './psa.js';

// The demo data plus enough generated contacts of Northwind (101) to span several pages of 100.
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

let psa: MemoryPsa;
runPsaAdapterConformance({
  name: 'memory',
  create: () => {
    psa = createMemoryPsa(data, { pageSize: 100 });
    return psa;
  },
  capabilities: { writeNotes: true, listRecords: true },
  fixtures: {
    readyTicketId: '1001',
    readyContactEmail: 'Ana.Silva@northwind.example',
    ticketWithoutContactId: '1005',
    unknownTicketId: '424242',
    unknownContactId: '424242',
    companyCount: demo.companies.length,
    contactCount: data.contacts.length,
    pageSize: 100,
    filterCompany: { id: '102', contactCount: 2 },
  },
  inspect: { notes: async (ticketId) => psa.notes(ticketId) },
  faults: {
    failNext: (operation) => psa.injectFault({ type: 'error', operation }),
    loseNextNoteAnswer: () => psa.injectFault({ type: 'lost_note_answer' }),
  },
});
