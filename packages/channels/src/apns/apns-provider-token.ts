import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type { Clock } from '@qdesk/core';
import { signJwt } from '../internal/jwt.js';

/**
 * Apple rejects a provider token older than one hour and answers TooManyProviderTokenUpdates to one refreshed
 * more often than every 20 minutes. Refreshing at 50 minutes keeps both rules with margin.
 */
export const PROVIDER_TOKEN_REFRESH_AFTER_MS = 50 * 60_000;

export interface ProviderTokenOptions {
  teamId: string;
  keyId: string;
  privateKey: string;
  clock: Clock;
}

/** The cached APNs provider token (an ES256 JWT). */
export interface ProviderTokenSource {
  /** The current token; a new one only when the current one is 50 minutes old. */
  get(): string;
  /**
   * APNs answered ExpiredProviderToken for `token`: replace it now (Apple's answer overrides the 20-minute rule).
   * A token already replaced by a concurrent request is left alone, so a burst of failures makes one update.
   */
  expired(token: string): void;
}

/** Mints provider tokens: header `{alg: ES256, kid}`, claims `{iss: teamId, iat}`, signed in IEEE P1363 form. */
export function createProviderTokenSource(options: ProviderTokenOptions): ProviderTokenSource {
  const key: KeyObject = createPrivateKey(options.privateKey);
  let current: { token: string; issuedAt: number } | undefined;

  const mint = () => {
    const issuedAt = options.clock.now();
    const token = signJwt(
      { alg: 'ES256', kid: options.keyId },
      { iss: options.teamId, iat: Math.floor(issuedAt / 1000) },
      // JOSE wants the raw r||s signature, not Node's default DER encoding.
      (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }),
    );
    current = { token, issuedAt };
    return token;
  };

  return {
    get() {
      if (current && options.clock.now() - current.issuedAt < PROVIDER_TOKEN_REFRESH_AFTER_MS)
        return current.token;
      return mint();
    },
    expired(token) {
      if (current?.token === token) current = undefined;
    },
  };
}
