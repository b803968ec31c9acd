// What the self-serve page says: times, and the end-user's words for each request and each answer.
import { mmss } from './countdown.js';

export const clockTime = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Milliseconds left as `m:ss`, rounded up: "0:01" until the very end. */
export const left = (ms) => mmss(Math.max(0, Math.ceil(ms / 1000)));

/** The sentence for a request that closed, in the end-user's words, by its outcome reason. */
export function closedText(challenge, reason) {
  const { technicianName, mspName } = challenge.display;
  const reverse = challenge.purpose === 'reverse';
  const nothing = reverse ? 'Nothing was confirmed.' : 'Nothing was approved.';
  switch (reason) {
    case 'expired':
      return `The request from ${technicianName} expired before it was answered. ${nothing}`;
    case 'superseded':
      return `${technicianName} replaced the request with a newer one. Answer the newest request only.`;
    case 'cancelled':
      return `${technicianName} cancelled the request. ${nothing}`;
    case 'cancelled_by_system':
    case 'not_delivered':
      return `The request from ${technicianName} could not be completed and was closed. ${nothing}`;
    case 'approved':
      return `The request from ${technicianName} was already answered on another device.`;
    case 'end_user_denied':
      return `The request from ${technicianName} was denied on another device. ${nothing}`;
    case 'wrong_number':
      return `A number that did not match was typed for the request from ${technicianName}. ${nothing}`;
    case 'technician_denied':
    case 'too_many_attempts':
      return `${technicianName} closed the request without approving it. ${nothing}`;
    default:
      return reverse
        ? `The check of ${technicianName} from ${mspName} is closed. ${nothing}`
        : `The request from ${technicianName} is closed. ${nothing}`;
  }
}

/** What the end-user reads after answering: what it did, and what to do next. */
export function resultText(challenge, choice, reason) {
  const { technicianName, mspName } = challenge.display;
  if (challenge.purpose === 'reverse') {
    if (reason === 'approved') return `Confirmed: this is really ${technicianName} from ${mspName}.`;
    if (reason === 'wrong_number')
      return `Not confirmed: the number did not match. Give this caller nothing; hang up and call ${mspName} on the number you know.`;
    if (reason === 'end_user_denied')
      return `You did not confirm this caller. Give them nothing; hang up and call ${mspName} on the number you know.`;
    return closedText(challenge, reason);
  }
  if (reason === 'approved')
    return `Approved. Tell ${technicianName} you have approved it: your helpdesk sees it on their screen now.`;
  // A typed number is checked at once and a wrong one closes the request, so a guess cannot be retried.
  if (reason === 'wrong_number')
    return 'That number did not match the one your helpdesk read out. Nothing was approved; ask them to send a new request.';
  if (reason === 'end_user_denied' && choice === 'deny')
    return 'You denied the request. Nothing was approved. If you did not ask your helpdesk for help, tell your IT team.';
  return closedText(challenge, reason);
}

export function arrivalText(c) {
  return c.purpose === 'reverse'
    ? `New request from your helpdesk: ${c.display.technicianName} from ${c.display.mspName} asks you to check it is really them calling.`
    : `New request from your helpdesk: ${c.display.technicianName} is asking you to confirm it is you.`;
}
