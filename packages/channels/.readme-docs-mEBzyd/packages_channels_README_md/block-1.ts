import { createConsoleChannel } from '@qdesk/channels/console';

const sms = createConsoleChannel('sms'); // prints to console; pass { logger } to print elsewhere
const context = {
  code: '482913',
  technicianName: 'Dana Reyes',
  ticketNumber: 'T20260101.0042',
  companyName: 'Contoso',
  expiresInMinutes: 10,
  expiresAt: Date.now() + 10 * 60_000,
};
await sms.send({
  route: 'sms',
  tenantId: 'msp-demo',
  to: '+15550100001',
  text: 'QDesk code 482913. Only read it to Dana Reyes.',
  sessionId: 'demo-1',
  context,
});
// [console-sms] SMS to +15550100001 (session demo-1) accepted
//     QDesk code 482913. Only read it to Dana Reyes.

export {};
