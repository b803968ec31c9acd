import { isQdeskError } from '@qdesk/core';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { SourcePage } from '../types.js';
import { readAll, rejectionOf, sourceOn, summarize, useGraphFake } from './entra-setup.test-helpers.js';
import { isEntraResyncRequired } from './graph-errors.js';

const graph = useGraphFake();

describe('createEntraSource: resuming', () => {
  it('resumes a failed full read from the last stored page cursor: nothing missing, nothing twice', async () => {
    const users = graph.fake.data.generateUsers(45);
    const source = sourceOn(graph, { pageSize: 10 });
    // The third page fails in a way that is not retried.
    graph.fake.fail({ on: 'delta', status: 500, skip: 2 });

    const before: SourcePage[] = [];
    const error = await rejectionOf(readAll(source, null, before));
    expect(isQdeskError(error) && error.details.reason).toBe('unavailable');
    expect(before).toHaveLength(2);
    const stored = before.at(-1)!.cursor;

    const after = await readAll(source, stored);

    const ids = [...summarize(before).records, ...after.records].map((r) => r.externalId);
    expect(ids).toHaveLength(45);
    expect(new Set(ids)).toEqual(new Set(users.map((u) => u.id)));
    expect(after.pages.at(-1)!.done).toBe(true);
    expect(after.cursor).toMatch(/\$deltatoken=/);
  });

  it('resumes after a page whose phone methods failed, reading that page again', async () => {
    const users = graph.fake.data.generateUsers(30);
    const source = sourceOn(graph, { pageSize: 10 });
    graph.fake.fail({ on: 'methods', status: 500, userId: users[15]!.id });

    const before: SourcePage[] = [];
    await rejectionOf(readAll(source, null, before));
    expect(before).toHaveLength(1);
    const after = await readAll(source, before[0]!.cursor);

    const ids = [...summarize(before).records, ...after.records].map((r) => r.externalId);
    expect(ids).toEqual(users.map((u) => u.id));
  });

  it('stops before the next request once the signal is aborted', async () => {
    graph.fake.data.generateUsers(30);
    const controller = new AbortController();
    const pages: SourcePage[] = [];

    const error = await rejectionOf(
      (async () => {
        for await (const page of sourceOn(graph, { pageSize: 10 }).read({
          cursor: null,
          signal: controller.signal,
        })) {
          pages.push(page);
          controller.abort();
        }
      })(),
    );

    expect(error.name).toBe('AbortError');
    expect(pages).toHaveLength(1);
    expect(graph.fake.count('delta')).toBe(1);
  });

  it('cancels a retry wait when the signal is aborted', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.fail({ on: 'delta', status: 429, retryAfter: '30' });
    const controller = new AbortController();
    const source = sourceOn(graph, {
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          controller.abort();
        }),
    });

    const error = await rejectionOf(readAll(source, null, [], controller.signal));

    expect(error.name).toBe('AbortError');
    expect(graph.fake.count('delta')).toBe(1);
  });
});

describe('createEntraSource: cursors and links', () => {
  it('refuses a cursor that is not a Graph link of this source, without sending anything', async () => {
    const source = sourceOn(graph);
    for (const cursor of ['https://attacker.example/v1.0/users/delta?$skiptoken=x', 'not a url', '']) {
      const error = await rejectionOf(readAll(source, cursor));
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(/cursor: .*pass null to start a full read|cursor: expected null/);
    }
    expect(graph.fake.requests).toEqual([]);
  });

  it('refuses a page link to another host, so the token goes nowhere else', async () => {
    graph.server.use(
      http.get('https://graph.microsoft.com/v1.0/users/delta', () =>
        HttpResponse.json({
          value: [],
          '@odata.nextLink': 'https://attacker.example/v1.0/users/delta?$skiptoken=x',
        }),
      ),
    );

    const error = await rejectionOf(readAll(sourceOn(graph), null));

    expect(isQdeskError(error) && error.details.reason).toBe('unexpected_response');
    expect(error.message).toMatch(/attacker\.example, not Microsoft Graph; no token was sent there/);
  });

  it('stops on a next link that does not advance', async () => {
    const loop = 'https://graph.microsoft.com/v1.0/users/delta?$skiptoken=same';
    graph.server.use(
      http.get('https://graph.microsoft.com/v1.0/users/delta', () =>
        HttpResponse.json({ value: [], '@odata.nextLink': loop }),
      ),
    );

    const error = await rejectionOf(readAll(sourceOn(graph), null));

    expect(error.message).toMatch(/a next link that does not advance/);
  });

  it.each([
    ['410 Gone', 'gone'],
    ['400 syncStateNotFound', 'sync_state_not_found'],
  ] as const)(
    'asks for a full read when the delta link expired (%s), without starting one itself',
    async (_, how) => {
      graph.fake.data.generateUsers(5);
      const source = sourceOn(graph);
      const full = await readAll(source, null);
      graph.fake.expireDeltaLinks(how);
      graph.fake.resetRequests();

      const error = await rejectionOf(readAll(source, full.cursor));

      expect(isEntraResyncRequired(error)).toBe(true);
      expect(error.message).toMatch(/start a full read with cursor null, then remove the end-users/);
      expect(graph.fake.count('delta')).toBe(1);
      expect(isEntraResyncRequired(new Error('other'))).toBe(false);
      const again = await readAll(source, null);
      expect(again.records).toHaveLength(5);
    },
  );
});
