import type { OutboundMessage } from '../ports/channel.js';
import { runChannelConformance } from '../testing/channel-conformance.js';
import {
  pushPayload,
  sampleDevice,
  sampleEmailMessage,
  samplePushMessage,
  sampleSmsMessage,
} from '../testing/messages.js';
import type { Route } from '../types.js';
import { createOutboxChannel, type OutboxChannel } from './outbox-channel.js';

/** What the end-user gets of each message the outbox took. */
const textOf = (message: OutboundMessage) => (message.route === 'push' ? pushPayload(message) : message.text);

const suites: Record<
  Route,
  { accepted: () => OutboundMessage; dead: OutboundMessage; busy: OutboundMessage }
> = {
  sms: {
    accepted: () => sampleSmsMessage(),
    dead: sampleSmsMessage({ to: '+15005550001' }),
    busy: sampleSmsMessage({ to: '+15005550429' }),
  },
  email: {
    accepted: () => sampleEmailMessage(),
    dead: sampleEmailMessage({ to: 'gone@contoso.example' }),
    busy: sampleEmailMessage({ to: 'busy@contoso.example' }),
  },
  push: {
    accepted: () => samplePushMessage(),
    dead: samplePushMessage({ device: sampleDevice('dev-dead') }),
    busy: samplePushMessage({ device: sampleDevice('dev-busy') }),
  },
};
const addressOf = (message: OutboundMessage) => (message.route === 'push' ? message.device.id : message.to);

for (const [route, messages] of Object.entries(suites) as [Route, (typeof suites)[Route]][]) {
  let outbox: OutboxChannel;
  runChannelConformance({
    name: `outbox (${route})`,
    create: () => {
      outbox = createOutboxChannel(route);
      outbox.failFor(addressOf(messages.dead), {
        status: 'permanent_failure',
        reason: 'address gone',
        scope: 'address',
      });
      outbox.failFor(addressOf(messages.busy), {
        status: 'transient_failure',
        reason: 'rate limited',
        retryAfterMs: 1000,
      });
      return outbox;
    },
    acceptedMessage: messages.accepted,
    permanentFailureMessage: () => messages.dead,
    transientFailureMessage: () => messages.busy,
    inspect: { received: async () => outbox.messages().map((entry) => textOf(entry.message)) },
  });
}
