/**
 * `@qdesk/channels/web-push`: push challenges to browsers with Web Push and VAPID, through the `web-push`
 * package (an optional peer dependency).
 *
 * @packageDocumentation
 */

export type { WebPushSubscription } from './subscription.js';
export type {
  VapidDetails,
  WebPushChannel,
  WebPushLibrary,
  WebPushSendOptions,
  WebPushSettings,
} from './web-push-channel.js';
export { createWebPush } from './web-push-channel.js';
