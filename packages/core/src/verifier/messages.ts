import type { CodeMessageContext, NoticeMessageContext } from '../ports/channel.js';
import type { Method } from '../types.js';

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

// Control characters (CR/LF that would split an email header, escapes, NUL), line and paragraph separators, and
// bidirectional overrides that make text read differently from what it holds.
const UNSAFE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * Text from outside (a PSA ticket number, a company or technician name) made safe for any message: control
 * characters become one space, runs of spaces one, and it is clipped to `max`. @internal
 */
export function plainText(value: string, max: number): string {
  return clip(value.replace(UNSAFE, ' ').replace(/ {2,}/g, ' ').trim(), max);
}

/** Every text field of a message context made plain, so no message built from it can carry a control character. */
function safe(c: CodeMessageContext): CodeMessageContext {
  return {
    ...c,
    technicianName: plainText(c.technicianName, 100),
    ticketNumber: c.ticketNumber === null ? null : plainText(c.ticketNumber, 64),
    companyName: c.companyName === null ? null : plainText(c.companyName, 100),
  };
}

/** Text made safe to place in HTML, in an element or a quoted attribute. @internal */
export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The SMS text: code first (phones show it in the notification), then who to read it to, so a relayed code is
 * recognised for what it is. Kept within one 160-character segment for technician names up to 30 characters.
 * @internal
 */
export function smsText(appName: string, context: CodeMessageContext): string {
  const c = safe(context);
  const where = c.ticketNumber ? `on ticket ${c.ticketNumber}` : 'at your IT helpdesk';
  return `${c.code} is your ${clip(appName, 20)} code. Only read it to ${clip(c.technicianName, 30)} ${where}. Expires in ${c.expiresInMinutes} min.`;
}

/** Email subject, text and HTML from one template. @internal */
export function emailContent(
  appName: string,
  context: CodeMessageContext,
): { subject: string; text: string; html: string } {
  const c = safe(context);
  const where = c.ticketNumber ? `on ticket ${c.ticketNumber}` : 'at your IT helpdesk';
  const company = c.companyName ? ` (${c.companyName})` : '';
  const lines = [
    `Your ${appName} verification code is ${c.code}.`,
    `Only read this code to ${c.technicianName} ${where}${company}, who is on the phone with you now.`,
    `It expires in ${c.expiresInMinutes} minutes.`,
    'If you did not call your helpdesk, do not share it and tell your IT team.',
  ];
  const html = [
    `<p>Your ${escapeHtml(appName)} verification code is</p>`,
    `<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(c.code)}</p>`,
    ...lines.slice(1).map((l) => `<p>${escapeHtml(l)}</p>`),
  ].join('\n');
  return {
    subject: c.ticketNumber
      ? `Verification code for ticket ${c.ticketNumber}`
      : `Your ${appName} verification code`,
    text: lines.join('\n\n'),
    html,
  };
}

/** Push title and body: display text only; never a code, number or token. @internal */
export function pushContent(
  method: Method,
  shown: { technicianName: string; ticketNumber: string | null; companyName: string | null },
  reverse: { mspName: string } | null = null,
): { title: string; body: string } {
  const display = {
    technicianName: plainText(shown.technicianName, 100),
    ticketNumber: shown.ticketNumber === null ? null : plainText(shown.ticketNumber, 64),
    companyName: shown.companyName === null ? null : plainText(shown.companyName, 100),
  };
  const context = [display.ticketNumber && `ticket ${display.ticketNumber}`, display.companyName]
    .filter(Boolean)
    .join(', ');
  if (reverse) {
    const about = display.ticketNumber ? ` about ticket ${display.ticketNumber}` : '';
    return {
      title: 'Is this really your helpdesk calling?',
      body: `This is ${display.technicianName} from ${plainText(reverse.mspName, 40)}${about}. Ask them for the number on their screen and type it in the app to check.`,
    };
  }
  const who = context ? `${display.technicianName} (${context})` : display.technicianName;
  const ask =
    method === 'number_match'
      ? 'asks you to confirm it is you. Open the app and type the number they read to you.'
      : 'asks you to confirm it is you. Open the app to approve or deny.';
  return { title: 'Is this you on the phone?', body: `${who} ${ask}` };
}

/**
 * The SMS of a reverse verification for an end-user without the app: who is calling, and where to check them. No
 * code: the end-user types the number the technician reads out on the self-serve page. @internal
 */
export function reverseNoticeText(c: NoticeMessageContext): string {
  const about = c.ticketNumber ? ` about ticket ${plainText(c.ticketNumber, 64)}` : '';
  const where = c.link ? `open ${c.link}` : 'open your self-serve page';
  return `${plainText(c.technicianName, 30)} from ${plainText(c.mspName, 30)} is calling you${about}. To check it is really them, ${where} and type the number they read to you. Expires in ${c.expiresInMinutes} min.`;
}
