/** Source of the current time, injectable so tests can move it. @public */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Source of randomness. The default uses Node's CSPRNG; never substitute a non-cryptographic one in production. @public */
export interface Random {
  /** A uniform integer in `[0, maxExclusive)`. `maxExclusive` is at most 2^48. */
  int(maxExclusive: number): number;
  /** `size` random bytes. */
  bytes(size: number): Uint8Array;
}
