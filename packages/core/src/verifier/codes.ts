import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Random } from '../ports/runtime.js';

/**
 * A uniform code of `length` digits: one CSPRNG draw in `[0, 10^length)`, left-padded with zeros, so every code
 * (including those with leading zeros) is equally likely. Never `randomBytes % 10^n` (biased) nor a range that
 * starts at `10^(n-1)` (drops a tenth of the space).
 * @internal
 */
export function generateCode(random: Random, length: number): string {
  return random
    .int(10 ** length)
    .toString()
    .padStart(length, '0');
}

/** Random nonce, base64url. @internal */
export function generateId(random: Random, bytes: number): string {
  return Buffer.from(random.bytes(bytes)).toString('base64url');
}

/**
 * Keyed digests bound to a purpose and a session, so a code is valid only for its session and a digest of one
 * kind cannot stand in for another. The key never leaves the process.
 * @internal
 */
export interface Digests {
  /** HMAC-SHA256 (hex) of a code or number for one session. */
  secret(purpose: 'code' | 'number', sessionId: string, value: string): string;
  /** The device token for a push challenge (base64url), derived so it never needs storing. */
  deviceToken(sessionId: string, nonce: string): string;
  /** Constant-time check of a presented device token. */
  checkDeviceToken(sessionId: string, nonce: string, presented: string): boolean;
  /**
   * The code of a push + code challenge in compare mode, derived from the challenge's nonce so it never needs
   * storing: the technician's screen gets it at send, the device only after its Approve.
   */
  pushCode(sessionId: string, nonce: string, length: number): string;
  /** The key reset grants are signed with (HS256), derived from the server key for that one purpose. */
  grantKey: Uint8Array;
}

/** @internal */
export function createDigests(key: Uint8Array): Digests {
  const mac = (input: string) => createHmac('sha256', key).update(input);
  const deviceToken = (sessionId: string, nonce: string) =>
    mac(`device-token\u0000${sessionId}\u0000${nonce}`).digest('base64url');
  return {
    secret: (purpose, sessionId, value) => mac(`${purpose}\u0000${sessionId}\u0000${value}`).digest('hex'),
    deviceToken,
    pushCode(sessionId, nonce, length) {
      // 64 bits reduced modulo 10^length: the bias is below 10^length / 2^64, nothing an attacker can use.
      const draw = mac(`push-code\u0000${sessionId}\u0000${nonce}`).digest().readBigUInt64BE(0);
      return (draw % 10n ** BigInt(length)).toString().padStart(length, '0');
    },
    grantKey: new Uint8Array(mac('reset-grant-signing-key').digest()),
    checkDeviceToken(sessionId, nonce, presented) {
      // Compare fixed-length digests of both values so a presented token of another length cannot throw or leak.
      const a = mac(deviceToken(sessionId, nonce)).digest();
      const b = mac(presented).digest();
      return timingSafeEqual(a, b);
    },
  };
}

/** `+1•••••4567` for a phone, `j•••@example.com` for an email: enough for the technician to confirm the route. @internal */
export function maskDestination(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}•••${value.slice(at)}`;
  if (value.length <= 4) return '••••';
  return `${value.slice(0, 2)}${'•'.repeat(Math.max(1, value.length - 6))}${value.slice(-4)}`;
}
