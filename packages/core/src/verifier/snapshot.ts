import type { VerificationSession } from '../machine/session.js';

/**
 * A session as operations return it: every field except the stored digests and nonces, so it is safe to log, send
 * to a browser or put in an event.
 * @public
 */
export type SessionSnapshot = VerificationSession extends infer S
  ? S extends VerificationSession
    ? Omit<S, 'codeHash' | 'challengeNonce' | 'matchHash'>
    : never
  : never;

/** Strips stored digests and nonces. @internal */
export function toSnapshot(session: VerificationSession): SessionSnapshot {
  const {
    codeHash: _c,
    challengeNonce: _n,
    matchHash: _m,
    ...rest
  } = session as VerificationSession & {
    codeHash?: string;
    challengeNonce?: string;
    matchHash?: string | null;
  };
  return rest as SessionSnapshot;
}
