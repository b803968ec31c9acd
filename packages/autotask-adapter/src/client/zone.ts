import ky, { isTimeoutError } from 'ky';
import { AutotaskError } from '../errors.js';
import { type BackoffSettings, backoffDelay } from '../internal/backoff.js';
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
  retry: BackoffSettings;
  fetch?: typeof globalThis.fetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const readErrors = (body: unknown): string[] => {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors.map(String) : [];
};

/**
 * Asks Autotask which zone `username` lives in. Transient failures are retried; an answer without a zone is a
 * `zone_discovery` {@link AutotaskError} (never a silent fallback to some default zone).
 */
export async function discoverZone(options: DiscoverZoneOptions): Promise<AutotaskZone> {
  const url = new URL('v1.0/zoneInformation', zoneFromUrl(options.discoveryUrl).url);
  url.searchParams.set('user', options.username);
  const api = ky.create({
    retry: 0,
    throwHttpErrors: false,
    timeout: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const where = { method: 'GET', path: 'zoneInformation' };
  for (let attempt = 0; ; attempt++) {
    let failure: AutotaskError;
    try {
      // Deliberately without credentials: discovery does not need them, so they never go to the discovery host.
      const response = await api.get(url, { headers: { Accept: 'application/json' } });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      const parsed = zoneInformationSchema.safeParse(body);
      if (response.ok && parsed.success) {
        return zoneFromUrl(parsed.data.url, parsed.data.zoneName ?? null, parsed.data.webUrl ?? null);
      }
      const errors = readErrors(body);
      if (errors.length > 0 || response.ok || response.status < 500) {
        throw new AutotaskError(
          `Autotask could not determine the zone of API user "${options.username}" (HTTP ${response.status}` +
            `${errors.length ? `: ${errors.join('; ')}` : ''}). Check the user name: it is the API user's ` +
            `"Username (Key)" in Autotask (Admin > Account Settings & Users > Resources/Users), an email ` +
            "address. If discovery is blocked, set zoneUrl to your zone's API URL.",
          { kind: 'zone_discovery', status: response.status, apiErrors: errors, ...where },
        );
      }
      failure = new AutotaskError(
        `Autotask zone discovery failed with HTTP ${response.status}; this is usually temporary. Retry later ` +
          "or set zoneUrl to your zone's API URL.",
        { kind: 'server', status: response.status, retryable: true, ...where },
      );
    } catch (error) {
      if (error instanceof AutotaskError) throw error;
      const timeout = isTimeoutError(error);
      failure = new AutotaskError(
        timeout
          ? `Autotask zone discovery at ${url.origin} did not answer within ${options.timeoutMs} ms. Retry later, ` +
              "or set zoneUrl to your zone's API URL."
          : `Could not reach Autotask zone discovery at ${url.origin} (${(error as Error).message}). Check ` +
              "outbound HTTPS access to *.autotask.net, or set zoneUrl to your zone's API URL.",
        { kind: timeout ? 'timeout' : 'network', retryable: true, cause: error, ...where },
      );
    }
    if (attempt >= options.retry.maxRetries) throw failure;
    await options.sleep(backoffDelay(attempt, options.retry, options.random));
  }
}
