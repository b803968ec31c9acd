import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the test slapd, so a test sees the LDAP source's connections from outside:
 * how many are open (each must be closed after a read, whatever happened), and a server that stops answering.
 */
export interface TcpProxy {
  /** `ldap://127.0.0.1:<port>` of the proxy. */
  url: string;
  /** Connections open now. */
  readonly open: number;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** Bytes the server sent through the proxy since the start. */
  readonly bytesFromServer: number;
  /** When true, new connections are accepted and never answered (a server that hangs). */
  stall: boolean;
  /** Resolves once no connection is open; rejects after `ms`. */
  waitUntilClosed(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: () => number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let open = 0;
  let bytesFromServer = 0;
  const server = createServer((client) => {
    accepted += 1;
    open += 1;
    sockets.add(client);
    client.once('close', () => {
      open -= 1;
      sockets.delete(client);
    });
    client.on('error', () => client.destroy());
    if (proxy.stall) {
      client.resume(); // read and drop what the client sends, so its close is seen
      return;
    }
    const upstream = connect(targetPort(), '127.0.0.1');
    // No Nagle delay on either leg: the proxy must not add latency that a direct connection would not have.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(upstream);
    upstream.once('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => {
      bytesFromServer += chunk.length;
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const proxy: TcpProxy = {
    url: `ldap://127.0.0.1:${port}`,
    get open() {
      return open;
    },
    get accepted() {
      return accepted;
    },
    get bytesFromServer() {
      return bytesFromServer;
    },
    stall: false,
    async waitUntilClosed(ms = 2000) {
      for (let waited = 0; open > 0; waited += 10) {
        if (waited >= ms) throw new Error(`${open} connection(s) still open after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
