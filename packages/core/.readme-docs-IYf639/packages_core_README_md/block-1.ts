import { createVerifier } from '@qdesk/core';
import {
  createDemoData,
  createMemoryDirectory,
  createMemoryPsa,
  createOutboxChannel,
} from '@qdesk/core/memory';

const demo = createDemoData();
const sms = createOutboxChannel('sms'); // keeps what it sends: a stand-in for Twilio in demos and tests
const verifier = createVerifier({
  secret: 'replace-me-with-32-or-more-random-bytes!', // codes are stored only as HMAC-SHA256 under it
  directory: createMemoryDirectory(demo.endUsers),
  psa: createMemoryPsa(demo),
  channels: { sms },
});
const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam from IT' };
const { session } = await verifier.startFromTicket({ actor, ticketId: '1001' });
await verifier.send({ actor, sessionId: session.id, method: 'sms' });
const sent = sms.last()?.message;
const code = sent?.route === 'sms' ? sent.context.code : ''; // what the caller reads back
const { correct } = await verifier.checkCode({ actor, sessionId: session.id, code });
console.log(correct); // → true

export {};
