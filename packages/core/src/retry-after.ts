/**
 * Reads an HTTP `Retry-After` header (a delay in seconds, or an HTTP date) as milliseconds from `now`: what a channel
 * puts in `DeliveryResult.retryAfterMs` and a PSA adapter in its rate-limit errors. `undefined` when the header is
 * absent or unreadable; a date in the past reads as 0.
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter(response.headers.get('retry-after'), Date.now());
 * ```
 * @public
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Every HTTP-date form starts with the day's name; anything else (a negative number, "soon") is unreadable.
  const date = /^[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
