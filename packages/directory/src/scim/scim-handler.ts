import { randomUUID } from 'node:crypto';
import type { SourceChange } from '../types.js';
import { SCHEMAS, serviceProviderConfig, userResourceType, userSchema } from './_discovery.js';
import { type Mount, mount, parseSettings } from './_handler-settings.js';
import { bearerToken, errorResponse, ifMatchVersions, readJsonBody, scimResponse } from './_http.js';
import type { JsonObject } from './_json.js';
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  patchUser,
  replaceUser,
  type UsersContext,
} from './_users.js';
import { isScimError, ScimError } from './scim-error.js';
import { SCIM_USER_SCHEMA } from './scim-user.js';
import type { ScimUserStore } from './scim-user-store.js';

/** What {@link ScimHandlerOptions.authenticate} is told besides the token. @public */
export interface ScimAuthenticationContext {
  /** The customer the URL names (the `:customerId` segment of `basePath`), or `null` when `basePath` has none. */
  customerId: string | null;
  /** The request, for anything else the check needs (never log its headers: they hold the token). */
  request: Request;
}

/** Where an unexpected failure happened, for {@link ScimHandlerOptions.onError}. @public */
export interface ScimFailureContext {
  /** The authenticated customer, or `null` when the failure came before. */
  customerId: string | null;
  /** The HTTP method. */
  method: string;
  /** The path below `basePath` (`/Users/…`), without the query string. */
  route: string;
}

/** Settings of {@link createScimHandler}. @public */
export interface ScimHandlerOptions {
  /** Where the users live, per customer. */
  store: ScimUserStore;
  /**
   * The path the handler is mounted at, before `/Users`: `/scim/v2`, or `/scim/v2/:customerId` when the URL names
   * the customer (then a token must belong to that customer). Requests outside it get 404.
   */
  basePath: string;
  /**
   * Returns the customer a bearer token belongs to, or `null` for a token that is not valid (401). Compare tokens in
   * constant time (store a hash and use `crypto.timingSafeEqual` on equal-length digests): this handler only passes the
   * token on and never logs it.
   */
  authenticate: (token: string, context: ScimAuthenticationContext) => string | null | Promise<string | null>;
  /**
   * Receives every change a request makes, after it is stored (a delete: before), for the directory sync to apply.
   * When it throws, the request fails with 500 and the identity provider retries it: a create is undone first, and a
   * repeated request that changes nothing passes the user on again. Keep it idempotent.
   */
  onChange: (customerId: string, change: SourceChange) => void | Promise<void>;
  /** Largest request body read, in bytes (default 65,536); larger ones get 413. */
  maxBodyBytes?: number;
  /** Most users in one page of `GET /Users` (default 100), and the page size when `count` is not given. */
  maxPageSize?: number;
  /** Public origin (`https://qdesk.example.com`) for `meta.location`, when the server sees another (behind a proxy). */
  publicOrigin?: string;
  /** The clock for `meta.created` and `meta.lastModified` (epoch ms; default `Date.now`). */
  now?: () => number;
  /** Makes up the id of a new user (default a random UUID). */
  newId?: () => string;
  /** Hears of unexpected failures (a store or `onChange` that threw); the identity provider only gets a 500. */
  onError?: (error: unknown, context: ScimFailureContext) => void;
}

const notFound = (route: string, hint = '') =>
  new ScimError(
    `Nothing is served at ${route}: this SCIM endpoint serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas.${hint}`,
    { status: 404 },
  );

const notAllowed = (method: string, route: string, allow: string) =>
  new ScimError(`${method} is not allowed on ${route}; use ${allow}.`, { status: 405, details: { allow } });

const unauthorized = (detail: string) =>
  new ScimError(`${detail} Send the customer's SCIM token from QDesk as Authorization: Bearer <token>.`, {
    status: 401,
  });

/**
 * A SCIM 2.0 service provider for Users (RFC 7643 and 7644) as a fetch handler, `(request) => Promise<Response>`:
 * Microsoft Entra ID provisioning, Okta and other identity providers push a customer's users to QDesk with it.
 *
 * - `GET /Users` with `filter` (`userName eq "x"`, `externalId eq "x"`, `emails[type eq "work"].value eq "x"`,
 *   joined by `and`), `startIndex` and `count`; `POST /Users` (409 `uniqueness` on a taken `userName`);
 *   `GET`, `PUT`, `PATCH` and `DELETE /Users/{id}`; `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.
 * - PATCH reads what Entra ID and Okta send: `op` in any case, `"active": "False"` as a string, paths with filters
 *   (`emails[type eq "work"].value`, which creates the work email when there is none), and no-path operations
 *   whose keys are attributes or paths.
 * - Each write is passed to `onChange` as a {@link SourceChange} (`scimUserToSourceRecord`).
 * - Errors are SCIM error bodies with a `detail` that says what to fix; bodies over `maxBodyBytes` get 413; a
 *   `password` is accepted and dropped, never stored or passed on; ETags (`meta.version`) are honoured in `If-Match`.
 *
 * Note: `attributes`, `excludedAttributes` and `sortBy` are ignored (the full user is returned, oldest first), and
 * there are no groups: turn off group provisioning at the identity provider.
 *
 * @example
 * ```ts
 * const scim = createScimHandler({
 *   store: createMemoryScimUserStore(),
 *   basePath: '/scim/v2/:customerId',
 *   authenticate: (token, { customerId }) => (customerId && tokens.matches(customerId, token) ? customerId : null),
 *   onChange: (customerId, change) => directorySync.apply(customerId, change),
 * });
 * app.all('/scim/v2/:customerId/*', (c) => scim(c.req.raw));
 * ```
 * @public
 */
