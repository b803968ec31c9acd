import type { DeliveryResult } from '../ports/channel.js';

// A refused delivery in QDesk's own fixed words: what reaches sessions, events and audit records about a failed
// send, never the provider's text (which can quote the message, and so the code).

const FAILURE_TEXT = {
  address: 'the provider refused the address',
  message: 'the provider refused the message',
  configuration: 'the channel is misconfigured',
  transient: 'the provider could not take it now',
} as const;

/** A provider code worth keeping: short and plain, never free text that could echo a message. */
/** @internal */
export const providerCodeOf = (code: string | undefined): string | null =>
  code !== undefined && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : null;

/**
 * A refused delivery in QDesk's fixed words plus the provider's code, never the provider's own text: a provider that
 * echoes the message would otherwise put the code into events, audit records and the session. @internal
 */
export function failureReason(result: Exclude<DeliveryResult, { status: 'accepted' }>): string {
  const kind = result.status === 'transient_failure' ? 'transient' : (result.scope ?? 'address');
  const code = providerCodeOf(result.providerCode);
  return code ? `${FAILURE_TEXT[kind]} (provider code ${code})` : FAILURE_TEXT[kind];
}

/** The same for a provider's later status report. @internal */
export function reportedFailureReason(report: {
  permanent: boolean;
  providerCode?: string | undefined;
}): string {
  const code = providerCodeOf(report.providerCode);
  const text = report.permanent
    ? 'the provider could not deliver it'
    : 'the provider could not deliver it yet';
  return code ? `${text} (provider code ${code})` : text;
}
