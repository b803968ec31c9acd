import type { z } from 'zod';
import { AutotaskError, isAutotaskError } from '../errors.js';
import { apiErrorsOf, type CallInfo, type Classified } from '../internal/classify.js';
import { networkReason, type Transport } from '../internal/transport.js';
import { zoneInformationSchema } from '../records.js';

/** The Autotask zone (datacenter) an API user's database lives in. @public */
export interface AutotaskZone {
  /** Zone name (for example "America West"), when discovery gave one. */
  name: string | null;
  /** The zone URL as Autotask gives it (`https://webservices15.autotask.net/ATServicesRest/`). */
  url: string;
  /** Base of every entity call: the zone URL followed by `V1.0/`. */
  apiUrl: string;
  /** The zone's web UI address, when discovery gave one. */
  webUrl: string | null;
}

/** Options for {@link createZoneCache}. @public */
export interface ZoneCacheOptions {
  /** How long a discovered zone is trusted, in ms (default 24 h). */
  ttlMs?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/**
 * Remembers discovered zones per API user. Concurrent lookups of the same user share one discovery call; a failed
 * discovery is not cached (the next call asks again).
 * @public
 */
export interface ZoneCache {
  /** The cached zone under `key`, or the result of `discover` (stored on success). */
  resolve(key: string, discover: () => Promise<AutotaskZone>): Promise<AutotaskZone>;
  /** Forgets one entry (the client does so after a credentials error, in case the user moved zones). */
  invalidate(key: string): void;
  /** Forgets everything. */
  clear(): void;
}

/**
 * Creates a {@link ZoneCache}. Pass one to several clients so that they discover each user's zone once.
 * @public
 */
export function createZoneCache(options: ZoneCacheOptions = {}): ZoneCache {
  const ttlMs = options.ttlMs ?? 86_400_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { zone: Promise<AutotaskZone>; expiresAt: number }>();
  return {
    resolve(key, discover) {
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now()) return hit.zone;
      const zone = discover();
      // Stored while pending so concurrent callers share the call; the expiry starts when it succeeds.
      const entry = { zone, expiresAt: Number.POSITIVE_INFINITY };
      entries.set(key, entry);
      zone.then(
        () => {
          entry.expiresAt = now() + ttlMs;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return zone;
    },
    invalidate: (key) => {
      entries.delete(key);
    },
    clear: () => entries.clear(),
  };
}

/** Turns a zone URL (with or without a trailing slash or `V1.0`) into an {@link AutotaskZone}. @public */
export function zoneFromUrl(
  url: string,
  name: string | null = null,
  webUrl: string | null = null,
): AutotaskZone {
  const base = new URL(url);
  base.search = '';
  base.hash = '';
  base.pathname = `${base.pathname.replace(/\/+$/, '').replace(/\/v1\.0$/i, '')}/`;
  return { name, url: base.toString(), apiUrl: new URL('V1.0/', base).toString(), webUrl };
}

/** What {@link discoverZone} needs. */
export interface DiscoverZoneOptions {
  discoveryUrl: string;
  username: string;
  timeoutMs: number;
  /** A transport without credentials, limiter or budget: discovery needs none, and is exempt from thread limits. */
  send: Transport;
}

const WHERE = { method: 'GET', path: 'zoneInformation' } as const;

/**
 * Reads a discovery answer: a zone, `zone_discovery` when Autotask says it does not know the user (or answers
 * something without a zone), or a retryable `server` failure for a bare 5xx.
 */
function readZoneAnswer(username: string) {
  return (status: number, _headers: Headers, text: string, { cause }: CallInfo): Classified => {
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const parsed = zoneInformationSchema.safeParse(body);
    if (status >= 200 && status < 300 && parsed.success) return { ok: true, body: parsed.data };
    const errors = apiErrorsOf(body);
    if (errors.length > 0 || status < 500) {
      return {
        ok: false,
        error: new AutotaskError(
          `Autotask could not determine the zone of API user "${username}" (HTTP ${status}` +
            `${errors.length ? `: ${errors.join('; ')}` : ''}). Check the user name: it is the API user's ` +
            '"Username (Key)" in Autotask (Admin > Account Settings & Users > Resources/Users), an email ' +
            "address. If discovery is blocked, set zoneUrl to your zone's API URL.",
          { kind: 'zone_discovery', status, apiErrors: errors, cause, ...WHERE },
        ),
      };
    }
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask zone discovery failed with HTTP ${status}; this is usually temporary. Retry later ` +
          "or set zoneUrl to your zone's API URL.",
        { kind: 'server', status, retryable: true, cause, ...WHERE },
      ),
    };
  };
}

/**
 * Asks Autotask which zone `username` lives in. Transient failures are retried (by the transport); an answer
 * without a zone is a `zone_discovery` {@link AutotaskError} (never a silent fallback to some default zone).
 */
export async function discoverZone(options: DiscoverZoneOptions): Promise<AutotaskZone> {
  const url = new URL('v1.0/zoneInformation', zoneFromUrl(options.discoveryUrl).url);
  url.searchParams.set('user', options.username);
  try {
    // Deliberately without credentials: discovery does not need them, so they never go to the discovery host.
    const zone = (await options.send({
      ...WHERE,
      url,
      endpoint: 'zoneInformation',
      idempotent: true,
      classify: readZoneAnswer(options.username),
    })) as z.output<typeof zoneInformationSchema>;
    return zoneFromUrl(zone.url, zone.zoneName ?? null, zone.webUrl ?? null);
  } catch (error) {
    if (!isAutotaskError(error) || (error.kind !== 'timeout' && error.kind !== 'network')) throw error;
    throw new AutotaskError(
      error.kind === 'timeout'
        ? `Autotask zone discovery at ${url.origin} did not answer within ${options.timeoutMs} ms. Retry later, ` +
            "or set zoneUrl to your zone's API URL."
        : `Could not reach Autotask zone discovery at ${url.origin} (${networkReason(error.cause)}). Check outbound HTTPS ` +
            "access to *.autotask.net, or set zoneUrl to your zone's API URL.",
      { kind: error.kind, retryable: true, cause: error, ...WHERE },
    );
  }
}
