import { z } from 'zod';
import type { GraphClient } from './graph-client.js';
import { RETRYABLE_STATUSES } from './graph-client.js';
import { type CallWhat, gaveUp, unexpectedResponse } from './graph-errors.js';

/** Graph's limit of requests in one JSON batch. */
export const MAX_BATCH_REQUESTS = 20;

/** One GET inside a `$batch`. */
export interface BatchGet {
  /** Unique within the batch. */
  id: string;
  /** Path below Graph's versioned root, starting with `/` (`/users/{id}/authentication/phoneMethods`). */
  url: string;
  /** What it reads, for error messages. */
  what: CallWhat;
}

/** A sub-request's final answer (not a throttling or transient failure, which are retried). */
export interface BatchAnswer {
  status: number;
  body: unknown;
}

const batchResponseSchema = z.looseObject({
  responses: z.array(
    z.looseObject({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.unknown()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

/** A header of a sub-response, whatever its case (Graph writes `Retry-After`). */
function headerOf(headers: Record<string, unknown> | undefined, name: string): string | null {
  if (!headers) return null;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return null;
}

/** Runs `run` over `items`, `width` at a time; after a failure no further item starts. */
async function inPool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/**
 * Sends GETs through Graph's JSON batching (`POST /$batch`, 20 requests each, `concurrency` batches in flight) and
 * returns each one's answer by id. A sub-request answered 429 (or 502, 503, 504) is sent again in a later batch,
 * after the longest `Retry-After` among them, up to `retry.maxRetries` times; the others are never sent twice.
 */
export async function batchGet(
  client: GraphClient,
  graphUrl: string,
  requests: readonly BatchGet[],
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<Map<string, BatchAnswer>> {
  const answers = new Map<string, BatchAnswer>();
  let pending = [...requests];
  // Bounded: each round either empties `pending` or counts a retry, and `retryDelay` stops at `maxRetries`.
  for (let retry = 0; pending.length > 0; retry++) {
    const again: Array<{ request: BatchGet; status: number; retryAfterMs: number | null }> = [];
    const chunks: BatchGet[][] = [];
    for (let i = 0; i < pending.length; i += MAX_BATCH_REQUESTS)
      chunks.push(pending.slice(i, i + MAX_BATCH_REQUESTS));

    await inPool(chunks, concurrency, async (chunk) => {
      const body = await client.call({
        what: 'batch',
        method: 'POST',
        url: `${graphUrl}/$batch`,
        body: { requests: chunk.map((r) => ({ id: r.id, method: 'GET', url: r.url })) },
        signal,
      });
      const parsed = batchResponseSchema.safeParse(body);
      if (!parsed.success) throw unexpectedResponse('batch', 'no responses array', 200);
      const byId = new Map(parsed.data.responses.map((r) => [r.id, r]));
      for (const request of chunk) {
        const sub = byId.get(request.id);
        if (!sub) throw unexpectedResponse('batch', `no response for sub-request ${request.id}`, 200);
        if (RETRYABLE_STATUSES.has(sub.status)) {
          again.push({
            request,
            status: sub.status,
            retryAfterMs: client.retryAfter(headerOf(sub.headers, 'retry-after')),
          });
        } else {
          answers.set(request.id, { status: sub.status, body: sub.body });
        }
      }
    });

    if (again.length === 0) break;
    const waits = again.map((a) => a.retryAfterMs).filter((ms): ms is number => ms !== null);
    const retryAfterMs = waits.length > 0 ? Math.max(...waits) : null;
    const wait = client.retryDelay(retry, retryAfterMs);
    if (wait === null || wait === 'too_long') {
      const first = again[0]!;
      throw gaveUp(
        first.request.what,
        { status: first.status, retryAfterMs, network: null },
        retry + 1,
        wait === 'too_long',
      );
    }
    await client.sleep(wait, signal);
    pending = again.map((a) => a.request);
  }
  return answers;
}
