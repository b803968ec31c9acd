// Run: node --conditions=qdesk-source --import tsx examples/console-demo.ts (from packages/channels)
import { createConsoleChannel } from '@qdesk/channels/console';

const sms = createConsoleChannel('sms');
const push = createConsoleChannel('push');

// In an app these messages come from @qdesk/core's verifier; they are written out here to show the channel alone.
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

const phone = {
  id: 'dev-1',
  platform: 'ios' as const,
  pushAddress: 'a'.repeat(64),
  notificationPermission: 'granted' as const,
};
push.failFor('dev-1', { status: 'permanent_failure', reason: 'token dead (simulated)' });
await push.send({
  route: 'push',
  tenantId: 'msp-demo',
  device: phone,
  challengeId: 'demo-2',
  title: 'Verify it is you',
  body: 'Dana Reyes asks you to confirm.',
  ttlSeconds: 60,
  display: { technicianName: 'Dana Reyes', ticketNumber: null, companyName: null, method: 'push' },
});

// The outbox keeps what was accepted: the demo app's outbox page reads it.
console.info(`Outbox: ${sms.messages().length} SMS, ${push.messages().length} push`);
