import type { CodeMessageContext } from '../ports/channel.js';
import type { Method } from '../types.js';

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The SMS text: code first (phones show it in the notification), then who to read it to, so a relayed code is
 * recognised for what it is. Kept within one 160-character segment for technician names up to 30 characters.
 * @internal
 */
export function smsText(appName: string, c: CodeMessageContext): string {
  const where = c.ticketNumber ? `on ticket ${c.ticketNumber}` : 'at your IT helpdesk';
  return `${c.code} is your ${clip(appName, 20)} code. Only read it to ${clip(c.technicianName, 30)} ${where}. Expires in ${c.expiresInMinutes} min.`;
}

/** Email subject, text and HTML from one template. @internal */
export function emailContent(
  appName: string,
  c: CodeMessageContext,
): { subject: string; text: string; html: string } {
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
  display: { technicianName: string; ticketNumber: string | null; companyName: string | null },
): { title: string; body: string } {
  const context = [display.ticketNumber && `ticket ${display.ticketNumber}`, display.companyName]
    .filter(Boolean)
    .join(', ');
  const who = context ? `${display.technicianName} (${context})` : display.technicianName;
  const ask =
    method === 'number_match'
      ? 'asks you to confirm it is you. Open the app and type the number they read to you.'
      : 'asks you to confirm it is you. Open the app to approve or deny.';
  return { title: 'Is this you on the phone?', body: `${who} ${ask}` };
}
