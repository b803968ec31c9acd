import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRequestBudget } from '../client/budget.js';
import { isAutotaskError } from '../errors.js';
import { fakeClient, fakeServerForFile, fastRetries, gaps } from '../test-support.js';
import { FAKE_CREDENTIALS } from '../testing/index.js';
import { createAutotaskClient } from './client.js';

const server = await fakeServerForFile();
const fake = server.state;

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
const ticketCalls = () => fake.requests.filter((r) => r.endpoint === 'Tickets');

describe('rate limits and thread limits', () => {
  it('waits as long as Retry-After asks on a 429, then succeeds', async () => {
    fake.rateLimitNext(1, { retryAfterSeconds: 1, endpoint: 'Tickets' });
    expect((await fakeClient(server).get('Tickets', 1001))?.ticketNumber).toBe('T20261124.0001');
    expect(ticketCalls().map((r) => r.status)).toEqual([429, 200]);
    expect(gaps(ticketCalls())[0]).toBeGreaterThanOrEqual(995);
  });

  it('backs off exponentially with jitter on a 429 without Retry-After, each wait capped', async () => {
    fake.rateLimitNext(3, { endpoint: 'Tickets' });
    const client = fakeClient(server, { retry: { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 150 } });
    await client.get('Tickets', 1001);
    expect(ticketCalls().map((r) => r.status)).toEqual([429, 429, 429, 200]);
    // random() is 0.5: each wait is 3/4 of its step (100, then 200 and 400 capped at 150): 75, 113, 113 ms.
    const [first, second, third] = gaps(ticketCalls());
    expect(first).toBeGreaterThanOrEqual(73);
    expect(second).toBeGreaterThanOrEqual(111);
    expect(third).toBeGreaterThanOrEqual(111);
    // Uncapped, the third wait would be 300 ms.
    expect(third).toBeLessThan(250);
  });

  it('gives up with a rate_limited error carrying Retry-After when it exceeds the longest wait', async () => {
    fake.rateLimitNext(1, { retryAfterSeconds: 3_600, endpoint: 'Tickets' });
    const error = await rejection(fakeClient(server).get('Tickets', 1001));
    expect(isAutotaskError(error, 'rate_limited')).toBe(true);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(3_600_000);
    expect((error as { code: string }).code).toBe('rate_limited');
    expect(ticketCalls()).toHaveLength(1);
  });

  it('retries a "Thread Threshold Exceeded" answered with HTTP 500', async () => {
    fake.failNext(2, { status: 500, body: { errors: ['Thread Threshold Exceeded'] }, endpoint: 'Tickets' });
    expect((await fakeClient(server).get('Tickets', 1002))?.id).toBe(1002);
    expect(ticketCalls().map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('recognises the thread limit even in a 200 whose body is only errors', async () => {
    fake.failNext(1, { status: 200, body: { errors: ['Thread Threshold Exceeded.'] }, endpoint: 'Tickets' });
    expect((await fakeClient(server).get('Tickets', 1002))?.id).toBe(1002);
  });

  it('never has more than 3 requests in flight per endpoint while 20 calls run in parallel', async () => {
    fake.latencyMs = 15;
    const client = fakeClient(server);
    const ids = [...fake.tables.Contacts.slice(0, 20).map((c) => c.id)];
    const results = await Promise.all(ids.map((id) => client.get('Contacts', id)));
    expect(results.map((c) => c?.id)).toEqual(ids);
    expect(fake.maxInFlight('Contacts')).toBe(3);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('lets a lower maxInFlightPerEntity cap concurrency further', async () => {
    fake.latencyMs = 10;
    const client = fakeClient(server, { maxInFlightPerEntity: 1 });
    await Promise.all(fake.tables.Contacts.slice(0, 6).map((c) => client.get('Contacts', c.id)));
    expect(fake.maxInFlight('Contacts')).toBe(1);
  });

  it('stops at the shared budget without sending, and says when it frees up', async () => {
    const budget = createRequestBudget({ perHour: 4 });
    const a = fakeClient(server, { budget });
    const b = fakeClient(server, { budget });
    await a.get('Tickets', 1001);
    await b.get('Tickets', 1002);
    await a.get('Tickets', 1003);
    await b.get('Tickets', 1004);
    const error = await rejection(a.get('Tickets', 1005));
    expect(isAutotaskError(error, 'budget_exhausted')).toBe(true);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(3_500_000);
    expect(ticketCalls()).toHaveLength(4);
  });
});

describe('server failures, timeouts and the network', () => {
  it('recovers from a burst of 5xx answers on a safe call', async () => {
    fake.failNext(3, { status: 503, body: 'Service Unavailable', endpoint: 'Tickets' });
    expect((await fakeClient(server).get('Tickets', 1003))?.id).toBe(1003);
    expect(ticketCalls().map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it('fails with a server error once retries run out', async () => {
    fake.failNext(10, { status: 502, body: '', endpoint: 'Tickets' });
    const error = await rejection(fakeClient(server).get('Tickets', 1003));
    expect(isAutotaskError(error, 'server')).toBe(true);
    expect((error as { code: string }).code).toBe('psa_unavailable');
    expect(ticketCalls()).toHaveLength(5);
  });

  it('retries a timed-out GET and reports a timeout when Autotask stays slow', async () => {
    fake.latencyMs = 300;
    const error = await rejection(
      fakeClient(server, { timeoutMs: 50, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } }).get(
        'Tickets',
        1001,
      ),
    );
    expect(isAutotaskError(error, 'timeout')).toBe(true);
    expect((error as Error).message).toMatch(/within 50 ms/);
    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(ticketCalls()).toHaveLength(2);
  });

  it('reports an unreachable zone as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const client = createAutotaskClient({
      ...FAKE_CREDENTIALS,
      zoneUrl: `http://127.0.0.1:${port}/ATServicesRest/`,
      ...fastRetries(),
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const error = await rejection(client.get('Tickets', 1001));
    expect(isAutotaskError(error, 'network')).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

describe('credentials and validation errors', () => {
  it('maps a wrong user name or integration code (HTTP 500) to auth with a fix in the message', async () => {
    const client = fakeClient(server, { zoneUrl: server.zoneUrl, integrationCode: 'WRONG' });
    const error = await rejection(client.get('Tickets', 1001));
    expect(isAutotaskError(error, 'auth')).toBe(true);
    expect((error as { code: string }).code).toBe('unauthorized');
    expect((error as Error).message).toMatch(/integration code/i);
    expect((error as Error).message).toContain('Resources/Users');
    expect(ticketCalls()).toHaveLength(1);
  });

  it('maps a wrong secret (HTTP 401) to auth naming the secret, without leaking it', async () => {
    const error = await rejection(fakeClient(server, { secret: 'not-the-secret' }).get('Tickets', 1001));
    expect(isAutotaskError(error, 'auth')).toBe(true);
    expect((error as Error).message).toMatch(/secret/i);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
      'not-the-secret',
    );
  });

  it('maps a 500 with an errors body to validation and does not retry it', async () => {
    const error = await rejection(
      fakeClient(server).create('Tickets/999999/Notes', {
        title: 't',
        description: 'd',
        noteType: 1,
        publish: 2,
      }),
    );
    expect(isAutotaskError(error, 'validation')).toBe(true);
    expect((error as { apiErrors: string[] }).apiErrors[0]).toContain('999999');
    expect(fake.requests.filter((r) => r.endpoint === 'TicketNotes')).toHaveLength(1);
  });

  it('maps a 404 endpoint to not_found and returns null for a missing record', async () => {
    const client = fakeClient(server);
    expect(await client.get('Tickets', 424242)).toBeNull();
    const error = await rejection(client.get('NoSuchEntities', 1));
    expect(isAutotaskError(error, 'not_found')).toBe(true);
  });
});
