import { createTwilioSms, createTwilioStatusCallbackHandler } from '@qdesk/channels/twilio';
import type { Verifier } from '@qdesk/core';

declare const verifier: Verifier; // yours, from createVerifier

const sms = createTwilioSms({
  accountSid: process.env.TWILIO_ACCOUNT_SID!,
  authToken: process.env.TWILIO_AUTH_TOKEN!,
  messagingServiceSid: process.env.TWILIO_MESSAGING_SERVICE_SID!,
  statusCallbackUrl: 'https://qdesk.example.com/twilio/status', // ?sessionId=…&tenantId=… appended per SMS
  logger: console, // warns when a text needs more than one SMS segment
});

// Delivery reports: a Fetch-API handler (Hono, Next.js route, Node's Request...) that checks X-Twilio-Signature.
// Twilio signs the URL with its query, so the session and tenant it reports are the ones the SMS was sent for.
const onStatus = createTwilioStatusCallbackHandler({
  authToken: process.env.TWILIO_AUTH_TOKEN!,
  publicOrigin: 'https://qdesk.example.com', // when behind a proxy that rewrites the host
  onReport: (report) => verifier.reportDelivery(report),
});

export {};
