// What the Insight says: outcome texts, fallback reasons, who is being verified; and where the number or code to
// show is kept for this tab.
import { el } from './api.js';

export const CLOSED = ['approved', 'denied', 'expired', 'cancelled', 'failed'];
export const OUTCOME = {
  approved: 'User Identity Successfully Verified',
  denied: 'Unable to Verify Identity',
  failed: 'Unable to Verify Identity',
  cancelled: 'Unable to Verify Identity',
  expired: 'Verification timed out: no answer within the time allowed. Start a new verification.',
};
// A reverse check proves the technician to the end-user; it never verifies the end-user.
export const REVERSE_OUTCOME = {
  approved: 'Technician Identity Confirmed by End-User',
  denied: 'End-User Could Not Confirm Technician',
  failed: 'Technician Check Could Not Be Delivered',
  cancelled: 'Technician Check Cancelled',
  expired: 'Technician check timed out: no answer within the time allowed.',
};
const FALLBACK_WHY = {
  no_push_device: 'the end-user has no device with the app',
  notifications_denied: 'the app reported notifications turned off',
  push_failed_permanently: 'the push service reported the device gone',
  push_unreachable: 'the app could not be reached',
  channel_failed: 'the previous route failed',
};

// Only this technician's screen may show the number to read out or the code to compare. Kept per tab
// (sessionStorage), so a reload of the same tab shows it again; another tab or technician never sees it.
export const displayKey = (id) => `qdesk-display:${id}`;
export function keepDisplay(id, display) {
  if (display?.matchNumber || display?.code) sessionStorage.setItem(displayKey(id), JSON.stringify(display));
}
export function keptDisplay(id) {
  try {
    return JSON.parse(sessionStorage.getItem(displayKey(id)) ?? '{}');
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
