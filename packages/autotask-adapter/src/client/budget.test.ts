import { ConfigError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { endpointKey } from '../internal/endpoint-key.js';
import { createKeyedLimiter } from '../internal/limiter.js';
import { createRequestBudget } from './budget.js';

describe('createRequestBudget', () => {
  it('allows perHour requests in a rolling window and frees them as they age out', () => {
    let now = 0;
    const budget = createRequestBudget({ perHour: 3, now: () => now });
    expect([budget.take().ok, budget.take().ok]).toEqual([true, true]);
    now = 1_000;
    expect(budget.take().ok).toBe(true);
    expect(budget.take()).toEqual({ ok: false, retryAfterMs: 3_599_000 });
    expect(budget.remaining()).toBe(0);
    now = 3_600_000;
    expect(budget.used()).toBe(1);
    expect([budget.take().ok, budget.take().ok]).toEqual([true, true]);
    expect(budget.take()).toEqual({ ok: false, retryAfterMs: 1_000 });
  });

  it('refuses a non-positive allowance with a ConfigError', () => {
    expect(() => createRequestBudget({ perHour: 0 })).toThrow(ConfigError);
    expect(() => createRequestBudget({ perHour: 10, windowMs: -1 })).toThrow(ConfigError);
  });
});

describe('createKeyedLimiter', () => {
  it('holds a fourth caller on a key until a slot frees, leaving other keys alone', async () => {
    const limiter = createKeyedLimiter(3);
    const releases = await Promise.all([1, 2, 3].map(() => limiter.acquire('Contacts')));
    let fourth = false;
    const waiting = limiter.acquire('Contacts').then((release) => {
      fourth = true;
      return release;
    });
    await limiter.acquire('Companies');
    await Promise.resolve();
    expect(fourth).toBe(false);
    releases[0]!();
    releases[0]!(); // a second release of the same slot is ignored
    (await waiting)();
    expect(fourth).toBe(true);
    expect(limiter.active('Contacts')).toBe(2);
  });

  it('drops a waiter whose signal aborts', async () => {
    const limiter = createKeyedLimiter(1);
    const release = await limiter.acquire('Tickets');
    const controller = new AbortController();
    const waiting = limiter.acquire('Tickets', controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(limiter.active('Tickets')).toBe(0);
  });
});

describe('endpointKey', () => {
  it('counts a child collection against its own entity', () => {
    expect(endpointKey('Contacts/query/next?paging=x')).toBe('Contacts');
    expect(endpointKey('contacts/201')).toBe('Contacts');
    expect(endpointKey('Tickets/1001/Notes')).toBe('TicketNotes');
    expect(endpointKey('TicketNotes/query')).toBe('TicketNotes');
    expect(endpointKey('Tickets/1001')).toBe('Tickets');
    expect(endpointKey('Tickets/entityInformation/fields')).toBe('Tickets');
  });
});