export function createScimHandler(options: ScimHandlerOptions): (request: Request) => Promise<Response> {
  const settings = parseSettings(options);
  const base = settings.basePath.split('/').filter((segment) => segment !== '');
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;

  async function authenticate(request: Request, at: Mount): Promise<string> {
    const token = bearerToken(request);
    if (token === null) throw unauthorized('The request has no bearer token.');
    const customerId = await options.authenticate(token, { customerId: at.customerId, request });
    if (
      typeof customerId !== 'string' ||
      customerId === '' ||
      (at.customerId !== null && customerId !== at.customerId)
    ) {
      throw unauthorized('The bearer token is not valid for this endpoint.');
    }
    return customerId;
  }

  async function route(request: Request, url: URL, at: Mount, context: UsersContext): Promise<Response> {
    const [resource = '', id, ...more] = at.rest;
    const name = resource.toLowerCase();
    const path = `/${at.rest.join('/')}`;
    const method = request.method.toUpperCase();
    const root = context.base;
    const only = (allowed: string, answer: () => Promise<Response> | Response) => {
      if (method !== allowed) throw notAllowed(method, path, allowed);
      return answer();
    };
    if (more.length > 0) throw notFound(path);
    if (name === 'users') {
      const accepted = ifMatchVersions(request);
      if (id === undefined) {
        if (method === 'GET') return listUsers(context, url);
        if (method === 'POST') return createUser(context, await readJsonBody(request, settings.maxBodyBytes));
        throw notAllowed(method, path, 'GET or POST');
      }
      if (id.length > 256) throw notFound(path);
      if (method === 'GET') return getUser(context, id);
      if (method === 'PUT')
        return replaceUser(context, id, await readJsonBody(request, settings.maxBodyBytes), accepted);
      if (method === 'PATCH')
        return patchUser(context, id, await readJsonBody(request, settings.maxBodyBytes), accepted);
      if (method === 'DELETE') return deleteUser(context, id, accepted);
      throw notAllowed(method, path, 'GET, PUT, PATCH or DELETE');
    }
    const list = (resources: JsonObject[]) =>
      scimResponse(200, {
        schemas: [SCHEMAS.list],
        totalResults: resources.length,
        startIndex: 1,
        itemsPerPage: resources.length,
        Resources: resources,
      });
    if (name === 'serviceproviderconfig' && id === undefined) {
      return only('GET', () => scimResponse(200, serviceProviderConfig(root, settings.maxPageSize)));
    }
    if (name === 'resourcetypes') {
      if (id === undefined) return only('GET', () => list([userResourceType(root)]));
      if (id === 'User') return only('GET', () => scimResponse(200, userResourceType(root)));
    }
    if (name === 'schemas') {
      if (id === undefined) return only('GET', () => list([userSchema(root)]));
      if (id.toLowerCase() === SCIM_USER_SCHEMA.toLowerCase())
        return only('GET', () => scimResponse(200, userSchema(root)));
    }
    const hint =
      name === 'groups' ? ' QDesk does not provision groups: turn off group provisioning for this app.' : '';
    throw notFound(path, hint);
  }

  return async function handleScimRequest(request: Request): Promise<Response> {
    let customerId: string | null = null;
    let url: URL | null = null;
    let at: Mount | null = null;
    try {
      url = new URL(request.url);
      at = mount(url.pathname, base);
      if (at === null) throw notFound(url.pathname);
      customerId = await authenticate(request, at);
      const owner = customerId;
      const context: UsersContext = {
        store: options.store,
        customerId: owner,
        base: `${settings.publicOrigin?.replace(/\/+$/, '') ?? url.origin}${at.prefix}`,
        now,
        newId,
        maxPageSize: settings.maxPageSize,
        deliver: async (change) => {
          try {
            await options.onChange(owner, change);
          } catch (error) {
            throw new ScimError(
              'QDesk could not pass the change on to its directory, so the request did not complete; retry it.',
              { status: 500, cause: error },
            );
          }
        },
        report: (error) => report(error),
      };
      return await route(request, url, at, context);
    } catch (error) {
      if (isScimError(error) && error.status < 500) {
        const headers: Record<string, string> = {};
        if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="QDesk SCIM"';
        if (error.status === 405) headers.allow = String(error.details.allow);
        return errorResponse(error, headers);
      }
      report(isScimError(error) && error.cause !== undefined ? error.cause : error);
      // Never the failure's own message: a driver's error can name tables, hosts or values.
      const failed = isScimError(error)
        ? error
        : new ScimError(
            'QDesk could not complete the request; retry it later. The failure was reported to the QDesk administrator.',
            {
              status: 500,
            },
          );
      return errorResponse(failed);
    }

    function report(error: unknown): void {
      const route = at ? `/${at.rest.join('/')}` : (url?.pathname ?? '');
      try {
        options.onError?.(error, { customerId, method: request.method, route });
      } catch {
        // A broken error hook must not turn one failure into another.
      }
    }
  };
}
