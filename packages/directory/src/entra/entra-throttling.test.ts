import { isQdeskError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { readAll, rejectionOf, sourceOn, useGraphFake } from './entra-setup.test-helpers.js';

const graph = useGraphFake();

const reasonOf = (error: Error) => (isQdeskError(error) ? error.details.reason : undefined);

describe('createEntraSource: throttling and transient failures', () => {
  it('retries a throttled page after its Retry-After and yields every user exactly once', async () => {
    graph.fake.data.generateUsers(30);
    graph.fake.fail({ on: 'delta', status: 429, retryAfter: '7', skip: 1 });

    const { records, pages } = await readAll(sourceOn(graph, { pageSize: 10 }), null);

    expect(graph.sleeps).toEqual([7000]);
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => r.externalId)).size).toBe(30);
    expect(pages).toHaveLength(3);
    expect(graph.fake.requests.filter((r) => r.kind === 'delta').map((r) => r.status)).toEqual([
      200, 429, 200, 200,
    ]);
  });

  it('backs off exponentially on 503 and 504 without Retry-After', async () => {
    graph.fake.data.generateUsers(5);
    graph.fake.fail({ on: 'delta', status: 503, times: 2 });
    graph.fake.fail({ on: 'delta', status: 504 });

    const { records } = await readAll(sourceOn(graph, { retry: { baseDelayMs: 250 } }), null);

    expect(graph.sleeps).toEqual([250, 500, 1000]);
    expect(records).toHaveLength(5);
  });

  it('retries a dropped connection', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.fail({ on: 'delta', network: true });

    const { records } = await readAll(sourceOn(graph), null);

    expect(records).toHaveLength(3);
    expect(graph.sleeps).toHaveLength(1);
  });

  it('sends a throttled $batch sub-request again on its own, after its Retry-After', async () => {
    const users = graph.fake.data.generateUsers(40);
    const target = users.find((u) => u.phoneMethods.length > 0)!;
    graph.fake.fail({ on: 'methods', status: 429, retryAfter: '3', userId: target.id });

    const { records } = await readAll(sourceOn(graph, { pageSize: 40 }), null);

    expect(graph.sleeps).toEqual([3000]);
    const batches = graph.fake.requests.filter((r) => r.kind === 'batch');
    expect(batches.map((b) => b.batchSize)).toEqual([20, 20, 1]);
    expect(graph.fake.count('methods', true)).toBe(41);
    const record = records.find((r) => r.externalId === target.id)!;
    expect(record.phones.filter((p) => p.kind === 'mfa').map((p) => p.number)).toEqual(
      target.phoneMethods.map((m) => m.phoneNumber),
    );
    expect(records).toHaveLength(40);
  });

  it('retries a whole $batch request that was throttled', async () => {
    graph.fake.data.generateUsers(10);
    graph.fake.fail({ on: 'batch', status: 429, retryAfter: '2' });

    const { records } = await readAll(sourceOn(graph), null);

    expect(graph.sleeps).toEqual([2000]);
    expect(records).toHaveLength(10);
    expect(graph.fake.count('methods', true)).toBe(10);
  });

  it('gives up after retry.maxRetries with an AdapterError that says to run the sync again later', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.fail({ on: 'delta', status: 429, retryAfter: '1', times: 10 });

    const error = await rejectionOf(readAll(sourceOn(graph, { retry: { maxRetries: 2 } }), null));

    expect(error.name).toBe('AdapterError');
    expect(reasonOf(error)).toBe('throttled');
    expect(error.message).toMatch(/throttling.*after 3 attempts.*Run the sync again later/);
    expect(graph.fake.count('delta')).toBe(3);
  });

  it('fails at once when Retry-After is longer than retry.maxDelayMs', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.fail({ on: 'delta', status: 429, retryAfter: '600' });

    const error = await rejectionOf(readAll(sourceOn(graph, { retry: { maxDelayMs: 60_000 } }), null));

    expect(reasonOf(error)).toBe('throttled');
    expect(isQdeskError(error) && error.details.retryAfterMs).toBe(600_000);
    expect(error.message).toMatch(/asked to wait 600 s, longer than retry\.maxDelayMs/);
    expect(graph.sleeps).toEqual([]);
  });

  it('gives up on a sub-request that stays throttled, naming the phone methods', async () => {
    const [user] = graph.fake.data.generateUsers(2);
    graph.fake.fail({ on: 'methods', status: 429, retryAfter: '1', userId: user!.id, times: 10 });

    const error = await rejectionOf(readAll(sourceOn(graph, { retry: { maxRetries: 1 } }), null));

    expect(reasonOf(error)).toBe('throttled');
    expect(error.message).toMatch(/phone authentication methods/);
    expect(graph.fake.count('batch')).toBe(2);
  });

  it('does not retry a 500 and says to run the sync again', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.fail({ on: 'delta', status: 500 });

    const error = await rejectionOf(readAll(sourceOn(graph), null));

    expect(reasonOf(error)).toBe('unavailable');
    expect(error.message).toMatch(/failed while reading users.*run the sync again later/);
    expect(graph.fake.count('delta')).toBe(1);
  });
});

describe('createEntraSource: request counts', () => {
  it('reads 100 users with one delta page and five $batch requests of 20 phone-method reads', async () => {
    graph.fake.data.generateUsers(100);

    const { records } = await readAll(sourceOn(graph, { pageSize: 100 }), null);

    expect(records).toHaveLength(100);
    expect(graph.fake.count('token')).toBe(1);
    expect(graph.fake.count('delta')).toBe(1);
    expect(graph.fake.requests.filter((r) => r.kind === 'batch').map((r) => r.batchSize)).toEqual([
      20, 20, 20, 20, 20,
    ]);
    expect(graph.fake.count('methods', true)).toBe(100);
    expect(graph.fake.count('methods')).toBe(0);
  });

  it('makes an incremental read cost what changed, not the size of the directory', async () => {
    graph.fake.data.generateUsers(2_000);
    const source = sourceOn(graph);
    const full = await readAll(source, null);
    expect(full.records).toHaveLength(2_000);
    const applied = graph.fake.data.applyChanges(10);
    graph.fake.resetRequests();

    const incremental = await readAll(source, full.cursor);

    expect(incremental.changes).toHaveLength(10);
    const upserts = applied.filter((c) => c.type !== 'deleted').length;
    expect(incremental.records).toHaveLength(upserts);
    expect(graph.fake.count('delta')).toBe(1);
    expect(graph.fake.count('batch')).toBe(1);
    expect(graph.fake.count('methods', true)).toBe(upserts);
    expect(graph.fake.count('token')).toBe(0);
  });
});
