/** Retry timing settings, already defaulted. */
export interface BackoffSettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step in ms. */
  baseDelayMs: number;
  /** No single wait is longer than this; a longer `Retry-After` ends the retries instead. */
  maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (0-based): "full jitter" exponential backoff, so that several clients hit by the
 * same 429 do not come back in lockstep.
 */
export function backoffDelay(retry: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);
  // Half fixed, half random: never retry immediately, still spread the herd.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Reads a `Retry-After` header (seconds or an HTTP date) as milliseconds from `now`; `null` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** A sleep that ends early (rejecting) when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
