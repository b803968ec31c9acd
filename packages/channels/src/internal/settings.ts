import { ConfigError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';

/**
 * Validates a factory's settings and throws core's {@link ConfigError} naming every bad field ("Invalid Twilio SMS
 * settings: accountSid: ...; from: ..."), so a misconfigured channel fails at start-up rather than on the first
 * verification.
 */
export function parseSettings<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw ConfigError.fromIssues(what, fieldIssues(result.error));
}

/** A function-valued setting (logger method, template, injected client); zod 4 has no function schema. */
export const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { error: `expected ${what} (a function)` });

/** An object-valued setting checked only for the methods the channel calls. */
export const withMethods = <T>(what: string, methods: readonly string[]) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    { error: `expected ${what} with ${methods.map((m) => `${m}()`).join(' and ')}` },
  );

/** A `ChannelLogger`-shaped setting. */
export const loggerSchema = withMethods<{
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}>('a logger', ['info', 'warn']);

/** An absolute http(s) URL without a trailing slash, so paths can be appended. */
export const baseUrlSchema = z
  .url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));
