import { type FailureResult, permanentFailure } from './results.js';

// A dot-atom addr-spec (RFC 5322 3.4.1) and nothing else: atext, internationalised letters and marks (RFC 6531),
// dots only between atoms. No quoted local part and no domain literal: a stored helpdesk address never needs them,
// and each is a way to smuggle a list, a display name or a comment past a parser.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\p{L}\\p{M}\\p{N}-]+";
const LABEL = String.raw`[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?`;
const ADDR_SPEC = new RegExp(`^(?<local>${ATOM}(?:\\.${ATOM})*)@(?<domain>${LABEL}(?:\\.${LABEL})*)$`, 'u');

/**
 * True when `value` is exactly one plain email address (`local@domain`): no list (comma, semicolon), no display name
 * or angle brackets, no quotes, comments, whitespace or control characters, one `@`, and lengths within RFC 5321
 * (64 for the local part, 254 in all).
 *
 * Note: mail libraries parse a recipient string as an address list, so `a@x, b@y`, `a@x <b@y>` or
 * `"x" <eve@evil.example>` would send the code to an address nobody verified. The channels send only what passes
 * this check, as a single address object that is never parsed again.
 */
export function isSingleEmailAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254) return false;
  const match = ADDR_SPEC.exec(value);
  return match?.groups !== undefined && match.groups.local!.length <= 64;
}

/**
 * The permanent failure for a stored address that is not one plain email address. It is about the address: the
 * directory entry must be corrected. The address itself is not repeated, since it may carry an attacker's text.
 */
export function notASingleAddress(): FailureResult {
  return permanentFailure(
    "The stored email address is not a single email address (a list, a display name, quotes or characters an address cannot have); correct the end-user's email on file",
    'invalid_address',
    'address',
  );
}
