export { parseRetryAfter } from '@qdesk/core/ports';

import type { DeliveryResult } from '@qdesk/core/ports';

/** Failures carry no `undefined` fields, so a result survives a JSON round trip unchanged (audit, events). */
export type FailureResult = Exclude<DeliveryResult, { status: 'accepted' }>;

export function accepted(providerMessageId?: string): DeliveryResult {
  return providerMessageId ? { status: 'accepted', providerMessageId } : { status: 'accepted' };
}

/** What a permanent failure is about (core's `FailureScope`): the address, the message, or the sender's settings. */
export type FailureScope = NonNullable<Extract<DeliveryResult, { status: 'permanent_failure' }>['scope']>;

/**
 * A permanent failure. The scope is always spelled out, `address` included (the port's default), so a reader of the
 * result or its audit record never has to know the default; `address` is what makes the verifier drop a push device.
 */
export function permanentFailure(
  reason: string,
  providerCode?: string,
  scope: FailureScope = 'address',
): FailureResult {
  const result: FailureResult = { status: 'permanent_failure', reason, scope };
  if (providerCode !== undefined) result.providerCode = providerCode;
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

/** A short description of a thrown value for a failure reason (never includes a stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    // System codes (ECONNREFUSED, ERR_HTTP2_...) say more than their message; QDesk's own codes add nothing to it.
    const code = (error as { code?: unknown }).code;
    const system = typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code);
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${system ? `${code} ` : ''}${error.message}${cause}`.trim();
  }
  return String(error);
}
