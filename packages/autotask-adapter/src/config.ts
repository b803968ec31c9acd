import { ConfigError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';
import type { RequestBudget } from './client/budget.js';
import type { ZoneCache } from './client/zone.js';
import { MAX_PAGE_SIZE } from './query/build-query.js';
import type { ResourceDirectoryOptions } from './resources.js';

/** Where zone discovery is asked by default (Autotask's documented discovery host). @public */
export const DEFAULT_ZONE_DISCOVERY_URL = 'https://webservices2.autotask.net/atservicesrest/';

/** One attempt's outcome, reported to {@link AutotaskClientConfig.onRequest}. Holds no credential. @public */
export interface AutotaskRequestEvent {
  /** HTTP method. */
  method: string;
  /** Path below the zone's `V1.0/` (or the discovery path), without the query string. */
  path: string;
  /** Thread-limit key (the entity) this attempt counted against. */
  endpoint: string;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
  /** HTTP status, or `null` when no answer arrived. */
  status: number | null;
  /** How long the attempt took. */
  durationMs: number;
  /** The error kind when the attempt failed. */
  errorKind: string | null;
}

/**
 * Retry settings. The client hands them to ky's own retry (`limit`, `delay`, `jitter`, `backoffLimit`,
 * `maxRetryAfter`); what is retried is fixed: 429, "Thread Threshold Exceeded" (whatever its status), 5xx without
 * an error body, timeouts and network failures, on reads, queries and counts. A create is sent once, unless it
 * comes with a duplicate check (`AutotaskClient.create`'s `findExisting`).
 * @public
 */
export interface AutotaskRetryConfig {
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** First backoff step in ms (default 500); steps double up to `maxDelayMs`, with jitter. */
  baseDelayMs?: number;
  /** Longest single wait in ms (default 20,000). A longer `Retry-After` fails the call with `retryAfterMs` set. */
  maxDelayMs?: number;
}

/** Configuration of {@link createAutotaskClient}. @public */
export interface AutotaskClientConfig {
  /** The API user's user name ("Username (Key)", an email address). */
  username: string;
  /** The API user's secret ("Password (Secret)"). */
  secret: string;
  /** The integration code ("API Tracking Identifier") of the API user. */
  integrationCode: string;
  /**
   * Act as this resource on every call (only if both security levels allow impersonation; a refusal is an
   * `AutotaskError` of kind `impersonation_refused`). To write one record as someone, prefer
   * `client.create(path, body, { impersonateResourceId })`, which overrides this on that create only.
   */
  impersonationResourceId?: number;
  /** The zone's API URL when known (for example `https://webservices15.autotask.net/ATServicesRest/`): skips discovery. */
  zoneUrl?: string;
  /** Base URL of zone discovery (default {@link DEFAULT_ZONE_DISCOVERY_URL}); `v1.0/zoneInformation` is appended. */
  zoneDiscoveryUrl?: string;
  /** Cache of discovered zones (default: one per client, 24 h). Share one between clients with {@link createZoneCache}. */
  zoneCache?: ZoneCache;
  /** Per-attempt timeout in ms (default 30,000). */
  timeoutMs?: number;
  /** Concurrent requests per endpoint (entity) for this instance, 1 to 3 (default 3, Autotask's thread limit). */
  maxInFlightPerEntity?: number;
  /** A request allowance shared with other clients ({@link createRequestBudget}). */
  budget?: RequestBudget;
  /** Backoff and retry settings. */
  retry?: AutotaskRetryConfig;
  /** `fetch` to use (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** Source of the backoff jitter, in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Called after every HTTP attempt (for metrics and logs). */
  onRequest?: (event: AutotaskRequestEvent) => void;
}

/** How verification notes are written. @public */
export interface AutotaskNotesConfig {
  /**
   * The note's `publish` picklist value (default 2, "Internal Only" on most instances; 1 is "All Autotask Users").
   * Check `GET /TicketNotes/entityInformation/fields` on your instance.
   */
  publish?: number;
  /** The note's `noteType` picklist value (default 1). */
  noteType?: number;
  /**
   * Who Autotask records as the note's creator:
   *
   * - `technician` (default): the technician who ran the verification, when the note carries their email (from the
   *   MSP's single sign-on) and exactly one active Autotask resource has it; the create is sent with
   *   `ImpersonationResourceId` set to that resource. Otherwise, or when Autotask refuses the impersonation, the
   *   note is written as the API user and {@link AutotaskNotesConfig.onAuthorFallback} says why.
   * - `api_user`: always the API user (no resource lookup, no impersonation, no fallback reports).
   *
   * The note text names the technician either way.
   */
  author?: 'technician' | 'api_user';
  /**
   * Called after a note meant for the technician was written as the API user, with the reason. Log or audit it: a
   * missing security-level setting shows up here, not as a failed note. A hook that throws (or rejects) does not
   * fail the write.
   */
  onAuthorFallback?: (info: NoteAuthorFallback) => void | Promise<void>;
  /** How long technicians' resources are remembered (see {@link ResourceDirectoryOptions}). */
  resourceCache?: Pick<ResourceDirectoryOptions, 'ttlMs' | 'missTtlMs' | 'maxEntries'>;
}

/**
 * Why a note meant for the technician was written as the API user.
 *
 * - `no_email`: the note's technician has no email (the single sign-on gave none); nothing was looked up.
 * - `no_resource`: no Autotask resource has that email (`Resources.email`, compared case-insensitively).
 * - `inactive_resource`: only inactive resources have it.
 * - `ambiguous_resource`: more than one active resource has it; the adapter does not guess.
 * - `lookup_failed`: the Resources query failed (for example the API user may not view Resources); see `error`.
 * - `impersonation_refused`: Autotask refused the create as that resource (a security-level setting is missing);
 *   see `error`. Refusals are remembered per resource as long as a lookup miss, so later notes skip the attempt.
 *
 * @public
 */
export type NoteAuthorFallbackReason =
  | 'no_email'
  | 'no_resource'
  | 'inactive_resource'
  | 'ambiguous_resource'
  | 'lookup_failed'
  | 'impersonation_refused';

/**
 * What {@link AutotaskNotesConfig.onAuthorFallback} receives. Holds no credential; `email` is the technician's
 * work address from the sign-in.
 * @public
 */
export interface NoteAuthorFallback {
  /** Why the note was written as the API user. */
  reason: NoteAuthorFallbackReason;
  /** The ticket (numeric id as text). */
  ticketId: string;
  /** The verification session. */
  sessionId: string;
  /** The note written as the API user. */
  noteId: string;
  /** The technician's id in QDesk (from the single sign-on). */
  technicianId: string;
  /** The technician's email, or `null` when the note had none. */
  email: string | null;
  /** The Autotask resource found for the email (set for `impersonation_refused`), else `null`. */
  resourceId: number | null;
  /** The failure behind `lookup_failed` and `impersonation_refused` (an `AutotaskError` as a rule), else `null`. */
  error: Error | null;
}

/** Configuration of {@link createAutotaskAdapter}: the client settings plus how notes are written. @public */
export interface AutotaskAdapterConfig extends AutotaskClientConfig {
  /** Note settings. */
  notes?: AutotaskNotesConfig;
  /** Records per page when listing, 1 to 500 (default 500). */
  pageSize?: number;
}

const fn = <T>(name: string) =>
  z.custom<T>((value) => typeof value === 'function', { error: `${name} must be a function` });
const nonBlank = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const clientShape = {
  username: nonBlank("the API user's user name"),
  secret: nonBlank("the API user's secret"),
  integrationCode: nonBlank("the API user's integration code (API Tracking Identifier)"),
  impersonationResourceId: z.number().int().positive().optional(),
  zoneUrl: httpUrl.optional(),
  zoneDiscoveryUrl: httpUrl.optional(),
  zoneCache: z
    .custom<ZoneCache>(
      (v) => typeof v === 'object' && v !== null && typeof (v as ZoneCache).resolve === 'function',
      { error: 'must come from createZoneCache()' },
    )
    .optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  maxInFlightPerEntity: z
    .number()
    .int()
    .min(1)
    .max(3, 'Autotask allows at most 3 concurrent requests per endpoint')
    .optional(),
  budget: z
    .custom<RequestBudget>(
      (v) => typeof v === 'object' && v !== null && typeof (v as RequestBudget).take === 'function',
      { error: 'must come from createRequestBudget()' },
    )
    .optional(),
  retry: z
    .strictObject({
      maxRetries: z.number().int().min(0).max(10).optional(),
      baseDelayMs: z.number().min(0).max(60_000).optional(),
      maxDelayMs: z.number().min(0).max(600_000).optional(),
    })
    .optional(),
  fetch: fn<typeof globalThis.fetch>('fetch').optional(),
  random: fn<() => number>('random').optional(),
  onRequest: fn<(event: AutotaskRequestEvent) => void>('onRequest').optional(),
};

const clientSchema = z.strictObject(clientShape);
/** Lifetimes and size of the resource cache; also checks {@link createResourceDirectory}'s options. @internal */
export const resourceCacheSchema = z.strictObject({
  ttlMs: z.number().int().min(0).max(86_400_000).optional(),
  missTtlMs: z.number().int().min(0).max(86_400_000).optional(),
  maxEntries: z.number().int().min(1).max(100_000).optional(),
});
const adapterSchema = z.strictObject({
  ...clientShape,
  notes: z
    .strictObject({
      publish: z.number().int().positive().optional(),
      noteType: z.number().int().positive().optional(),
      author: z.enum(['technician', 'api_user'], { error: 'must be "technician" or "api_user"' }).optional(),
      onAuthorFallback: fn<(info: NoteAuthorFallback) => void>('onAuthorFallback').optional(),
      resourceCache: resourceCacheSchema.optional(),
    })
    .optional(),
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

function parse<T>(schema: z.ZodType<T>, config: unknown, what: string): T {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  throw ConfigError.fromIssues(what, fieldIssues(result.error));
}

/** Validates a client configuration; throws core's `ConfigError` naming each bad field. */
export function parseClientConfig(config: unknown): AutotaskClientConfig {
  return parse(clientSchema, config, 'createAutotaskClient settings') as AutotaskClientConfig;
}

/** Validates an adapter configuration; throws core's `ConfigError` naming each bad field. */
export function parseAdapterConfig(config: unknown): AutotaskAdapterConfig {
  return parse(adapterSchema, config, 'createAutotaskAdapter settings') as AutotaskAdapterConfig;
}
