import type { Channel, DeliveryResult, OutboundMessage } from '../ports/channel.js';
import { channelNoticeRules } from './_channel-notice-rules.js';
import { codeIn, describeError, needsFrom, plainJsonProblem, settle, show } from './_helpers.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';
import { messageOfAnotherRoute } from './messages.js';

/** Options for {@link runChannelConformance}. @public */
export interface ChannelConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A ready channel (called once per rule). */
  create: () => Channel | Promise<Channel>;
  /** Releases what `create` opened. */
  cleanup?: (channel: Channel) => void | Promise<void>;
  /** A v1 message of the channel's route (with `route` and `tenantId`) that the provider, or its fake, accepts. */
  acceptedMessage: () => OutboundMessage;
  /** A message the provider refuses for good (invalid number, unsubscribed, dead token); without it those rules skip. */
  permanentFailureMessage?: () => OutboundMessage | Promise<OutboundMessage>;
  /** Puts the provider in a temporary failure (rate limit, 5xx) and returns a message to send into it. */
  transientFailureMessage?: () => OutboundMessage | Promise<OutboundMessage>;
  /** Reads the provider's side directly, bypassing the channel. */
  inspect: {
    /**
     * Everything the provider (or its fake) has received so far, oldest first, each decoded to the text the end-user
     * gets: the SMS body, the email text, the push payload a device sees (without the request's addressing fields).
     */
    received(): Promise<string[]>;
    /** Every line the channel logged so far; without it the logging rule skips. */
    logs?(): Promise<string[]>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each channel rule checks. @public */
export interface ChannelSubject {
  /** The channel under test. */
  channel: Channel;
  /** A message the provider accepts. */
  acceptedMessage: () => OutboundMessage;
  /** A message the provider refuses for good, when the options give one. */
  permanentFailureMessage: (() => OutboundMessage | Promise<OutboundMessage>) | null;
  /** A message the provider fails for now, when the options give one. */
  transientFailureMessage: (() => OutboundMessage | Promise<OutboundMessage>) | null;
  /** Direct reads of the provider's side. */
  inspect: ChannelConformanceOptions['inspect'];
}

const STATUSES = ['accepted', 'permanent_failure', 'transient_failure'];
const SCOPES = ['address', 'message', 'configuration'];

/** Checks the shape every answer shares: a known status, a reason on failures, plain JSON. */
function mustBeDeliveryResult(result: DeliveryResult, sent: string) {
  must(
    STATUSES.includes(result?.status),
    `send() of ${sent} resolved with ${show(result)}; resolve with a DeliveryResult (status ${STATUSES.join(', ')}).`,
  );
  const problem = plainJsonProblem(result);
  must(
    problem === null,
    `send() of ${sent} resolved with a result that is not plain JSON: ${problem}; return plain data.`,
  );
  if (result.status !== 'accepted') {
    must(
      typeof result.reason === 'string' && result.reason.length > 0,
      `a ${result.status} carries reason ${show(result.reason)}; say in words what the provider answered.`,
    );
  }
}

/** Sends `message` and returns the result with what the provider received because of it. */
async function sendAndInspect({ channel, inspect }: ChannelSubject, message: OutboundMessage) {
  const before = (await inspect.received()).length;
  const result = await channel.send(message);
  const received = (await inspect.received()).slice(before);
  return { result, received };
}

/**
 * Every rule a {@link Channel} must follow, as data: {@link runChannelConformance} registers each as a test;
 * `checkRules` runs them anywhere.
 * @public
 */
export const channelRules: readonly KitRule<ChannelSubject>[] = [
  {
    name: 'declares specificationVersion v1, a name, and the route its messages take',
    async check({ channel, acceptedMessage }) {
      must(
        channel.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(channel.specificationVersion)}; set it to 'v1'.`,
      );
      must(
        typeof channel.name === 'string' && channel.name.length > 0,
        `name is ${show(channel.name)}; give a short name for logs.`,
      );
      const message = acceptedMessage();
      must(
        message.route === channel.route,
        `the channel serves route ${show(channel.route)} but the kit's acceptedMessage() takes route ${show(message.route)}; declare route (it replaced kind) and give v1 messages.`,
      );
      must(
        typeof message.tenantId === 'string' && message.tenantId.length > 0,
        `the kit's acceptedMessage() has tenantId ${show(message.tenantId)}; v1 messages carry route and tenantId.`,
      );
      if (channel.route === 'push') {
        must(
          (channel.platforms?.length ?? 0) > 0,
          'a push channel must list the device platforms it reaches (platforms).',
        );
      }
    },
  },
  {
    name: 'accepts a valid message',
    async check({ channel, acceptedMessage }) {
      const result = await channel.send(acceptedMessage());
      must(
        result?.status === 'accepted',
        `send() of the accepted message answered ${show(result)}; a message the provider took is { status: 'accepted' }.`,
      );
    },
  },
  {
    name: 'answers with a DeliveryResult that is plain JSON',
    async check({ channel, acceptedMessage, permanentFailureMessage, transientFailureMessage }) {
      mustBeDeliveryResult(await channel.send(acceptedMessage()), 'the accepted message');
      if (permanentFailureMessage) {
        mustBeDeliveryResult(
          await channel.send(await permanentFailureMessage()),
          'the permanent failure message',
        );
      }
      if (transientFailureMessage) {
        mustBeDeliveryResult(
          await channel.send(await transientFailureMessage()),
          'the transient failure message',
        );
      }
    },
  },
  {
    name: 'delivers a code message with its code',
    needs: 'code route',
    async check(subject) {
      const message = subject.acceptedMessage();
      const { received } = await sendAndInspect(subject, message);
      must(
        received.length === 1,
        `the provider received ${received.length} payloads for one send; send exactly one.`,
      );
      must(
        message.route !== 'push' && received[0]!.includes(codeIn(message)),
        `the provider received ${show(received[0])}, without the code; the end-user must get the code.`,
      );
    },
  },
  {
    name: 'a push carries the challenge id, and no code or token',
    needs: 'push route',
    async check(subject) {
      const message = subject.acceptedMessage();
      must(message.route === 'push', 'the push rule needs a push acceptedMessage().');
      const { received } = await sendAndInspect(subject, message);
      must(
        received.length === 1,
        `the provider received ${received.length} payloads for one push; send exactly one.`,
      );
      const payload = received[0]!;
      must(
        payload.includes(message.challengeId),
        `the push payload ${show(payload)} lacks the challenge id; the app fetches the challenge by it.`,
      );
      const field = /"(code|otp|token|secret)"\s*:/i.exec(payload);
      must(
        !field,
        `the push payload has a ${field?.[1]} field; a push carries the challenge id and display text only.`,
      );
      must(
        !payload.includes(message.device.pushAddress),
        "the push payload holds the device's push address; it addresses the request and never goes into the payload.",
      );
    },
  },
  {
    name: 'reports a permanent failure for an address that can never work',
    needs: 'permanentFailureMessage',
    async check({ channel, permanentFailureMessage }) {
      const result = await channel.send(await permanentFailureMessage!());
      mustBeDeliveryResult(result, 'the permanent failure message');
      must(
        result.status === 'permanent_failure',
        `send() to an address that can never work answered ${show(result)}; classify that provider answer as permanent_failure.`,
      );
    },
  },
  {
    name: 'a permanent failure states its scope: address, message or configuration',
    needs: 'permanentFailureMessage',
    async check({ channel, permanentFailureMessage }) {
      const result = await channel.send(await permanentFailureMessage!());
      must(result?.status === 'permanent_failure', `the permanent failure message answered ${show(result)}.`);
      must(
        SCOPES.includes(result.scope as string),
        `a permanent failure has scope ${show(result.scope)}; say what it is about (${SCOPES.join(', ')}): the verifier drops a push address only for address.`,
      );
    },
  },
  {
    name: 'reports a transient failure when the provider fails for now',
    needs: 'transientFailureMessage',
    async check({ channel, transientFailureMessage }) {
      const result = await channel.send(await transientFailureMessage!());
      mustBeDeliveryResult(result, 'the transient failure message');
      must(
        result.status === 'transient_failure',
        `send() while the provider fails for now answered ${show(result)}; classify rate limits and outages as transient_failure.`,
      );
      must(
        result.retryAfterMs === undefined ||
          (Number.isFinite(result.retryAfterMs) && result.retryAfterMs >= 0),
        `retryAfterMs is ${show(result.retryAfterMs)}; give milliseconds (>= 0) or leave it out.`,
      );
    },
  },
  {
    name: 'refuses a message of another route by throwing, before contacting the provider',
    async check({ channel, inspect }) {
      const other = messageOfAnotherRoute(channel.route);
      const before = (await inspect.received()).length;
      const result = await settle(() => channel.send(other));
      must(
        !result.ok,
        `send() of a ${other.route} message to a ${channel.route} channel resolved with ${show(result.ok && result.value)}; throw (a programming error), never answer it.`,
      );
      const after = (await inspect.received()).length;
      must(
        after === before,
        `the provider received ${after - before} payloads before send() threw (${describeError(result.error)}); check the route before contacting it.`,
      );
    },
  },
  {
    name: 'never logs the code or the message text',
    needs: 'logs & code route',
    async check({ channel, inspect, acceptedMessage, permanentFailureMessage, transientFailureMessage }) {
      const messages = [acceptedMessage()];
      if (permanentFailureMessage) messages.push(await permanentFailureMessage());
      if (transientFailureMessage) messages.push(await transientFailureMessage());
      for (const message of messages) await settle(() => channel.send(message));
      const logged = (await inspect.logs!()).join('\n');
      for (const message of messages) {
        if (message.route === 'push') continue;
        must(
          !logged.includes(codeIn(message)),
          'the channel logged the code; log ids and statuses, never the code.',
        );
        must(
          !logged.includes(message.text),
          'the channel logged the message text; log ids and statuses, never the text.',
        );
      }
    },
  },
  ...channelNoticeRules,
];

