import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { ContactSource, SourcePhone } from '../types.js';

/**
 * A phone number in E.164 (`+15550100001`), read with the customer's default region when it has no country code;
 * `null` when it is not a valid number there.
 * @example
 * ```ts
 * normalizePhone('(555) 010-0001', 'US'); // '+15550100001'... when valid in the US numbering plan
 * normalizePhone('+44 20 7946 0958', 'US'); // '+442079460958'
 * ```
 * @public
 */
export function normalizePhone(raw: string, defaultRegion: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion);
  return parsed?.isValid() ? parsed.number : null;
}

/** The SMS-capable number to keep, most trusted source first: an MFA method, then the directory, then SCIM. */
const RANK: Record<ContactSource, number> = { idp_mfa: 0, directory: 1, scim: 2, psa: 3, manual: 4 };

/**
 * The mobile number an end-user's SMS goes to, from every phone a source holds: a mobile MFA method first, then the
 * account's mobile attribute; office lines never (they take no SMS). Numbers that are not valid in E.164 are
 * reported, never kept.
 * @internal
 */
export function pickMobile(
  phones: readonly SourcePhone[],
  region: CountryCode,
): { number: string; source: ContactSource } | { number: null; invalid: string[] } {
  const invalid: string[] = [];
  const candidates = phones
    .filter((p) => p.kind === 'mobile' || p.kind === 'mfa')
    .map((p) => ({ number: normalizePhone(p.number, region), source: p.source, raw: p.number }))
    .filter((p) => {
      if (p.number === null) invalid.push(p.raw);
      return p.number !== null;
    })
    .sort((a, b) => RANK[a.source] - RANK[b.source]);
  const best = candidates[0];
  return best ? { number: best.number!, source: best.source } : { number: null, invalid };
}
