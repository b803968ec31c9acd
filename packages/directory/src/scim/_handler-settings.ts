import { ConfigError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';
import type { ScimHandlerOptions } from './scim-handler.js';
import type { ScimUserStore } from './scim-user-store.js';

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    error: `expected ${what} (a function)`,
  });

const settingsSchema = z.strictObject({
  store: z.custom<ScimUserStore>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      ['get', 'findByUserName', 'findByExternalId', 'list', 'create', 'replace', 'delete'].every(
        (method) => typeof (value as Record<string, unknown>)[method] === 'function',
      ),
    {
      error:
        'expected a ScimUserStore with get, findByUserName, findByExternalId, list, create, replace and delete',
    },
  ),
  basePath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~:-]+)*\/?$/, 'expected a path such as /scim/v2 or /scim/v2/:customerId')
    .refine(
      (path) => path.split('/').filter((s) => s === ':customerId').length <= 1,
      'name :customerId at most once',
    ),
  authenticate: fn('authenticate(token)'),
  onChange: fn('onChange(customerId, change)'),
  maxBodyBytes: z.number().int().min(1024).max(10_000_000).default(65_536),
  maxPageSize: z.number().int().min(1).max(1000).default(100),
  publicOrigin: z
    .url({ protocol: /^https?$/, error: 'expected an origin such as https://qdesk.example.com' })
    .optional(),
  now: fn('a clock').optional(),
  newId: fn('newId()').optional(),
  onError: fn('onError(error, context)').optional(),
});

const CUSTOMER_SEGMENT = ':customerId';

/** Where a request's path meets `basePath`. @internal */
export interface Mount {
  /** The URL's path up to the end of `basePath`. */
  prefix: string;
  customerId: string | null;
  /** The segments after `basePath`, decoded. */
  rest: string[];
}

/**
 * Matches a request's path against `basePath` (split in segments): the prefix it matched, the customer its
 * `:customerId` segment names, and the decoded segments after it; `null` when the path is outside `basePath` or
 * not valid percent-encoding.
 * @internal
 */
export function mount(pathname: string, base: string[]): Mount | null {
  const raw = pathname.split('/').filter((segment) => segment !== '');
  if (raw.length < base.length) return null;
  let customerId: string | null = null;
  const decoded: string[] = [];
  for (const segment of raw) {
    try {
      decoded.push(decodeURIComponent(segment));
    } catch {
      return null;
    }
  }
  for (let i = 0; i < base.length; i++) {
    if (base[i] === CUSTOMER_SEGMENT) customerId = decoded[i]!;
    else if (raw[i] !== base[i]) return null;
  }
  return {
    prefix: raw
      .slice(0, base.length)
      .map((s) => `/${s}`)
      .join(''),
    customerId,
    rest: decoded.slice(base.length),
  };
}

/** {@link ScimHandlerOptions} checked, with defaults; a {@link ConfigError} names each bad field. @internal */
export function parseSettings(options: ScimHandlerOptions) {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) throw ConfigError.fromIssues('SCIM handler settings', fieldIssues(parsed.error));
  return parsed.data;
}
