import type { PushMessage } from './internal/expect-message.js';

/**
 * What every QDesk push channel delivers to the end-user's app (Web Push: the decrypted JSON; APNs: the `qdesk`
 * key beside `aps`; FCM: the same fields flattened into string `data`). It carries the challenge id and display
 * text only: never a code or a token, so a notification shown on a lock screen gives nothing away.
 * @public
 */
export interface QdeskPushPayload {
  /** Marks a QDesk challenge, so an app that receives other pushes can tell them apart. */
  type: 'qdesk.challenge';
  /** The session id the app uses to fetch and answer the challenge. */
  challengeId: string;
  /** Notification title. */
  title: string;
  /** Notification body. */
  body: string;
  /** Display fields for the app's challenge screen. */
  display: {
    /** The technician asking. */
    technicianName: string;
    /** Ticket number, when the verification is bound to a ticket. */
    ticketNumber: string | null;
    /** Client company name, when known. */
    companyName: string | null;
    /** The verification method (`push`, `push_code`, `number_match`). */
    method: string;
  };
}

/**
 * Builds the {@link QdeskPushPayload} for a push message. Fields are copied one by one, so a property added to
 * the message later cannot leak into what the device receives.
 * @example
 * ```ts
 * // In a service worker: const payload = event.data.json() as QdeskPushPayload;
 * const payload = buildPushPayload(message);
 * ```
 * @public
 */
export function buildPushPayload(message: PushMessage): QdeskPushPayload {
  return {
    type: 'qdesk.challenge',
    challengeId: message.challengeId,
    title: message.title,
    body: message.body,
    display: {
      technicianName: message.display.technicianName,
      ticketNumber: message.display.ticketNumber,
      companyName: message.display.companyName,
      method: message.display.method,
    },
  };
}

/**
 * The payload flattened to string values, for providers whose data map takes strings only (FCM). Absent
 * ticket or company fields are left out rather than sent as empty strings.
 * @public
 */
export function flattenPushPayload(payload: QdeskPushPayload): Record<string, string> {
  const data: Record<string, string> = {
    type: payload.type,
    challengeId: payload.challengeId,
    title: payload.title,
    body: payload.body,
    technicianName: payload.display.technicianName,
    method: payload.display.method,
  };
  if (payload.display.ticketNumber !== null) data.ticketNumber = payload.display.ticketNumber;
  if (payload.display.companyName !== null) data.companyName = payload.display.companyName;
  return data;
}
