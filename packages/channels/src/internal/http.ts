import ky, { isTimeoutError } from 'ky';

import type { FetchFunction } from '../fetch-function.js';

export type { FetchFunction };

/** The answer to one provider call: a response of any status, or why no response came. */
export type HttpOutcome = { response: Response } | { networkError: string };

/** Options for {@link post}. */
export interface PostOptions {
  headers: Record<string, string>;
  body: URLSearchParams | string;
  timeoutMs: number;
  fetch: FetchFunction | undefined;
}

/**
 * POSTs once and returns the response whatever its status. Retries are off on purpose: the verifier decides
 * whether to retry or fall back, and a silent retry of a send could deliver the same code twice.
 */
export async function post(url: string, options: PostOptions): Promise<HttpOutcome> {
  try {
    const response = await ky.post(url, {
      headers: options.headers,
      body: options.body,
      timeout: options.timeoutMs,
      retry: 0,
      throwHttpErrors: false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return { response };
  } catch (error) {
    if (isTimeoutError(error)) return { networkError: `no answer within ${options.timeoutMs} ms` };
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { networkError: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}

/** Reads a body as JSON, or `undefined` when it is empty or not JSON (error pages from proxies are HTML). */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
