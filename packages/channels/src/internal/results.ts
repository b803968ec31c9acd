import type { DeliveryResult } from '@qdesk/core';

/** Failures carry no `undefined` fields, so a result survives a JSON round trip unchanged (audit, events). */
export type FailureResult = Exclude<DeliveryResult, { status: 'accepted' }>;

export function accepted(providerMessageId?: string): DeliveryResult {
  return providerMessageId ? { status: 'accepted', providerMessageId } : { status: 'accepted' };
}

export function permanentFailure(
  reason: string,
  providerCode?: string,
  scope?: 'message' | 'configuration',
): FailureResult {
  const result: FailureResult = { status: 'permanent_failure', reason };
  if (providerCode !== undefined) result.providerCode = providerCode;
  // `address` is the default a verifier assumes, so only the other scopes are spelled out.
  if (scope !== undefined) result.scope = scope;
  return result;
}

export function transientFailure(
  reason: string,
  providerCode?: string,
  retryAfterMs?: number,
): FailureResult {
  const result: FailureResult = { status: 'transient_failure', reason };
  if (providerCode !== undefined) result.providerCode = providerCode;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}

/**
 * Reads a `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from `now`.
 * Returns `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A short description of a thrown value for a failure reason (never includes a stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`.trim();
  }
  return String(error);
}
