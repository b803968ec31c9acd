/**
 * `@qdesk/channels/twilio`: SMS codes through Twilio's Messages API, and a validated handler for Twilio's
 * delivery status callbacks. Needs no Twilio SDK.
 *
 * @packageDocumentation
 */

export type { TwilioParams, TwilioSignatureInput } from './twilio-signature.js';
export { computeTwilioSignature, isValidTwilioSignature } from './twilio-signature.js';
export type { TwilioSmsChannel, TwilioSmsSettings } from './twilio-sms.js';
export { createTwilioSms } from './twilio-sms.js';
export type {
  TwilioStatusCallbackHandlerSettings,
  TwilioStatusCallbackInput,
  TwilioStatusCallbackResult,
} from './twilio-status-callback.js';
export {
  createTwilioStatusCallbackHandler,
  readTwilioStatusCallback,
  TWILIO_SESSION_PARAM,
  TWILIO_TENANT_PARAM,
} from './twilio-status-callback.js';
