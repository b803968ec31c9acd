/**
 * `@qdesk/channels`: delivery channels for QDesk, each behind its own subpath so you install only the SDKs you
 * use: `@qdesk/channels/twilio`, `/smtp`, `/graph`, `/web-push`, `/fcm`, `/apns` and `/console`.
 *
 * This root entry holds the shared helpers only (SMS segment counting, the push payload shape, the logger type);
 * it loads no third-party SDK.
 *
 * @packageDocumentation
 */

export type { FetchFunction } from './fetch-function.js';
export type { ChannelLogger } from './logger.js';
export { silentLogger } from './logger.js';
export type { QdeskPushPayload } from './push-payload.js';
export { buildPushPayload, flattenPushPayload } from './push-payload.js';
export type { SmsSegmentCount } from './sms-segments.js';
export { countSmsSegments, fitsOneSmsSegment } from './sms-segments.js';
