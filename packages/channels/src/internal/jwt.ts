/** Base64url without padding, as JOSE requires. */
export const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/**
 * Builds a compact JWS. `sign` receives the signing input and returns the raw signature: callers pick the
 * algorithm (RS256 for Google, ES256 in IEEE P1363 form for Apple) so no JOSE library is needed.
 */
export function signJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  sign: (input: Buffer) => Buffer,
): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(sign(Buffer.from(input)))}`;
}
