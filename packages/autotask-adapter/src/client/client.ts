import { InputError } from '@qdesk/core';
import type { z } from 'zod';
import { type AutotaskClientConfig, DEFAULT_ZONE_DISCOVERY_URL, parseClientConfig } from '../config.js';
import { AutotaskError } from '../errors.js';
import { endpointKey } from '../internal/endpoint-key.js';
import { createKeyedLimiter } from '../internal/limiter.js';
import { checkedNextUrl, type FetchedPage, prefetchPages } from '../internal/paging.js';
import { createTransport, IMPERSONATION_HEADER, type SendRequest } from '../internal/transport.js';
import { validateQuery } from '../query/build-query.js';
import type { AutotaskFilter, AutotaskQuery } from '../query/filter.js';
import {
  type AutotaskEntity,
  countEnvelopeSchema,
  createEnvelopeSchema,
  type EntityRecord,
  itemEnvelopeSchema,
  pageEnvelopeSchema,
  recordSchemaFor,
} from '../records.js';
import { type AutotaskZone, createZoneCache, discoverZone, zoneFromUrl } from './zone.js';

/** Per-call options. @public */
export interface RequestOptions {
  /** Cancels the call (and any wait between retries). */
  signal?: AbortSignal;
}

/** Options of {@link AutotaskClient.create}. @public */
export interface CreateOptions extends RequestOptions {
  /**
   * Makes the create retryable. Before each retry it is asked whether an earlier attempt created the record after
   * all (its answer was lost to a timeout or a dropped connection); the id it returns is the create's answer and
   * nothing is sent again. Return `null` when there is no such record.
   */
  findExisting?: () => Promise<number | null>;
  /**
   * Creates the record as this Autotask resource: sends `ImpersonationResourceId` on this create (and its retries)
   * only, never on `findExisting`'s queries or any other call, overriding the client's `impersonationResourceId`.
   * Autotask then records the resource as the creator (`creatorResourceID`) and the API user as the impersonator.
   * It needs two security-level settings (see the README, "Notes written as the technician"); without them the
   * create fails with an {@link AutotaskError} of kind `impersonation_refused` and nothing is stored.
   */
  impersonateResourceId?: number;
}

/** A page of query results. @public */
export interface QueryPage<T> {
  /** The page's records, ascending by id as Autotask returns them. */
  items: T[];
  /** 1 for the first page. */
  page: number;
}

/**
 * A small Autotask REST client: zone discovery, the auth headers, get-by-id, queries that follow `nextPageUrl`,
 * counts and creates, with per-endpoint concurrency limits, a shared budget, retries and typed errors.
 * @public
 */
export interface AutotaskClient {
  /** The zone in use (discovered once, then cached). */
  zone(options?: RequestOptions): Promise<AutotaskZone>;
  /** `GET /{entity}/{id}`: the record, or `null` when Autotask has none with that id. */
  get<E extends AutotaskEntity>(
    entity: E,
    id: number,
    options?: RequestOptions,
  ): Promise<EntityRecord<E> | null>;
  /** `POST /{entity}/query`, page by page, following `nextPageUrl` with the same body. */
  queryPages<E extends AutotaskEntity>(
    entity: E,
    query: AutotaskQuery,
    options?: RequestOptions,
  ): AsyncIterable<QueryPage<EntityRecord<E>>>;
  /** The same as {@link AutotaskClient.queryPages}, record by record. */
  query<E extends AutotaskEntity>(
    entity: E,
    query: AutotaskQuery,
    options?: RequestOptions,
  ): AsyncIterable<EntityRecord<E>>;
  /** `POST /{entity}/query/count`: how many records match. */
  count(entity: AutotaskEntity, filter: AutotaskFilter[], options?: RequestOptions): Promise<number>;
  /**
   * `POST /{path}` (for example `Tickets/123/Notes`): creates a record and returns its id. Sent once, because a
   * create whose answer was lost may have happened; with `findExisting` (your duplicate check) it is retried like a
   * read, asking `findExisting` before each retry. With `impersonateResourceId` the record is created as that
   * resource.
   */
  create(path: string, body: Record<string, unknown>, options?: CreateOptions): Promise<number>;
}

