import type { SourceChange } from '../types.js';
import { SCHEMAS } from './_discovery.js';
import { parseFilter } from './_filter.js';
import { lowerUserFilter } from './_filter-eval.js';
import { etagOf, scimResponse } from './_http.js';
import { findKey, isObject, type JsonObject, jsonEqual } from './_json.js';
import { applyPatch, readPatchOperations } from './_patch.js';
import { normalizeUser, userToJson } from './_user-input.js';
import { isScimError, ScimError } from './scim-error.js';
import type { ScimJsonValue, ScimUserData, ScimUserRecord } from './scim-user.js';
import type { ScimUserCondition, ScimUserList, ScimUserStore } from './scim-user-store.js';
import { scimUserToSourceRecord } from './to-source-record.js';

/** What the `/Users` operations of one request work with. @internal */
export interface UsersContext {
  store: ScimUserStore;
  customerId: string;
  /** Absolute URL of the endpoint's root (no trailing slash), for `meta.location`. */
  base: string;
  now: () => number;
  newId: () => string;
  maxPageSize: number;
  /** Passes a change on to `onChange`; throws a 500 {@link ScimError} when it fails. */
  deliver: (change: SourceChange) => Promise<void>;
  /** Reports a failure that does not change the answer (a rollback that failed too). */
  report: (error: unknown) => void;
}

/** How often a write is tried again when another request changed the user in between. */
const MAX_ATTEMPTS = 3;

const iso = (ms: number) => new Date(ms).toISOString();
const locationOf = (context: UsersContext, id: string) => `${context.base}/Users/${encodeURIComponent(id)}`;
const upsert = (record: ScimUserRecord): SourceChange => ({
  type: 'upsert',
  record: scimUserToSourceRecord(record),
});

/** A stored user as a SCIM User resource, with `meta` (RFC 7643, section 3.1). @internal */
export function renderUser(record: ScimUserRecord, location: string): JsonObject {
  const { schemas, ...attributes } = userToJson(record.user);
  return {
    schemas: schemas ?? [],
    id: record.id,
    ...attributes,
    meta: {
      resourceType: 'User',
      created: iso(record.created),
      lastModified: iso(record.lastModified),
      location,
      version: etagOf(record.version),
    },
  };
}

function userResponse(context: UsersContext, record: ScimUserRecord, status = 200): Response {
  const location = locationOf(context, record.id);
  const headers: Record<string, string> = { etag: etagOf(record.version) };
  if (status === 201) headers.location = location;
  return scimResponse(status, renderUser(record, location), headers);
}

const notFound = (id: string) =>
  new ScimError(`This customer has no user with id "${id}"; look it up with filter=userName eq "...".`, {
    status: 404,
    code: 'end_user_not_found',
  });

const preconditionFailed = (id: string, version: number) =>
  new ScimError(`User ${id} is at version ${etagOf(version)}, which If-Match does not name; read it again.`, {
    status: 412,
    details: { reason: 'version_mismatch' },
  });

/** A query parameter, its name compared without regard to case (`startIndex`, `startindex`). */
function param(url: URL, name: string): string | null {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === name.toLowerCase()) return value;
  return null;
}

function wholeNumber(url: URL, name: string): number | undefined {
  const raw = param(url, name);
  if (raw === null || raw.trim() === '') return undefined;
  if (!/^[-+]?\d{1,15}$/.test(raw.trim())) {
    throw ScimError.badRequest(
      'invalidValue',
      `${name} must be a whole number, not ${JSON.stringify(raw.slice(0, 40))}.`,
    );
  }
  return Number(raw);
}

const pageOf = (users: ScimUserRecord[], startIndex: number, count: number): ScimUserList => ({
  users: users.slice(startIndex - 1, startIndex - 1 + count),
  totalResults: users.length,
});

/** `GET /Users`: a page of the users that meet `filter`, from `startIndex` (1-based), `count` at most. @internal */
export async function listUsers(context: UsersContext, url: URL): Promise<Response> {
  // Out-of-range paging is clamped, as RFC 7644 section 3.4.2.4 asks: startIndex below 1 is 1, count below 0 is 0.
  const startIndex = Math.max(1, wholeNumber(url, 'startIndex') ?? 1);
  const count = Math.min(context.maxPageSize, Math.max(0, wholeNumber(url, 'count') ?? context.maxPageSize));
  const filter = param(url, 'filter');
  const conditions: ScimUserCondition[] =
    filter === null || filter.trim() === '' ? [] : lowerUserFilter(parseFilter(filter));
  const { store, customerId } = context;
  const only = conditions.length === 1 ? conditions[0]! : null;
  let page: ScimUserList;
  // The lookups identity providers make before every create go straight to the store's indexed reads.
  if (only?.attribute === 'userName') {
    const found = await store.findByUserName(customerId, only.value);
    page = pageOf(found ? [found] : [], startIndex, count);
  } else if (only?.attribute === 'externalId') {
    page = pageOf(await store.findByExternalId(customerId, only.value), startIndex, count);
  } else {
    page = await store.list(customerId, { conditions, startIndex, count });
  }
  return scimResponse(200, {
    schemas: [SCHEMAS.list],
    totalResults: page.totalResults,
    startIndex,
    itemsPerPage: page.users.length,
    Resources: page.users.map((user) => renderUser(user, locationOf(context, user.id))),
  });
}

