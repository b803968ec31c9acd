import { type ClientHttp2Session, connect, constants, type OutgoingHttpHeaders } from 'node:http2';

/** A finished HTTP/2 exchange. */
export interface Http2Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One reused HTTP/2 connection to an origin. */
export interface Http2Client {
  /** POSTs `body` to `path`; rejects on connection or stream errors (never on an HTTP status). */
  post(path: string, headers: OutgoingHttpHeaders, body: string): Promise<Http2Answer>;
  /** Closes the connection; a later `post` opens a new one. */
  close(): Promise<void>;
}

/**
 * Keeps one HTTP/2 session open and multiplexes requests over it, as Apple asks of APNs providers; reconnects
 * after the server sends GOAWAY or the connection drops. An idle session is unref'd so it never keeps the process
 * alive on its own.
 */
export function createHttp2Client(origin: string, timeoutMs: number): Http2Client {
  let session: ClientHttp2Session | undefined;
  let inFlight = 0;

  const open = (): ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    const opened = connect(origin);
    const forget = () => {
      if (session === opened) session = undefined;
    };
    // Without an error listener a dropped connection would crash the process; requests see their own errors.
    opened.on('error', forget);
    opened.on('goaway', forget);
    opened.on('close', forget);
    session = opened;
    return opened;
  };

  return {
    post(path, headers, body) {
      return new Promise<Http2Answer>((resolve, reject) => {
        const current = open();
        inFlight += 1;
        current.ref();
        let settled = false;
        const settle = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          inFlight -= 1;
          if (inFlight === 0 && !current.destroyed) current.unref();
          outcome();
        };
        const stream = current.request({
          [constants.HTTP2_HEADER_METHOD]: 'POST',
          [constants.HTTP2_HEADER_PATH]: path,
          ...headers,
        });
        let status = 0;
        let answerHeaders: Http2Answer['headers'] = {};
        const chunks: Buffer[] = [];
        let timedOut = false;
        stream.setTimeout(timeoutMs, () => {
          timedOut = true;
          stream.close(constants.NGHTTP2_CANCEL);
        });
        stream.on('response', (h) => {
          status = Number(h[constants.HTTP2_HEADER_STATUS]);
          answerHeaders = h as Http2Answer['headers'];
        });
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () =>
          settle(() =>
            status === 0
              ? reject(new Error('the stream ended without a response'))
              : resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks).toString('utf8') }),
          ),
        );
        stream.on('error', (error) => settle(() => reject(error)));
        // 'close' always comes last: it settles streams that were cancelled or reset without an 'error'.
        stream.on('close', () =>
          settle(() =>
            reject(
              new Error(
                timedOut ? `no answer within ${timeoutMs} ms` : `stream closed (code ${stream.rstCode})`,
              ),
            ),
          ),
        );
        stream.end(body);
      });
    },
    async close() {
      const current = session;
      session = undefined;
      if (!current || current.destroyed) return;
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