const ENTITY = /^[A-Za-z][A-Za-z0-9]*$/;
const CREATE_PATH = /^[A-Za-z][A-Za-z0-9]*(\/\d+\/[A-Za-z][A-Za-z0-9]*)?$/;

function checkEntity(entity: string): void {
  if (!ENTITY.test(entity)) {
    throw new InputError(
      `"${entity}" is not an Autotask entity name (letters and digits, like "Contacts").`,
      {
        issues: [{ path: 'entity', message: 'must be letters and digits' }],
      },
    );
  }
}

/**
 * Creates an {@link AutotaskClient}. Throws core's `ConfigError` naming the bad field when `config` is invalid.
 * @example
 * ```ts
 * const client = createAutotaskClient({ username, secret, integrationCode });
 * for await (const company of client.query('Companies', buildQuery([where.eq('isActive', true)]))) {
 *   console.log(company.id, company.companyName);
 * }
 * ```
 * @public
 */
export function createAutotaskClient(config: AutotaskClientConfig): AutotaskClient {
  const c = parseClientConfig(config);
  const retry = {
    maxRetries: c.retry?.maxRetries ?? 4,
    baseDelayMs: c.retry?.baseDelayMs ?? 500,
    maxDelayMs: c.retry?.maxDelayMs ?? 20_000,
  };
  const random = c.random ?? Math.random;
  const timeoutMs = c.timeoutMs ?? 30_000;
  const zoneCache = c.zoneCache ?? createZoneCache();
  const discoveryUrl = c.zoneDiscoveryUrl ?? DEFAULT_ZONE_DISCOVERY_URL;
  const zoneKey = `${discoveryUrl}|${c.username.toLowerCase()}`;
  const fixedZone = c.zoneUrl ? zoneFromUrl(c.zoneUrl) : null;

  const headers: Record<string, string> = {
    Accept: 'application/json',
    ApiIntegrationCode: c.integrationCode,
    UserName: c.username,
    Secret: c.secret,
  };
  if (c.impersonationResourceId !== undefined) {
    headers[IMPERSONATION_HEADER] = String(c.impersonationResourceId);
  }

  const send = createTransport({
    headers,
    timeoutMs,
    retry,
    random,
    fetch: c.fetch,
    limiter: createKeyedLimiter(c.maxInFlightPerEntity ?? 3),
    budget: c.budget,
    now: Date.now,
    onRequest: c.onRequest,
    onAuthFailure: () => zoneCache.invalidate(zoneKey),
  });
  // Discovery sends no credentials and is exempt from Autotask's thread limits: no limiter, budget or events.
  const sendToDiscovery = createTransport({
    headers: { Accept: 'application/json' },
    timeoutMs,
    retry,
    random,
    fetch: c.fetch,
    now: Date.now,
  });

  const zone = async (options: RequestOptions = {}): Promise<AutotaskZone> => {
    options.signal?.throwIfAborted();
    if (fixedZone) return fixedZone;
    return zoneCache.resolve(zoneKey, () =>
      discoverZone({ discoveryUrl, username: c.username, timeoutMs, send: sendToDiscovery }),
    );
  };

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    options: RequestOptions & Pick<SendRequest, 'idempotent' | 'checkBeforeRetry' | 'headers'>,
    url?: URL,
  ) => {
    const api = new URL((await zone(options)).apiUrl);
    return send({
      method,
      url: url ?? new URL(path, api),
      path,
      endpoint: endpointKey(path),
      body,
      idempotent: options.idempotent,
      checkBeforeRetry: options.checkBeforeRetry,
      ...(options.headers && { headers: options.headers }),
      signal: options.signal,
    });
  };

  const parse = <S extends z.ZodType>(
    schema: S,
    body: unknown,
    method: string,
    path: string,
  ): z.output<S> => {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const at = issue ? `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}` : 'unknown shape';
    throw new AutotaskError(
      `Autotask answered ${method} ${path} with a record this adapter cannot read (${at}). The API may have ` +
        'changed; please report it with the entity and field named here.',
      { kind: 'unexpected_response', method, path, cause: result.error },
    );
  };

  async function* queryPages<E extends AutotaskEntity>(
    entity: E,
    query: AutotaskQuery,
    options: RequestOptions = {},
  ): AsyncGenerator<QueryPage<EntityRecord<E>>> {
    checkEntity(entity);
    const body = validateQuery(query);
    const schema = recordSchemaFor(entity, body.IncludeFields !== undefined);
    const api = new URL((await zone(options)).apiUrl);
    const firstPath = `${entity}/query`;
    const fetchPage = async (
      next: string | null,
      signal: AbortSignal,
    ): Promise<FetchedPage<EntityRecord<E>>> => {
      const path = next ? `${entity}/query/next` : firstPath;
      // Checked before anything is sent: the request carries the credentials.
      const url = next ? checkedNextUrl(next, api) : undefined;
      // Autotask wants the next page as a POST with the same body; a GET answers 405 and stops at 500 records.
      const raw = await call('POST', path, body, { signal, idempotent: true }, url);
      const envelope = parse(pageEnvelopeSchema, raw, 'POST', path);
      const items = envelope.items.map((item) => parse(schema, item, 'POST', path) as EntityRecord<E>);
      return { items, next: envelope.pageDetails.nextPageUrl || null };
    };
    let page = 0;
    for await (const items of prefetchPages(fetchPage, options.signal)) {
      page += 1;
      yield { items, page };
    }
  }

  return {
    zone,
    async get(entity, id, options = {}) {
      checkEntity(entity);
      if (!Number.isSafeInteger(id) || id < 0) {
        throw new InputError(`Autotask ids are non-negative integers; got ${id}.`, {
          issues: [{ path: 'id', message: 'must be a non-negative integer' }],
        });
      }
      const path = `${entity}/${id}`;
      const raw = await call('GET', path, undefined, { ...options, idempotent: true });
      const { item } = parse(itemEnvelopeSchema, raw, 'GET', path);
      if (item === null || item === undefined) return null;
      return parse(recordSchemaFor(entity, false), item, 'GET', path) as EntityRecord<typeof entity>;
    },
    queryPages,
    async *query(entity, query, options) {
      for await (const page of queryPages(entity, query, options)) yield* page.items;
    },
    async count(entity, filter, options = {}) {
      checkEntity(entity);
      const path = `${entity}/query/count`;
      const raw = await call('POST', path, validateQuery({ filter }), { ...options, idempotent: true });
      return parse(countEnvelopeSchema, raw, 'POST', path).queryCount;
    },
    async create(path, body, options = {}) {
      if (!CREATE_PATH.test(path)) {
        throw new InputError(`"${path}" is not an Autotask create path ("Entity" or "Parent/{id}/Child").`, {
          issues: [{ path: 'path', message: 'must look like Tickets/123/Notes' }],
        });
      }
      const { findExisting, impersonateResourceId: actAs } = options;
      if (actAs !== undefined && (!Number.isSafeInteger(actAs) || actAs <= 0)) {
        throw new InputError(
          `impersonateResourceId must be an Autotask resource id (a positive integer); got ${actAs}.`,
          {
            issues: [{ path: 'impersonateResourceId', message: 'must be a positive integer' }],
          },
        );
      }
      const raw = await call('POST', path, body, {
        signal: options.signal,
        idempotent: false,
        ...(actAs !== undefined && { headers: { [IMPERSONATION_HEADER]: String(actAs) } }),
        ...(findExisting && {
          checkBeforeRetry: async () => {
            const id = await findExisting();
            return id === null ? undefined : { itemId: id };
          },
        }),
      });
      return Number(parse(createEnvelopeSchema, raw, 'POST', path).itemId);
    },
  };
}
