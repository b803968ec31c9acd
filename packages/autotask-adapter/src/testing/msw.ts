import { type HttpHandler, HttpResponse, http } from 'msw';
import { DEFAULT_ZONE_DISCOVERY_URL } from '../config.js';
import type { AutotaskFake } from './fake-types.js';

/** Options of {@link createAutotaskMswHandlers}. @public */
export interface AutotaskMswOptions {
  /** The discovery base the client uses (default Autotask's, `https://webservices2.autotask.net/atservicesrest/`). */
  discoveryUrl?: string;
}

/**
 * msw request handlers serving `fake` on its zone URL (default `https://webservices15.autotask.net/ATServicesRest/`)
 * and on the discovery host. msw is an optional peer dependency, needed only for this function.
 * @example
 * ```ts
 * const fake = createAutotaskFake();
 * const server = setupServer(...createAutotaskMswHandlers(fake));
 * server.listen({ onUnhandledRequest: 'error' });
 * const psa = createAutotaskAdapter({ ...FAKE_CREDENTIALS });
 * ```
 * @public
 */
export function createAutotaskMswHandlers(
  fake: AutotaskFake,
  options: AutotaskMswOptions = {},
): HttpHandler[] {
  const origins = new Set([
    new URL(options.discoveryUrl ?? DEFAULT_ZONE_DISCOVERY_URL).origin,
    new URL(fake.zoneUrl).origin,
  ]);
  return [...origins].map((origin) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
      const answer = await fake.handle({ method: request.method, url: request.url, headers, body });
      return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
    }),
  );
}
