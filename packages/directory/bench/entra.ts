// The Entra side of the directory benchmark: the Entra source against the Microsoft Graph fake (the tests' fake, with
// Graph's documented paging, delta links, JSON batching and phone methods), answering in this process through its
// `fetch`: no network and no Graph latency, so time is the client's and the fake's work, and requests are what a
// real tenant would be sent. Changes are the fake's mix (about half a new mobile number, a fifth disabled, a fifth
// deleted, a tenth new users). The alternative is what a user writes without delta queries: fetch every user page
// by page along `@odata.nextLink`, each time.

import { createGraphFake } from '../src/entra/graph-fake.test-helpers.js';
import { USER_FIELDS } from '../src/entra/graph-users.js';
import { createEntraSource, type DirectorySource } from '../src/index.js';
import type { Deadline } from './_measure.js';
import type { BenchSubject, Traffic } from './_scenario.js';

/** Graph's largest page of users. */
const PAGE_SIZE = 999;

/** Starts a fake tenant with `people` generated users. */
export function startEntraBench(people: number, deadline: Deadline): BenchSubject {
  const fake = createGraphFake();
  fake.data.generateUsers(people);
  const counted: Traffic = { requests: 0, subRequests: 0, bytes: 0 };
  /** The fake's `fetch`, with the bytes of every answer counted. */
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fake.fetch(input, init);
    const body = await response.arrayBuffer();
    counted.bytes += body.byteLength;
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const maxPages = Math.ceil(people / PAGE_SIZE) + 10;

  return {
    name: 'Entra',
    people,
    maxPages,
    alternative: 'plain paged read, no delta',
    createSource: (): DirectorySource =>
      createEntraSource({ ...fake.credentials, fetch, graphUrl: fake.graphUrl, loginUrl: fake.loginUrl }),
    traffic() {
      // Requests as the fake answered them; its log is emptied as it is counted, so it stays small.
      for (const request of fake.requests) {
        if (request.inBatch) counted.subRequests += 1;
        else counted.requests += 1;
      }
      fake.resetRequests();
      return { ...counted };
    },
    change: async (count, round) => {
      fake.data.applyChanges(count, 100 + round);
    },
    plainRead: async (onPage) => {
      const { tenantId, clientId, clientSecret } = fake.credentials;
      const tokenResponse = await fetch(`${fake.loginUrl}/${tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope: `${new URL(fake.graphUrl).origin}/.default`,
        }),
      });
      if (!tokenResponse.ok) throw new Error(`the fake refused a token: HTTP ${tokenResponse.status}`);
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      // The fake serves users only through /users/delta; a round without a delta token lists every user in the same
      // pages as GET /users would, and the alternative never keeps the delta link.
      let url: string | undefined =
        `${fake.graphUrl}/users/delta?$select=${USER_FIELDS.join(',')}&$top=${PAGE_SIZE}`;
      let entries = 0;
      let pages = 0;
      while (url !== undefined) {
        deadline.check();
        pages += 1;
        if (pages > maxPages) throw new Error('the plain Graph read does not end');
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        if (!response.ok) throw new Error(`the fake answered HTTP ${response.status} to a page`);
        const body = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
        entries += body.value.length;
        onPage();
        url = body['@odata.nextLink'];
      }
      return { entries, pages };
    },
  };
}
