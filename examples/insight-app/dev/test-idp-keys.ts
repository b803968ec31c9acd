import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/** The provider's one signing key, made at start, and the means to re-sign an ID token with it (same `kid`). */
export interface SigningKey {
  /** The private JWK the provider signs with (`kid` = its RFC 7638 thumbprint, `alg` RS256, `use` sig). */
  privateJwk: JWK;
  kid: string;
  /** Passes a JWT's claims through `mutate` and signs the result with this key, keeping the original header. */
  resign(
    token: string,
    mutate: (claims: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<string>;
}

/** Generates an RS256 key pair (2048 bits) for one provider run. It never leaves the process. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    privateJwk,
    kid,
    async resign(token, mutate) {
      const header = decodeProtectedHeader(token);
      const claims = mutate({ ...decodeJwt(token) });
      return new SignJWT(claims as JWTPayload)
        .setProtectedHeader({ ...header, alg: 'RS256', kid })
        .sign(privateKey);
    },
  };
}
