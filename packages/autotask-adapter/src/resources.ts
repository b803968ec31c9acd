import { ConfigError, InputError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import type { AutotaskClient } from './client/client.js';
import { resourceCacheSchema } from './config.js';
import { AutotaskError } from './errors.js';
import { buildQuery } from './query/build-query.js';
import { where } from './query/filter.js';
import { resourceRecordSchema } from './records.js';

/** An active Autotask resource (a technician), as the directory found it by email. @public */
export interface TechnicianResource {
  /** The resource id: what `ImpersonationResourceId` takes. */
  id: number;
  /** `Resources.email` as Autotask holds it. */
  email: string;
  /** First name, when set. */
  firstName: string | null;
  /** Last name, when set. */
  lastName: string | null;
}

/**
 * Why no resource came back for an email.
 *
 * - `no_resource`: no resource has it.
 * - `inactive_resource`: only inactive resources have it (a departed technician's account).
 * - `ambiguous_resource`: more than one active resource has it.
 *
 * @public
 */
export type ResourceMissReason = 'no_resource' | 'inactive_resource' | 'ambiguous_resource';

/** The answer of {@link ResourceDirectory.findByEmail}: the resource, or `null` and why. @public */
export type ResourceLookup =
  | { resource: TechnicianResource; reason: null }
  | { resource: null; reason: ResourceMissReason };

/** Finds technicians' Autotask resources by email, with a cache. @public */
export interface ResourceDirectory {
  /**
   * The one active resource whose `email` equals `email` (compared case-insensitively), or `null` and a reason.
   * Answers are cached (hits for `ttlMs`, misses for `missTtlMs`); concurrent calls for one address share one
   * request. Failed lookups are not cached. Throws core's `InputError` for something that is not an email address,
   * and an `AutotaskError` when the query fails.
   */
  findByEmail(email: string): Promise<ResourceLookup>;
}

/** Options of {@link createResourceDirectory}. @public */
export interface ResourceDirectoryOptions {
  /** How long a found resource is remembered, in ms (default 3,600,000: an hour). */
  ttlMs?: number;
  /** How long a miss (none, inactive, ambiguous) is remembered, in ms (default 300,000: five minutes). */
  missTtlMs?: number;
  /** Most addresses remembered; the oldest entry goes first (default 1,000). */
  maxEntries?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/** Default lifetime of a found resource in the cache: an hour. @internal */
export const DEFAULT_TTL_MS = 3_600_000;
/** Default lifetime of a miss in the cache: five minutes. @internal */
export const DEFAULT_MISS_TTL_MS = 300_000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Enough to tell one match from several; a real tenant has one resource per address. */
const MAX_MATCHES = 10;
const INCLUDE_FIELDS = ['id', 'email', 'isActive', 'firstName', 'lastName'];

/**
 * Creates a {@link ResourceDirectory} over `client`: one `POST /Resources/query` per address (filter `email eq`,
 * `IncludeFields` id, email, isActive, firstName, lastName), then from the cache. The API user needs view access
 * to Resources. Throws core's `ConfigError` naming the field when an option is invalid.
 *
 * Note: Autotask compares `eq` case-insensitively on the instances seen; the directory compares again itself, so a
 * case-sensitive instance can miss an address but never return another one.
 * @example
 * ```ts
 * const directory = createResourceDirectory(adapter.client);
 * const { resource, reason } = await directory.findByEmail('sam.rivera@msp.example');
 * if (resource) console.log(`writes as resource ${resource.id}`);
 * else console.log(`writes as the API user (${reason})`);
 * ```
 * @public
 */
export function createResourceDirectory(
  client: AutotaskClient,
  options: ResourceDirectoryOptions = {},
): ResourceDirectory {
  const { now = Date.now, ...cacheOptions } = options;
  if (typeof now !== 'function') {
    throw ConfigError.fromIssues('createResourceDirectory options', [
      { path: 'now', message: 'now must be a function' },
    ]);
  }
  const parsed = resourceCacheSchema.safeParse(cacheOptions);
  if (!parsed.success) {
    throw ConfigError.fromIssues('createResourceDirectory options', fieldIssues(parsed.error));
  }
  const ttlMs = parsed.data.ttlMs ?? DEFAULT_TTL_MS;
  const missTtlMs = parsed.data.missTtlMs ?? DEFAULT_MISS_TTL_MS;
  const maxEntries = parsed.data.maxEntries ?? 1_000;
  const cache = new Map<string, { lookup: ResourceLookup; expires: number }>();
  const running = new Map<string, Promise<ResourceLookup>>();

  const remember = (key: string, lookup: ResourceLookup) => {
    const ttl = lookup.resource ? ttlMs : missTtlMs;
    if (ttl <= 0) return;
    cache.delete(key);
    cache.set(key, { lookup, expires: now() + ttl });
    // Maps iterate in insertion order: the first key is the oldest entry.
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };

  const lookUp = async (email: string, key: string): Promise<ResourceLookup> => {
    const query = buildQuery([where.eq('email', email)], {
      includeFields: INCLUDE_FIELDS,
      maxRecords: MAX_MATCHES,
    });
    const matches: TechnicianResource[] = [];
    let inactive = 0;
    for await (const page of client.queryPages('Resources', query)) {
      for (const item of page.items) {
        const parsed = resourceRecordSchema.safeParse(item);
        if (!parsed.success) {
          throw new AutotaskError(
            'Autotask answered POST Resources/query with a resource this adapter cannot read. The API may have ' +
              'changed; please report it.',
            { kind: 'unexpected_response', method: 'POST', path: 'Resources/query', cause: parsed.error },
          );
        }
        const record = parsed.data;
        if (record.email?.trim().toLowerCase() !== key) continue;
        // Only `true` counts: a resource whose state is unknown is never acted as.
        if (record.isActive !== true) {
          inactive += 1;
          continue;
        }
        matches.push({
          id: record.id,
          email: record.email,
          firstName: record.firstName ?? null,
          lastName: record.lastName ?? null,
        });
      }
      break; // the first page holds up to MAX_MATCHES: enough to tell one from several
    }
    const [only] = matches;
    if (matches.length === 1 && only) return { resource: only, reason: null };
    if (matches.length > 1) return { resource: null, reason: 'ambiguous_resource' };
    return { resource: null, reason: inactive > 0 ? 'inactive_resource' : 'no_resource' };
  };

  return {
    async findByEmail(email) {
      const wanted = typeof email === 'string' ? email.trim() : '';
      if (!EMAIL.test(wanted) || wanted.length > 254) {
        throw new InputError(
          `"${String(email)}" is not an email address; pass the technician's full address.`,
          {
            issues: [{ path: 'email', message: 'must be an email address' }],
          },
        );
      }
      const key = wanted.toLowerCase();
      const cached = cache.get(key);
      if (cached && cached.expires > now()) return cached.lookup;
      if (cached) cache.delete(key);
      const current = running.get(key);
      if (current) return current;
      const promise = lookUp(wanted, key)
        .then((lookup) => {
          remember(key, lookup);
          return lookup;
        })
        .finally(() => running.delete(key));
      running.set(key, promise);
      return promise;
    },
  };
}
