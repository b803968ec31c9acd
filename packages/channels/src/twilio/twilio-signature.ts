import { createHmac, timingSafeEqual } from 'node:crypto';

/** POST parameters as Twilio sent them: a parsed form body, or a plain object (repeated names as arrays). */
export type TwilioParams = URLSearchParams | Readonly<Record<string, string | readonly string[]>>;

function entries(params: TwilioParams): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const add = (name: string, value: string) => map.set(name, [...(map.get(name) ?? []), value]);
  if (params instanceof URLSearchParams) {
    for (const [name, value] of params) add(name, value);
  } else {
    for (const [name, value] of Object.entries(params)) {
      for (const v of typeof value === 'string' ? [value] : value) add(name, v);
    }
  }
  return map;
}

/**
 * Computes the `X-Twilio-Signature` Twilio sends with a webhook: base64 HMAC-SHA1, keyed by the account's auth
 * token, over the full URL followed by every POST parameter sorted by name, each name then its value with no
 * separators (a repeated name contributes each distinct value in sorted order, as Twilio's own libraries do).
 * @example
 * ```ts
 * computeTwilioSignature(authToken, 'https://qdesk.example.com/twilio/status?sessionId=s1&tenantId=msp-1', form);
 * ```
 * @public
 */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams): string {
  const map = entries(params);
  // The URL is signed exactly as given: parsing it would drop a default port Twilio may have signed.
  let data = url;
  for (const name of [...map.keys()].sort()) {
    for (const value of [...new Set(map.get(name))].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

// Twilio signs either with or without the default port depending on how the URL was configured; accept both.
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  const without = new URL(url);
  without.port = '';
  const variants = [url, without.toString()];
  if (parsed.port === '' && defaultPort) {
    // URL normalises the default port away, so splice it back into the string by hand.
    variants.push(without.toString().replace(`//${parsed.host}`, `//${parsed.host}:${defaultPort}`));
  } else if (parsed.port !== '') {
    variants.push(parsed.toString());
  }
  return [...new Set(variants)];
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // Signatures have a fixed length, so an early return on length leaks nothing about the secret.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What {@link isValidTwilioSignature} checks. @public */
export interface TwilioSignatureInput {
  /** The account's primary auth token (API key secrets do not sign webhooks). */
  authToken: string;
  /** The full URL Twilio requested, with its query string, as the public sees it (not a proxy's internal URL). */
  url: string;
  /** Every POST parameter, including ones you do not use: Twilio adds parameters without notice. */
  params: TwilioParams;
  /** The `X-Twilio-Signature` header. */
  signature: string | null | undefined;
}

/**
 * True when `signature` is Twilio's signature for this URL and these parameters. Compares in constant time and
 * accepts the URL with or without its default port.
 * @example
 * ```ts
 * const ok = isValidTwilioSignature({ authToken, url, params: new URLSearchParams(body), signature });
 * ```
 * @public
 */
export function isValidTwilioSignature(input: TwilioSignatureInput): boolean {
  if (!input.signature || !input.authToken) return false;
  const signature = input.signature;
  // Evaluate every variant (no short-circuit) so timing does not depend on which one matched.
  const results = urlVariants(input.url).map((url) =>
    safeEqual(signature, computeTwilioSignature(input.authToken, url, input.params)),
  );
  return results.includes(true);
}
