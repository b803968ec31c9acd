import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from 'node:crypto';
import { decrypt } from 'http_ece';

/** A fake browser: the keys a real `PushSubscription` holds, and what it needs to read a push. */
export interface FakeSubscriber {
  ecdh: ECDH;
  auth: string;
  /** The subscription JSON the browser would hand to the app server. */
  subscription(endpoint: string): string;
  /** Decrypts an aes128gcm body the way the browser does (RFC 8291). */
  decrypt(body: ArrayBuffer): string;
}

export function createFakeSubscriber(): FakeSubscriber {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  return {
    ecdh,
    auth,
    subscription: (endpoint) =>
      JSON.stringify({
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey('base64url'), auth },
      }),
    decrypt: (body) =>
      decrypt(Buffer.from(body), { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString(
        'utf8',
      ),
  };
}

/** Verifies an ES256 JWT against a raw uncompressed P-256 public key (base64url) and returns its claims. */
export function verifyEs256(jwt: string, publicKeyBase64url: string): Record<string, unknown> | null {
  const [header, claims, signature] = jwt.split('.');
  if (!header || !claims || !signature) return null;
  const raw = Buffer.from(publicKeyBase64url, 'base64url');
  const key = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return null;
  const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
  if (decodedHeader.alg !== 'ES256') return null;
  return JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
}
