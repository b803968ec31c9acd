import { describe, expect, it } from 'vitest';
import type { Channel, DeliveryResult, OutboundMessage } from '../ports/channel.js';

/** Options for {@link runChannelConformance}. @public */
export interface ChannelConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A ready channel (called once per test). */
  create: () => Channel | Promise<Channel>;
  /** Releases what `create` opened. */
  cleanup?: (channel: Channel) => void | Promise<void>;
  /** A message the provider (or its local fake) accepts. */
  acceptedMessage: () => OutboundMessage;
  /** A message the provider refuses for good (invalid number, unsubscribed, dead token, rejected address). */
  permanentFailureMessage?: () => OutboundMessage | Promise<OutboundMessage>;
  /** Puts the provider in a temporary failure (rate limit, 5xx) and returns a message to send into it. */
  transientFailureMessage?: () => OutboundMessage | Promise<OutboundMessage>;
  /** Reads what the provider received for the last accepted message, decoded to text (body or payload). */
  inspect?: { lastReceived(): Promise<string | null> };
  /** Per-test timeout in ms (default 20 s). */
  timeoutMs?: number;
}

const otherKind = (kind: OutboundMessage['kind']): OutboundMessage =>
  kind === 'sms'
    ? {
        kind: 'email',
        to: 'x@example.com',
        subject: 's',
        text: 't',
        html: '<p>t</p>',
        sessionId: 's',
        context: {
          code: '123456',
          technicianName: 'T',
          ticketNumber: null,
          companyName: null,
          expiresInMinutes: 10,
        },
      }
    : {
        kind: 'sms',
        to: '+15550000000',
        text: 't',
        sessionId: 's',
        context: {
          code: '123456',
          technicianName: 'T',
          ticketNumber: null,
          companyName: null,
          expiresInMinutes: 10,
        },
      };

const isResult = (r: DeliveryResult) => {
  expect(['accepted', 'permanent_failure', 'transient_failure']).toContain(r.status);
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  if (r.status !== 'accepted') expect(r.reason.length).toBeGreaterThan(0);
};

/**
 * The shared test suite every {@link Channel} must pass. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * runChannelConformance({
 *   name: 'my-sms', create: () => createMySms(settings),
 *   acceptedMessage: () => ({ kind: 'sms', to: '+15550100001', text: 'Code 123456', sessionId: 's1', context }),
 *   permanentFailureMessage: () => ({ ...accepted, to: '+15005550001' }),
 * });
 * ```
 * @public
 */
export function runChannelConformance(options: ChannelConformanceOptions): void {
  const timeout = options.timeoutMs ?? 20_000;
  const withChannel = (fn: (channel: Channel) => Promise<void>) => async () => {
    const channel = await options.create();
    try {
      await fn(channel);
    } finally {
      await options.cleanup?.(channel);
    }
  };

  describe(`Channel conformance: ${options.name}`, () => {
    it(
      'names itself and serves the kind of its messages',
      withChannel(async (channel) => {
        expect(channel.name.length).toBeGreaterThan(0);
        expect(channel.kind).toBe(options.acceptedMessage().kind);
        if (channel.kind === 'push') expect(channel.platforms?.length ?? 0).toBeGreaterThan(0);
      }),
      timeout,
    );

    it(
      'accepts a valid message',
      withChannel(async (channel) => {
        const result = await channel.send(options.acceptedMessage());
        isResult(result);
        expect(result.status).toBe('accepted');
      }),
      timeout,
    );

    it.skipIf(!options.inspect)(
      'delivers the content, and a push carries the challenge id but no code',
      withChannel(async (channel) => {
        const message = options.acceptedMessage();
        await channel.send(message);
        const received = await options.inspect!.lastReceived();
        expect(received).not.toBeNull();
        if (message.kind === 'push') {
          expect(received).toContain(message.challengeId);
          expect(received).not.toMatch(/"(code|token)"\s*:/i);
        } else {
          expect(received).toContain(message.context.code);
        }
      }),
      timeout,
    );

    it.skipIf(!options.permanentFailureMessage)(
      'reports a permanent failure for an address that can never work',
      withChannel(async (channel) => {
        const result = await channel.send(await options.permanentFailureMessage!());
        isResult(result);
        expect(result.status).toBe('permanent_failure');
      }),
      timeout,
    );

    it.skipIf(!options.transientFailureMessage)(
      'reports a transient failure when the provider fails for now',
      withChannel(async (channel) => {
        const result = await channel.send(await options.transientFailureMessage!());
        isResult(result);
        expect(result.status).toBe('transient_failure');
      }),
      timeout,
    );

    it(
      'refuses a message of another kind by throwing, without sending',
      withChannel(async (channel) => {
        await expect(channel.send(otherKind(channel.kind === 'sms' ? 'sms' : 'email'))).rejects.toThrow();
      }),
      timeout,
    );
  });
}
