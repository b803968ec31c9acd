import { AutotaskError } from '../errors.js';

/** One page as the fetcher returns it. */
export interface FetchedPage<T> {
  items: T[];
  /** `nextPageUrl` as Autotask gave it; the fetcher checks it before following it. */
  next: string | null;
}

/**
 * Yields pages, starting the request for page n+1 before handing page n to the consumer, so the consumer's work and
 * the network overlap. A consumer that stops early cancels the prefetch.
 */
export async function* prefetchPages<T>(
  fetchPage: (next: string | null, signal: AbortSignal) => Promise<FetchedPage<T>>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T[]> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const seen = new Set<string>();
  let pending: Promise<FetchedPage<T>> | null = fetchPage(null, controller.signal);
  try {
    while (pending !== null) {
      const page: FetchedPage<T> = await pending;
      pending = null;
      if (page.next !== null) {
        const key = page.next;
        // A server that hands out the same next page twice (or empty pages forever) would loop us forever.
        if (seen.has(key) || page.items.length === 0) {
          throw new AutotaskError(
            'Autotask returned a paging link that does not advance; stopped listing to avoid a loop. Retry later.',
            { kind: 'unexpected_response', method: 'POST' },
          );
        }
        seen.add(key);
        pending = fetchPage(page.next, controller.signal);
        // Handled when awaited on the next turn; this only keeps an abandoned prefetch from being "unhandled".
        pending.catch(() => undefined);
      }
      yield page.items;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

/**
 * Resolves Autotask's `nextPageUrl` against the zone and refuses any other origin: the next request carries the
 * API credentials, so it must go to the zone's host and nowhere else.
 */
export function checkedNextUrl(nextPageUrl: string, apiUrl: URL): URL {
  let next: URL;
  try {
    next = new URL(nextPageUrl, apiUrl);
  } catch (cause) {
    throw new AutotaskError(`Autotask returned an unreadable nextPageUrl; stopped listing.`, {
      kind: 'unexpected_response',
      cause,
    });
  }
  if (next.origin !== apiUrl.origin) {
    throw new AutotaskError(
      `Autotask's nextPageUrl points at ${next.origin}, not at the zone ${apiUrl.origin}; refused to send the ` +
        'API credentials there and stopped listing. Check for a proxy rewriting responses.',
      { kind: 'foreign_host', method: 'POST', path: next.pathname },
    );
  }
  return next;
}
