/**
 * Deliberately broken channels over a recording fake provider, one mistake each, to show that every channel rule can
 * fail and says what to fix. Not exported from the package.
 */
import type { Channel, DeliveryResult, OutboundMessage } from '../../ports/channel.js';
import type { Route } from '../../types.js';
import { codeIn } from '../_helpers.js';
import { pushPayload } from '../messages.js';

/** The mistake a broken channel makes. @internal */
export type ChannelFlaw =
  | 'declares v0 and kind'
  | 'refuses everything'
  | 'answers with a class instance'
  | 'sends the text without the code'
  | 'puts the push token in the payload'
  | 'swaps permanent and transient'
  | 'gives no scope'
  | 'sends any route'
  | 'checks the route after sending'
  | 'logs the message'
  | 'reads a code from every message';

/** Addresses (phone, email, device id) the fake provider refuses for good or fails for now. @internal */
export const brokenChannelAddresses = {
  dead: ['+15005550001', 'dev-dead'],
  busy: ['+15005550429', 'dev-busy'],
};

/** A broken channel with what its fake provider received and what it logged. @internal */
export interface BrokenChannel {
  /** The channel under test. */
  channel: Channel;
  /** Payloads the provider received, as the end-user gets them. */
  received: string[];
  /** Lines the channel logged. */
  logs: string[];
}

class ProviderAnswer {
  constructor(readonly id: string) {}
}

const addressOf = (m: OutboundMessage) => (m.route === 'push' ? m.device.id : m.to);

/** A channel of `route` that makes `flaw` and is otherwise correct. @internal */
export function createBrokenChannel(route: Route, flaw: ChannelFlaw): BrokenChannel {
  const received: string[] = [];
  const logs: string[] = [];
  const has = (f: ChannelFlaw) => flaw === f;
  const deliver = (message: OutboundMessage) => {
    if (message.route !== 'push') {
      received.push(
        has('sends the text without the code')
          ? message.text.replace(codeIn(message), '******')
          : message.text,
      );
    } else {
      const payload = JSON.parse(pushPayload(message));
      received.push(
        JSON.stringify(
          has('puts the push token in the payload')
            ? { ...payload, token: message.device.pushAddress }
            : payload,
        ),
      );
    }
  };
  const refuse = (): never => {
    throw new Error(`This ${route} channel cannot send another route's message.`);
  };
  const send = async (message: OutboundMessage): Promise<DeliveryResult> => {
    if (message.route !== route && !has('sends any route') && !has('checks the route after sending'))
      refuse();
    if (has('logs the message')) logs.push(`sending ${JSON.stringify(message)}`);
    if (has('reads a code from every message') && message.route !== 'push') {
      // The mistake: every SMS or email is taken for a code message, so a notice without a code throws.
      const { code } = message.context as { code: string };
      if (code.length === 0) throw new Error('This channel needs a code.');
    }
    if (has('refuses everything')) return { status: 'transient_failure', reason: 'provider down' };
    const address = addressOf(message);
    const swap = has('swaps permanent and transient');
    if (brokenChannelAddresses.dead.includes(address)) {
      if (swap) return { status: 'transient_failure', reason: 'invalid address' };
      return has('gives no scope')
        ? { status: 'permanent_failure', reason: 'invalid address' }
        : { status: 'permanent_failure', reason: 'invalid address', scope: 'address' };
    }
    if (brokenChannelAddresses.busy.includes(address)) {
      return swap
        ? { status: 'permanent_failure', reason: '', scope: 'address' }
        : { status: 'transient_failure', reason: 'rate limited', retryAfterMs: 1000 };
    }
    deliver(message);
    if (message.route !== route && has('checks the route after sending')) refuse();
    const id = `msg-${received.length}`;
    if (has('answers with a class instance'))
      return { status: 'accepted', providerMessageId: new ProviderAnswer(id) as never };
    return { status: 'accepted', providerMessageId: id };
  };
  return {
    channel: {
      specificationVersion: (has('declares v0 and kind') ? 'v0' : 'v1') as 'v1',
      route: (has('declares v0 and kind') ? undefined : route) as Route,
      name: `broken-${route}`,
      ...(route === 'push' ? { platforms: ['ios'] as const } : {}),
      send,
    },
    received,
    logs,
  };
}
