// The README's quick-start, runnable: `pnpm --filter @qdesk/examples quick-start` (and executed by readme.test.ts so it can never rot).
import { createVerifier } from '@qdesk/core';
import {
  createDemoData,
  createMemoryDirectory,
  createMemoryPsa,
  createOutboxChannel,
} from '@qdesk/core/memory';

const demo = createDemoData();
const sms = createOutboxChannel('sms');
const verifier = createVerifier({
  secret: 'replace-me-with-32-or-more-random-bytes!',
  directory: createMemoryDirectory(demo.endUsers),
  psa: createMemoryPsa(demo),
  channels: { sms },
});
const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam from IT' };

const { session, endUser } = await verifier.startFromTicket({ actor, ticketId: '1001' });
await verifier.send({ actor, sessionId: session.id, method: 'sms' });
const sent = sms.last()?.message;
const code = sent?.route === 'sms' && 'code' in sent.context ? sent.context.code : ''; // what the caller reads back
const result = await verifier.checkCode({ actor, sessionId: session.id, code });

console.log(
  `${endUser.displayName}: ${result.correct ? 'User Identity Successfully Verified' : 'Unable to Verify Identity'}`,
);
