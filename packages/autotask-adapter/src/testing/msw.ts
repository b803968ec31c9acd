/**
 * `@qdesk/autotask-adapter/testing/msw`: msw request handlers serving the local Autotask fake on Autotask's real
 * host names, for tests that already run msw. msw is an optional peer dependency of `@qdesk/autotask-adapter`,
 * needed only for this entry point; the fake itself and its HTTP server are at `@qdesk/autotask-adapter/testing`.
 *
 * @packageDocumentation
 */

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
 * and on the discovery host.
 * @example
 * ```ts
 * import { createAutotaskFake, FAKE_CREDENTIALS } from '@qdesk/autotask-adapter/testing';
 * import { createAutotaskMswHandlers } from '@qdesk/autotask-adapter/testing/msw';
 * import { setupServer } from 'msw/node';
 *
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
      if (answer.dropConnection) return HttpResponse.error();
      return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
    }),
  );
}
