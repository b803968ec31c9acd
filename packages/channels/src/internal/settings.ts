import { ConfigError, type FieldIssue } from '@qdesk/core';
import { z } from 'zod';

/**
 * Validates a factory's settings and throws one {@link ConfigError} naming every bad field, so a misconfigured
 * channel fails at start-up rather than on the first verification.
 */
export function parseSettings<S extends z.ZodType>(factory: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.flatMap((issue) => {
    const at = (path: PropertyKey[]) => path.map(String).join('.') || '(settings)';
    // An unknown key is usually a typo: name the key itself rather than its parent object.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'unknown setting' }));
    }
    return [{ path: at(issue.path), message: issue.message }];
  });
  const list = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ConfigError(`${factory}: invalid settings (${list}). Fix the named field and try again.`, issues);
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
