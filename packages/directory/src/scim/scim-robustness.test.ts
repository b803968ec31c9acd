import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryScimUserStore } from './memory-scim-user-store.js';
import { ORIGIN, patchOp, scimHarness, TOKENS } from './scim.test-helpers.js';
import type { ScimUserStore } from './scim-user-store.js';

const ANSWERED = new Set([200, 201, 204, 400, 404, 409, 413, 415]);

function expectScimAnswer(status: number, json: Record<string, unknown> | null, what: string) {
  expect(ANSWERED.has(status), `${what} got ${status}`).toBe(true);
  if (status >= 400) {
    expect(json, what).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
    });
    expect(typeof json?.detail, what).toBe('string');
  }
}

/** Pieces of SCIM paths and filters, so random strings reach deep into the parsers rather than failing at once. */
const piece = fc.constantFrom(
  'emails',
  'phoneNumbers',
  'name',
  '.givenName',
  '.value',
  '[',
  ']',
  '(',
  ')',
  'type',
  ' eq ',
  ' ne ',
  ' co ',
  ' pr',
  ' and ',
  ' or ',
  'not ',
  '"work"',
  '"mobile"',
  '"',
  '\\',
  'true',
  '12',
  'active',
  'userName',
  'urn:ietf:params:scim:schemas:core:2.0:User:',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ':',
  ' ',
);
const scimText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

describe('SCIM handler: garbage in', () => {
  it('answers any JSON body with a SCIM answer, never a 500', async () => {
    const scim = scimHarness();
    const id = (await scim.call('POST', '/Users', { body: { userName: 'seed@example.com' } })).json
      ?.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PUT', 'PATCH'),
        fc.jsonValue({ maxDepth: 4 }),
        async (method, body) => {
          const path = method === 'POST' ? '/Users' : `/Users/${id}`;
          const answer = await scim.call(method, path, { body });
          expectScimAnswer(answer.status, answer.json, `${method} ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 300 },
    );
    expect(scim.failures).toEqual([]);
  });

  it('answers random PATCH operations and filters with a SCIM answer, never a 500', async () => {
    const scim = scimHarness();
    const id = (
      await scim.call('POST', '/Users', {
        body: { userName: 'seed@example.com', emails: [{ value: 'seed@example.com', type: 'work' }] },
      })
    ).json?.id as string;
    const operation = fc.record({
      op: fc.constantFrom('add', 'Replace', 'remove', 'merge'),
      path: fc.option(scimText, { nil: undefined }),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('False', 'True', 'a@example.com', '+1 425 555 0100'),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 4 }),
        scimText,
        async (operations, filter) => {
          const patched = await scim.call('PATCH', `/Users/${id}`, { body: patchOp(...operations) });
          expectScimAnswer(patched.status, patched.json, `PATCH ${JSON.stringify(operations)}`);
          const listed = await scim.call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
          expectScimAnswer(listed.status, listed.json, `filter ${filter}`);
        },
      ),
      { numRuns: 300 },
    );
    expect(scim.failures).toEqual([]);
  });

  it('stops reading a streamed body without a length once it passes the limit', async () => {
    const scim = scimHarness({ maxBodyBytes: 4096 });
    let pulls = 0;
    // A body that never ends: only the handler's limit stops the read.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new TextEncoder().encode(`{"userName":"${'x'.repeat(1000)}`));
      },
    });
    const answer = await scim.handler(
      new Request(`${ORIGIN}/scim/v2/cust-a/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS['cust-a']}`, 'content-type': 'application/scim+json' },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    );
    expect(answer.status).toBe(413);
    expect(pulls).toBeLessThan(10);
  });
});

describe('SCIM handler: concurrent requests', () => {
  it('creates exactly one of many racing users with one userName; the others get 409', async () => {
    const scim = scimHarness();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        scim.call('POST', '/Users', { body: { userName: n % 2 ? 'race@example.com' : 'RACE@example.com' } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    expect(await scim.store.inspect.count('cust-a')).toBe(1);
    expect(scim.changes).toHaveLength(1);
  });

  it('applies racing PATCHes of one user one after the other, losing none', async () => {
    const store = createMemoryScimUserStore();
    let stale = 0;
    // Counts the writes the store refused for a stale version: the handler must have read again and retried them.
    const counting: ScimUserStore = {
      ...store,
      replace: (customerId, replacement) =>
        store.replace(customerId, replacement).catch((error: unknown) => {
          stale++;
          throw error;
        }),
    };
    const scim = scimHarness({ store: counting });
    const id = (await scim.call('POST', '/Users', { body: { userName: 'pat@example.com' } })).json
      ?.id as string;
    const answers = await Promise.all([
      scim.call('PATCH', `/Users/${id}`, { body: patchOp({ op: 'add', path: 'displayName', value: 'Pat' }) }),
      scim.call('PATCH', `/Users/${id}`, { body: patchOp({ op: 'add', path: 'title', value: 'Analyst' }) }),
      scim.call('PATCH', `/Users/${id}`, {
        body: patchOp({ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0100' }),
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stored = (await scim.call('GET', `/Users/${id}`)).json;
    expect(stored).toMatchObject({
      displayName: 'Pat',
      title: 'Analyst',
      phoneNumbers: [{ type: 'mobile', value: '+1 425 555 0100' }],
      meta: { version: 'W/"4"' },
    });
    expect(stale).toBeGreaterThan(0);
  });
});
