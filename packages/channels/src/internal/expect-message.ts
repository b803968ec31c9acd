import { type DevicePlatform, InputError, type OutboundMessage, type PushMessage } from '@qdesk/core';

/**
 * Throws an {@link InputError} for a message of another kind: per the `Channel` contract that is a routing bug in
 * the caller, not a provider answer, so it must not be reported as a delivery failure.
 */
export function expectKind<K extends OutboundMessage['kind']>(
  channel: string,
  message: OutboundMessage,
  kind: K,
): asserts message is Extract<OutboundMessage, { kind: K }> {
  if (message?.kind !== kind) {
    throw new InputError(
      `The ${channel} channel sends ${kind} messages only; it was given a ${String(message?.kind)} message. Route it to a ${String(message?.kind)} channel.`,
      [{ path: 'message.kind', message: `expected "${kind}"` }],
    );
  }
}

/** Throws for a push to a device platform this channel does not reach (same reasoning as {@link expectKind}). */
export function expectPlatform(
  channel: string,
  message: PushMessage,
  platforms: readonly DevicePlatform[],
): void {
  if (!platforms.includes(message.device.platform)) {
    throw new InputError(
      `The ${channel} channel reaches ${platforms.join(', ')} devices; device ${message.device.id} is ${message.device.platform}. Route it to the channel for that platform.`,
      [{ path: 'message.device.platform', message: `expected one of ${platforms.join(', ')}` }],
    );
  }
}
