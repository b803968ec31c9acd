import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';

const fake = await startAutotaskFake(); // a local Autotask on 127.0.0.1, seeded with demo data
const psa = createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneDiscoveryUrl: fake.url });

const context = await psa.getTicketContext('1001');
console.log(context?.ticket.number, context?.contact?.emails); // T20261124.0001 [ 'ana.silva@northwind.example' ]
const [contact] = await psa.findContactsByEmail('ANA.SILVA@northwind.example');
console.log(contact?.id, contact?.companyId); // 201 101
await fake.close();

export {};
