import { expect } from 'vitest';
import type { SourceChange } from '../types.js';
import { createMemoryScimUserStore, type MemoryScimUserStore } from './memory-scim-user-store.js';
import { createScimHandler, type ScimFailureContext, type ScimHandlerOptions } from './scim-handler.js';

/** What a request can carry as its body. */
export type RequestBody = NonNullable<RequestInit['body']>;

/** The tokens of the two customers every SCIM test has. */
export const TOKENS: Record<string, string> = {
  'cust-a': 'scim-token-a-0123456789',
  'cust-b': 'scim-token-b-9876543210',
};
export const ORIGIN = 'https://qdesk.example.com';
export const BASE = `${ORIGIN}/scim/v2/cust-a`;
/** 2025-03-01T09:00:00Z: where every test's clock starts. */
export const START = Date.UTC(2025, 2, 1, 9, 0, 0);

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed body, or `null` when there is none. */
  json: Record<string, unknown> | null;
}

export interface RecordedChange {
  customerId: string;
  change: SourceChange;
}

/** A SCIM handler on a memory store, a clock the test moves, and the changes it passed on. */
export function scimHarness(overrides: Partial<ScimHandlerOptions> = {}) {
  const store: MemoryScimUserStore = createMemoryScimUserStore();
  const changes: RecordedChange[] = [];
  const failures: Array<{ error: unknown; context: ScimFailureContext }> = [];
  let now = START;
  const handler = createScimHandler({
    store,
    basePath: '/scim/v2/:customerId',
    authenticate: (token) => Object.keys(TOKENS).find((customer) => TOKENS[customer] === token) ?? null,
    onChange: (customerId, change) => {
      changes.push({ customerId, change });
    },
    now: () => now,
    onError: (error, context) => failures.push({ error, context }),
    ...overrides,
  });

  /** Sends one request as an identity provider would: bearer token, SCIM media type, JSON body. */
  async function call(
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: RequestBody;
      token?: string | null;
      customer?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const customer = options.customer ?? 'cust-a';
    const token = options.token === undefined ? TOKENS[customer] : options.token;
    const headers: Record<string, string> = { accept: 'application/scim+json', ...options.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: RequestBody | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/scim+json; charset=utf-8';
    }
    const response = await handler(
      new Request(`${ORIGIN}/scim/v2/${customer}${path}`, { method, headers, body }),
    );
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text === '' ? null : JSON.parse(text),
    };
  }

  return {
    store,
    handler,
    changes,
    failures,
    call,
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

/** The SCIM error body an answer must carry. */
export function scimError(status: number, scimType?: string) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.any(String),
  };
}

/** The PatchOp message of some operations. */
export const patchOp = (...Operations: Array<Record<string, unknown>>) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations,
});
