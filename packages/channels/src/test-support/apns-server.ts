import { createPublicKey, verify } from 'node:crypto';
import { createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2';

/** One request the fake APNs received, with its verified provider token claims. */
export interface ApnsRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  token: string;
  claims: Record<string, unknown>;
  /** The apns-id the fake answered with. */
  apnsId: string;
}

/** How the fake answers one device token: status, reason and extra headers. */
export type ApnsReply = { status: number; reason?: string; headers?: Record<string, string> };

/**
 * A local APNs over cleartext HTTP/2 (h2c) on 127.0.0.1. It verifies each provider token's ES256 signature with
 * the team's public key, like Apple does, and answers InvalidProviderToken when it does not verify.
 */
export interface FakeApns {
  origin: string;
  requests: ApnsRequest[];
  /** Sessions (TCP connections) opened by clients. */
  sessions: number;
  /** Replies per device token; unknown tokens get 200. */
  replies: Map<string, ApnsReply | ((request: ApnsRequest) => ApnsReply)>;
  close(): Promise<void>;
}

function verifyToken(token: string, publicKeyPem: string, keyId: string, teamId: string) {
  const [header, claims, signature] = token.split('.');
  if (!header || !claims || !signature) return null;
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key: createPublicKey(publicKeyPem), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  return ok && head.alg === 'ES256' && head.kid === keyId && body.iss === teamId ? body : null;
}

export async function startFakeApns(publicKeyPem: string, keyId: string, teamId: string): Promise<FakeApns> {
  const server: Http2Server = createServer();
  const fake: FakeApns = { origin: '', requests: [], sessions: 0, replies: new Map(), close: async () => {} };
  server.on('session', () => {
    fake.sessions += 1;
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const path = String(headers[':path']);
      const token = String(headers.authorization ?? '').replace(/^bearer /, '');
      const claims = verifyToken(token, publicKeyPem, keyId, teamId);
      const apnsId = `a1b2c3d4-0000-4000-8000-${String(fake.requests.length + 1).padStart(12, '0')}`;
      const body = Buffer.concat(chunks).toString();
      const request: ApnsRequest = { path, headers, body, token, claims: claims ?? {}, apnsId };
      fake.requests.push(request);
      const deviceToken = path.replace('/3/device/', '');
      const configured = fake.replies.get(deviceToken);
      const reply: ApnsReply = !claims
        ? { status: 403, reason: 'InvalidProviderToken' }
        : typeof configured === 'function'
          ? configured(request)
          : (configured ?? { status: 200 });
      stream.respond({ ':status': reply.status, 'apns-id': apnsId, ...reply.headers });
      stream.end(reply.reason ? JSON.stringify({ reason: reply.reason }) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  fake.origin = `http://127.0.0.1:${address.port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
