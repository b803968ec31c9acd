// What the Insight says: step and outcome texts, fallback reasons, who is being verified; and where the number or
// code to show is kept for this tab. The outcome headlines and reasons are core's (the page carries them in
// data-words), so the screen says what the ticket note says.
import { el, tabStorage } from './api.js';

export const CLOSED = ['approved', 'denied', 'expired', 'cancelled', 'failed'];

/** As src/methods.ts names them (the page does not carry the names of methods a policy turned off). */
export const METHOD_NAME = {
  number_match: 'Number match',
  push_code: 'Push + code',
  sms: 'SMS code',
  push: 'Approve-only push',
  email: 'Email code',
};

/** The manual's words for a push waiting on the end-user, and for the Approve it then shows. */
export const WAITING = 'Waiting for approval';
export const APPROVED_ON_DEVICE = '✓ Approved on the end-user’s device';

/** Reasons after which the manual closes with CANCEL ("Unable to Verify Identity"); every other outcome with OK. */
const DENIALS = ['end_user_denied', 'technician_denied', 'wrong_number', 'too_many_attempts'];
export const closeLabel = (reason) => (DENIALS.includes(reason) ? 'CANCEL' : 'OK');

/** While a verification is shown and the connection drops: what happens, and what the technician can do. */
export const OFFLINE_DURING =
  'No connection to QDesk: check your network. The verification goes on; this page catches up when the connection is back.';
export const OFFLINE_IDLE = 'No connection to QDesk: check your network.';
export const OFFLINE_SEND = 'No connection to QDesk: check your network, then press SEND again.';
export const BACK_ONLINE = 'Connection back: this page shows the verification as it is now.';

export const announceLeft = (s) => `${s} seconds left to answer.`;
export const TIME_UP = 'Time is up.';

const FALLBACK_WHY = {
  no_push_device: 'the end-user has no device with the app',
  notifications_denied: 'the app reported notifications turned off',
  push_failed_permanently: 'the push service reported the device gone',
  push_unreachable: 'the app could not be reached',
  channel_failed: 'the previous route failed',
};

// Only this technician's tab may show the number to read out or the code to compare. Kept per tab
// (sessionStorage), so a reload or Back in the same tab shows it again; another tab or technician never sees it.
export const displayKey = (id) => `qdesk-display:${id}`;
// The verification this tab shows on a ticket, until the technician closes its outcome: back on the page after the
// end-user answered (Back, reload), the tab shows the outcome rather than an empty picker.
export const shownKey = (ticketId) => `qdesk-shown:${ticketId}`;
export function keepDisplay(id, display) {
  if (display?.matchNumber || display?.code) tabStorage.setItem(displayKey(id), JSON.stringify(display));
}
export function keptDisplay(id) {
  try {
    return JSON.parse(tabStorage.getItem(displayKey(id)) ?? '{}');
  } catch {
    return {};
  }
}

/** "Ana Silva · phone +1•••0001 · email a•••@northwind.example": who, never a full number or address. */
export function whoText(u) {
  if (!u) return '';
  const phone = u.maskedPhone ? `phone ${u.maskedPhone}` : 'no phone on file';
  return [u.displayName, phone, ...(u.maskedEmail ? [`email ${u.maskedEmail}`] : [])].join(' · ');
}

/** Where a request went, in a few words: "SMS to +1•••0001", "the QDesk app". */
export function sentTo(session) {
  if (session.status === 'sent')
    return `${session.route === 'sms' ? 'SMS' : 'Email'} to ${session.destination}`;
  return 'the end-user’s QDesk app';
}

/** Why a push became a code, when it did. */
export function fallbackNote(session) {
  const last = session.fallbacks?.at(-1);
  if (!last) return null;
  const why = FALLBACK_WHY[last.reason] ?? last.reason;
  return el('p', {
    class: 'note',
    'data-fallback': last.reason,
    text: `Push not possible (${why}): a ${last.to.toUpperCase()} code was sent instead.`,
  });
}