/** `GET /Users/{id}`. @internal */
export async function getUser(context: UsersContext, id: string): Promise<Response> {
  const record = await context.store.get(context.customerId, id);
  if (!record) throw notFound(id);
  return userResponse(context, record);
}

/**
 * `POST /Users`: creates the user and passes it on. When `onChange` fails the user is removed again, so the
 * identity provider's retry creates it (rather than finding it and believing the directory has it).
 * @internal
 */
export async function createUser(context: UsersContext, body: ScimJsonValue): Promise<Response> {
  const user = normalizeUser(body, { activeDefault: true });
  const { store, customerId } = context;
  if (await store.findByUserName(customerId, user.userName)) throw ScimError.userNameTaken(user.userName);
  const record = await store.create(customerId, { id: context.newId(), user, at: context.now() });
  try {
    await context.deliver(upsert(record));
  } catch (error) {
    await store.delete(customerId, record.id).catch(context.report);
    throw error;
  }
  return userResponse(context, record, 201);
}

/**
 * Writes what `compute` makes of the stored user, at the version it read: again from a fresh read (at most
 * {@link MAX_ATTEMPTS} times) when another request changed the user in between, unless `If-Match` pinned the
 * version. A write that changes nothing stores nothing but passes the user on again, so a change whose `onChange`
 * failed reaches the directory when the identity provider retries.
 */
async function rewrite(
  context: UsersContext,
  id: string,
  accepted: number[] | undefined,
  compute: (current: ScimUserRecord) => ScimUserData,
): Promise<Response> {
  const { store, customerId } = context;
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(customerId, id);
    if (!current) throw notFound(id);
    if (accepted !== undefined && !accepted.includes(current.version))
      throw preconditionFailed(id, current.version);
    const user = compute(current);
    if (jsonEqual(userToJson(user), userToJson(current.user))) {
      await context.deliver(upsert(current));
      return userResponse(context, current);
    }
    if (user.userName.toLowerCase() !== current.user.userName.toLowerCase()) {
      const holder = await store.findByUserName(customerId, user.userName);
      if (holder && holder.id !== id) throw ScimError.userNameTaken(user.userName);
    }
    try {
      const stored = await store.replace(customerId, {
        id,
        user,
        at: context.now(),
        expectedVersion: current.version,
      });
      if (!stored) throw notFound(id);
      await context.deliver(upsert(stored));
      return userResponse(context, stored);
    } catch (error) {
      const stale = isScimError(error) && error.status === 412;
      if (!stale || accepted !== undefined || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * `PUT /Users/{id}`: replaces the user's attributes. An `active` left out keeps its value (an incomplete PUT never
 * re-enables a deactivated account); `id` in the body must be the URL's.
 * @internal
 */
export async function replaceUser(
  context: UsersContext,
  id: string,
  body: ScimJsonValue,
  accepted: number[] | undefined,
): Promise<Response> {
  const idKey = isObject(body) ? findKey(body, 'id') : undefined;
  if (isObject(body) && idKey !== undefined && body[idKey] !== null && body[idKey] !== id) {
    throw ScimError.badRequest(
      'mutability',
      `The body's id ${JSON.stringify(body[idKey])} is not the URL's "${id}"; id cannot change.`,
    );
  }
  return rewrite(context, id, accepted, (current) =>
    normalizeUser(body, { activeDefault: current.user.active }),
  );
}

/** `PATCH /Users/{id}`: applies the operations to the stored user, all or none (RFC 7644, section 3.5.2). @internal */
export async function patchUser(
  context: UsersContext,
  id: string,
  body: ScimJsonValue,
  accepted: number[] | undefined,
): Promise<Response> {
  const operations = readPatchOperations(body);
  return rewrite(context, id, accepted, (current) =>
    normalizeUser(applyPatch(userToJson(current.user), operations), { activeDefault: current.user.active }),
  );
}

/**
 * `DELETE /Users/{id}`: the directory hears of it first, so that a failure leaves the user deleted there (dropped from
 * verification) rather than kept, and the identity provider's retry deletes it here.
 * @internal
 */
export async function deleteUser(
  context: UsersContext,
  id: string,
  accepted: number[] | undefined,
): Promise<Response> {
  const { store, customerId } = context;
  const current = await store.get(customerId, id);
  if (!current) throw notFound(id);
  if (accepted !== undefined && !accepted.includes(current.version))
    throw preconditionFailed(id, current.version);
  await context.deliver({ type: 'delete', externalId: id });
  const removed = await store.delete(customerId, id, accepted === undefined ? undefined : current.version);
  if (!removed) throw notFound(id);
  return scimResponse(204, null);
}
