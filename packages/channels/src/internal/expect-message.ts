import { type Device, InputError, type Route } from '@qdesk/core';
import type { OutboundMessage } from '@qdesk/core/ports';

// Core's root entry exports the `OutboundMessage` union only; its members are named here from it so the channels
// follow the port exactly as core declares it.

/** The message a channel of `route` delivers. */
export type MessageFor<R extends Route> = Extract<OutboundMessage, { route: R }>;
/** A code sent by SMS. */
export type SmsMessage = MessageFor<'sms'>;
/** A code sent by email. */
export type EmailMessage = MessageFor<'email'>;
/** A push challenge (challenge id and display text, never a code). */
export type PushMessage = MessageFor<'push'>;
/** What a code message is about, so a channel can render its own template. */
export type CodeMessageContext = Extract<EmailMessage['context'], { code: string }>;

/** True when the message carries a code; a notice (reverse verification, account notice) carries none. */
export const hasCode = (
  context: SmsMessage['context'] | EmailMessage['context'],
): context is CodeMessageContext => 'code' in context;
/** Platform of a registered device. */
export type DevicePlatform = Device['platform'];

/** What a channel declares about the messages it takes: the fields of the `Channel` port that say so. */
export interface MessageTarget<R extends Route> {
  readonly name: string;
  readonly route: R;
  readonly platforms?: readonly DevicePlatform[];
}

/**
 * Throws an {@link InputError} for a message the channel does not serve: another route, or a push to a device
 * platform outside `channel.platforms`. Per the `Channel` contract that is a routing bug in the caller, not a
 * provider answer, so it must not be reported as a delivery failure; it is thrown before the provider is called.
 * The check reads the channel's own declared `route` and `platforms`, so it cannot drift from what it declares.
 */
export function expectMessageFor<R extends Route>(
  channel: MessageTarget<R>,
  message: OutboundMessage,
): asserts message is MessageFor<R> {
  const route = String(message?.route);
  if (route !== channel.route) {
    throw new InputError(
      `The ${channel.name} channel sends ${channel.route} messages only; it was given a ${route} message. Route it to a ${route} channel.`,
      { issues: [{ path: 'message.route', message: `expected "${channel.route}"` }] },
    );
  }
  const platforms = channel.platforms;
  if (message.route === 'push' && platforms && !platforms.includes(message.device.platform)) {
    throw new InputError(
      `The ${channel.name} channel reaches ${platforms.join(', ')} devices; device ${message.device.id} is ${message.device.platform}. Route it to the channel for that platform.`,
      { issues: [{ path: 'message.device.platform', message: `expected one of ${platforms.join(', ')}` }] },
    );
  }
}
