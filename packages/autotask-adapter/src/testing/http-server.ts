import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAutotaskFake } from './fake.js';
import type { AutotaskFake, AutotaskFakeOptions } from './fake-types.js';

/** Options of {@link startAutotaskFake}. @public */
export interface AutotaskFakeServerOptions extends AutotaskFakeOptions {
  /** Port (default 0: any free port). */
  port?: number;
  /** Loopback address to bind (default `127.0.0.1`); anything else is refused. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Serve this fake instead of creating one from the other options. */
  fake?: AutotaskFake;
}

/** A running fake. @public */
export interface AutotaskFakeServer {
  /** Zone discovery base: pass it as `zoneDiscoveryUrl`. */
  url: string;
  /** The zone URL: pass it as `zoneUrl` to skip discovery. */
  zoneUrl: string;
  /** The fake's state, fault injection and readers. */
  state: AutotaskFake;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const MAX_BODY = 1_000_000;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts the Autotask fake as a real HTTP server on a loopback address.
 * @example
 * ```ts
 * const server = await startAutotaskFake({ contacts: 2000 });
 * const psa = createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneDiscoveryUrl: server.url });
 * // ...
 * await server.close();
 * ```
 * @public
 */
export async function startAutotaskFake(
  options: AutotaskFakeServerOptions = {},
): Promise<AutotaskFakeServer> {
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new Error(`startAutotaskFake binds loopback addresses only, not "${host}".`);
  }
  const fake = options.fake ?? createAutotaskFake(options);
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      const origin = `http://${req.headers.host ?? 'localhost'}`;
      const answer = await fake.handle({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', origin).toString(),
        headers,
        body,
      });
      // The client may have given up (timeout); the fake still did the work, like a slow Autotask.
      if (res.destroyed) return;
      if (answer.dropConnection) {
        res.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (error) {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [`Fake failure: ${(error as Error).message}`] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  fake.zoneUrl = `${origin}/ATServicesRest/`;
  return {
    url: `${origin}/atservicesrest/`,
    zoneUrl: fake.zoneUrl,
    state: fake,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