/**
 * The shared test suite every {@link Channel} must pass, one test per rule; a rule whose fixture message or logs hook
 * is missing, or that concerns another route, shows as skipped. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runChannelConformance } from '@qdesk/core/testing';
 * runChannelConformance({
 *   name: 'my-sms',
 *   create: () => createMySms(settings),
 *   acceptedMessage: () => ({ route: 'sms', tenantId: 'msp-1', to: '+15550100001', text: 'Code 482913',
 *     sessionId: 's1', context }),
 *   permanentFailureMessage: () => ({ ...accepted, to: '+15005550001' }),
 *   inspect: { received: async () => fakeProvider.bodies() },
 * });
 * ```
 * @public
 */
export function runChannelConformance(options: ChannelConformanceOptions): void {
  registerRules(`Channel conformance: ${options.name}`, channelRules, channelHarness(options), {
    timeoutMs: options.timeoutMs ?? 20_000,
    has: channelHas(options),
  });
}

/**
 * The harness {@link runChannelConformance} runs the rules with: one channel per rule. For `checkRules`.
 * @internal
 */
export function channelHarness(options: ChannelConformanceOptions): KitHarness<ChannelSubject> {
  return {
    create: async () => ({
      channel: await options.create(),
      acceptedMessage: options.acceptedMessage,
      permanentFailureMessage: options.permanentFailureMessage ?? null,
      transientFailureMessage: options.transientFailureMessage ?? null,
      inspect: options.inspect,
    }),
    cleanup: (subject) => options.cleanup?.(subject.channel),
  };
}

/**
 * What the rules may rely on, for `checkRules`' `has` argument: the fixture messages given, the logs hook, and the
 * route of the accepted message.
 * @internal
 */
export function channelHas(options: ChannelConformanceOptions): (need: string) => boolean {
  const route = options.acceptedMessage().route;
  return needsFrom({
    permanentFailureMessage: options.permanentFailureMessage !== undefined,
    transientFailureMessage: options.transientFailureMessage !== undefined,
    logs: options.inspect.logs !== undefined,
    'push route': route === 'push',
    'code route': route !== 'push',
  });
}
