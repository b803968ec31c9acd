/** v1 messages of each route, for the channel kit, partners' channel tests, the broken channels and the memory channel tests. */
import type {
  CodeMessageContext,
  EmailMessage,
  OutboundMessage,
  PushMessage,
  SmsMessage,
} from '../ports/channel.js';
import type { Device, Route } from '../types.js';

/** The content of a code message; the code is distinctive so a test can find it in a payload or a log. @public */
export const sampleCodeContext = (): CodeMessageContext => ({
  code: '482913',
  technicianName: 'Dana Reyes',
  ticketNumber: 'T20260101.0042',
  companyName: 'Contoso Dental',
  expiresInMinutes: 10,
  // Far enough ahead that a channel which bounds provider retries by it (Twilio `ValidityPeriod`) sends it.
  expiresAt: Date.now() + 10 * 60_000,
});

/** An SMS carrying the code, with `overrides` applied. @public */
export const sampleSmsMessage = (overrides: Partial<SmsMessage> = {}): SmsMessage => ({
  route: 'sms',
  tenantId: 'tenant-conformance',
  to: '+15550100001',
  text: `QDesk code ${sampleCodeContext().code}. Only read it to Dana Reyes.`,
  sessionId: 'sess_conformance_sms',
  context: sampleCodeContext(),
  ...overrides,
});

/** An email carrying the code, with `overrides` applied. @public */
export const sampleEmailMessage = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  route: 'email',
  tenantId: 'tenant-conformance',
  to: 'jo.user@contoso.example',
  subject: 'Your QDesk verification code',
  text: `Your code is ${sampleCodeContext().code}. Only read it to Dana Reyes.`,
  html: `<p>Your code is <b>${sampleCodeContext().code}</b>. Only read it to Dana Reyes.</p>`,
  sessionId: 'sess_conformance_email',
  context: sampleCodeContext(),
  ...overrides,
});

/** A registered iOS device reached by push. @public */
export const sampleDevice = (id = 'dev-conformance', pushAddress = `apns-token-${id}`): Device => ({
  id,
  platform: 'ios',
  pushAddress,
  notificationPermission: 'granted',
});

/** A push challenge (no code), with `overrides` applied. @public */
export const samplePushMessage = (overrides: Partial<PushMessage> = {}): PushMessage => ({
  route: 'push',
  tenantId: 'tenant-conformance',
  device: sampleDevice(),
  challengeId: 'sess_conformance_push',
  title: 'Verify it is you',
  body: 'Dana Reyes (ticket T20260101.0042, Contoso Dental) asks you to confirm.',
  ttlSeconds: 60,
  display: {
    technicianName: 'Dana Reyes',
    ticketNumber: 'T20260101.0042',
    companyName: 'Contoso Dental',
    method: 'push',
  },
  ...overrides,
});

/** A valid message of another route than `route`: what a channel of `route` must refuse. @internal */
export const messageOfAnotherRoute = (route: Route): OutboundMessage =>
  route === 'sms' ? sampleEmailMessage() : sampleSmsMessage();

/** What a device receives of a push: the challenge and its display text (never the push address). @internal */
export const pushPayload = (message: PushMessage): string =>
  JSON.stringify({
    challengeId: message.challengeId,
    title: message.title,
    body: message.body,
    display: message.display,
  });
