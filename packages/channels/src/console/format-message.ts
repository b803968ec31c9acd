import type { DeliveryResult, OutboundMessage } from '@qdesk/core/ports';

/** What the message's id names: a verification session, or an account notice's own id (no session). */
const idOf = (message: { sessionId: string; context: object }) =>
  'kind' in message.context && message.context.kind !== 'reverse_notice'
    ? `notice ${message.sessionId}`
    : `session ${message.sessionId}`;

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/**
 * Renders a sent message for a terminal: the route, the address, the session (or notice) and the full content, so a
 * developer running the demo can read the code or the sign-in link off the screen as the end-user would off their
 * phone.
 */
export function formatMessage(channelName: string, message: OutboundMessage, result: DeliveryResult): string {
  const outcome = result.status === 'accepted' ? 'accepted' : `NOT SENT (${result.status}: ${result.reason})`;
  switch (message.route) {
    case 'sms':
      return [
        `[${channelName}] SMS to ${message.to} (${idOf(message)}) ${outcome}`,
        indent(message.text),
      ].join('\n');
    case 'email':
      return [
        `[${channelName}] Email to ${message.to} (${idOf(message)}) ${outcome}`,
        `    Subject: ${message.subject}`,
        indent(message.text),
      ].join('\n');
    case 'push':
      return [
        `[${channelName}] Push to device ${message.device.id} (${message.device.platform}) for challenge ${message.challengeId}, TTL ${message.ttlSeconds}s ${outcome}`,
        `    ${message.title}`,
        indent(message.body),
      ].join('\n');
  }
}
