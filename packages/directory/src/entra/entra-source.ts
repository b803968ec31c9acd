import { InputError } from '@qdesk/core';
import type { DirectorySource, SourceChange, SourcePage, SourcePhone } from '../types.js';
import { type EntraSourceConfig, parseEntraConfig, type ResolvedEntraConfig } from './entra-config.js';
import { type BatchAnswer, type BatchGet, batchGet } from './graph-batch.js';
import { createGraphClient, type GraphClient } from './graph-client.js';
import { graphRefusal, unexpectedResponse } from './graph-errors.js';
import {
  deltaPageSchema,
  type GraphUser,
  graphUserSchema,
  isCompleteUser,
  lastPerUser,
  mfaPhones,
  phoneMethodsSchema,
  toSourceRecord,
  USER_FIELDS,
} from './graph-users.js';

/** A {@link DirectorySource} reading one Microsoft Entra ID tenant. @public */
export interface EntraSource extends DirectorySource {
  /** Always `entra`. */
  readonly kind: 'entra';
}

/** More pages than any tenant has (20 million users at 999 a page): a link that never ends is a fault, not a tenant. */
const MAX_PAGES = 20_000;

/** State of one `read`: whether phone methods may still be asked for, and whether the warning went out. */
interface ReadState {
  methods: boolean;
  warned: boolean;
}

/**
 * Reads the end-users of one customer's Microsoft Entra ID tenant through Microsoft Graph, with app-only access
 * (client credentials; see {@link EntraSourceConfig} for the permissions and the consent per customer tenant).
 *
 * - `read({ cursor: null })` is a full read: `GET /users/delta` with `$select` and `$top`, page by page along
 *   `@odata.nextLink`. Each page's cursor is its next link, so a read that fails resumes after the last stored page;
 *   the last page's cursor is the `@odata.deltaLink`.
 * - `read({ cursor: deltaLink })` is an incremental read: only users created, changed or removed since. A user with
 *   `@removed` (soft-deleted, reason `changed`, or gone for good, `deleted`) is a `delete`; a disabled account is an
 *   `upsert` with `active: false`. A delta object that holds only some properties is read again in full first.
 * - Phones: `mobilePhone` (`mobile`, `directory`), `businessPhones` (`business`, `directory`), and with
 *   `includeMfaPhones` each user's phone authentication methods (`mobile`, `alternateMobile`, `office`: `mfa`,
 *   `idp_mfa`), read through JSON batching, 20 users per `$batch` request. A 403 there does not fail the read: it
 *   is reported once through `onWarning` and the read goes on without MFA phones.
 * - Throttling (429) and 502, 503, 504 are retried, honouring `Retry-After`, also for each `$batch` sub-request; a
 *   401 gets one new token. Persistent failures reject with core's `AdapterError` whose `details.reason` is an
 *   `EntraFailureReason` and whose message says what to fix. Neither the secret nor a token is in any message.
 *
 * Note: an expired or reset delta link (410 Gone, `syncStateNotFound`) is not followed by an automatic full read.
 * A full read lists the users that exist, not those deleted meanwhile, so whoever stores the records must also
 * remove the ones it did not return; the read rejects (`isEntraResyncRequired(error)` is true) so that the caller
 * starts the full read knowing that.
 * @example
 * ```ts
 * const source = createEntraSource({
 *   tenantId: 'contoso.onmicrosoft.com',
 *   clientId: process.env.ENTRA_CLIENT_ID!,
 *   clientSecret: process.env.ENTRA_CLIENT_SECRET!,
 *   onWarning: (warning) => console.warn(warning.message),
 * });
 * let cursor: string | null = null; // or the cursor stored after the last sync
 * for await (const page of source.read({ cursor })) {
 *   await apply(page.changes);
 *   cursor = page.cursor; // store it: the next sync (or a resumed one) starts there
 * }
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createEntraSource(config: EntraSourceConfig): EntraSource {
  const settings = parseEntraConfig(config);
  const client = createGraphClient(settings);
  return {
    kind: 'entra',
    read(options) {
      return readPages(settings, client, options);
    },
  };
}

async function* readPages(
  settings: ResolvedEntraConfig,
  client: GraphClient,
  options: { cursor: string | null; signal?: AbortSignal },
): AsyncGenerator<SourcePage> {
  const { cursor, signal } = checkReadOptions(options);
  let url = cursor === null ? firstUrl(settings) : cursorUrl(cursor, settings.graphUrl);
  const state: ReadState = { methods: settings.includeMfaPhones, warned: false };
  const followed = new Set<string>([url]);
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await client.call({ what: 'delta', method: 'GET', url, signal });
    const parsed = deltaPageSchema.safeParse(body);
    if (!parsed.success) throw unexpectedResponse('delta', 'no value array', 200);
    const users = lastPerUser(
      parsed.data.value.map((item) => {
        const user = graphUserSchema.safeParse(item);
        if (!user.success) throw unexpectedResponse('delta', 'a user without an id', 200);
        return user.data;
      }),
    );
    const next = parsed.data['@odata.nextLink'];
    const delta = parsed.data['@odata.deltaLink'];
    if (next === undefined && delta === undefined) {
      throw unexpectedResponse('delta', 'a page with neither @odata.nextLink nor @odata.deltaLink', 200);
    }
    const link = linkUrl((next ?? delta) as string, settings.graphUrl);
    const changes = await toChanges(users, settings, client, state, signal);
    if (next === undefined) {
      yield { changes, cursor: link, done: true };
      return;
    }
    // A link handed out twice would read the same pages forever.
    if (followed.has(link)) throw unexpectedResponse('delta', 'a next link that does not advance', 200);
    followed.add(link);
    yield { changes, cursor: link, done: false };
    url = link;
  }
  throw unexpectedResponse('delta', `more than ${MAX_PAGES} pages`, 200);
}

function checkReadOptions(options: { cursor: string | null; signal?: AbortSignal }) {
  const cursor = options?.cursor;
  if (cursor !== null && (typeof cursor !== 'string' || cursor.trim() === '')) {
    throw InputError.fromIssues('the Entra ID source read', [
      { path: 'cursor', message: 'expected null (a full read) or a cursor an earlier read returned' },
    ]);
  }
  return { cursor, signal: options?.signal };
}

function firstUrl(settings: ResolvedEntraConfig): string {
  // `$` is written as is: Graph reads both forms, and its own links use this one.
  return `${settings.graphUrl}/users/delta?$select=${USER_FIELDS.join(',')}&$top=${settings.pageSize}`;
}

/** A link is followed only on Graph's own origin and below its versioned root: it will carry the access token. */
function isGraphLink(url: URL, graphUrl: string): boolean {
  const root = new URL(graphUrl);
  return url.origin === root.origin && url.pathname.startsWith(`${root.pathname.replace(/\/$/, '')}/`);
}

function cursorUrl(cursor: string, graphUrl: string): string {
  let url: URL | null = null;
  try {
    url = new URL(cursor);
  } catch {
    url = null;
  }
  if (url === null || !isGraphLink(url, graphUrl)) {
    throw InputError.fromIssues('the Entra ID source read', [
      {
        path: 'cursor',
        message: `expected a Microsoft Graph link under ${graphUrl} that an earlier read returned; pass null to start a full read`,
      },
    ]);
  }
  // Graph's links are used exactly as given ("copy and apply the @odata.nextLink"), not re-serialised.
  return cursor;
}

function linkUrl(link: string, graphUrl: string): string {
  let url: URL;
  try {
    url = new URL(link, `${graphUrl}/`);
  } catch {
    throw unexpectedResponse('delta', 'an unreadable page link', 200);
  }
  if (!isGraphLink(url, graphUrl)) {
    throw unexpectedResponse(
      'delta',
      `a page link to ${url.origin}, not Microsoft Graph; no token was sent there`,
      200,
    );
  }
  return /^https?:\/\//i.test(link) ? link : url.toString();
}

/** Turns one page's users into changes: MFA phones and whole users for partial objects, in one series of batches. */
async function toChanges(
  users: readonly GraphUser[],
  settings: ResolvedEntraConfig,
  client: GraphClient,
  state: ReadState,
  signal: AbortSignal | undefined,
): Promise<SourceChange[]> {
  const requests: BatchGet[] = [];
  users.forEach((user, index) => {
    if (user['@removed'] !== undefined) return;
    const path = `/users/${encodeURIComponent(user.id)}`;
    if (state.methods)
      requests.push({ id: `m${index}`, url: `${path}/authentication/phoneMethods`, what: 'methods' });
    if (!isCompleteUser(user)) {
      requests.push({ id: `u${index}`, url: `${path}?$select=${USER_FIELDS.join(',')}`, what: 'user' });
    }
  });
  const answers =
    requests.length === 0
      ? new Map<string, BatchAnswer>()
      : await batchGet(client, settings.graphUrl, requests, settings.batchConcurrency, signal);

  const changes: SourceChange[] = [];
  users.forEach((user, index) => {
    if (user['@removed'] !== undefined) {
      changes.push({ type: 'delete', externalId: user.id });
      return;
    }
    let whole = user;
    const reread = answers.get(`u${index}`);
    if (reread !== undefined) {
      // Gone since the delta was taken: the next delta lists it as removed; say so now.
      if (reread.status === 404) {
        changes.push({ type: 'delete', externalId: user.id });
        return;
      }
      if (reread.status !== 200) throw graphRefusal(reread.status, reread.body, 'user');
      const parsed = graphUserSchema.safeParse(reread.body);
      if (!parsed.success) throw unexpectedResponse('user', 'a user without an id', 200);
      whole = parsed.data;
    }
    changes.push({
      type: 'upsert',
      record: toSourceRecord(whole, phonesOf(answers.get(`m${index}`), settings, state)),
    });
  });
  return changes;
}

/** A user's MFA phones from their methods' answer; a 403 turns methods off for the rest of the read, with a warning. */
function phonesOf(
  answer: BatchAnswer | undefined,
  settings: ResolvedEntraConfig,
  state: ReadState,
): SourcePhone[] {
  if (answer === undefined || answer.status === 404) return [];
  if (answer.status === 403) {
    state.methods = false;
    if (!state.warned) {
      state.warned = true;
      try {
        settings.onWarning?.({
          code: 'mfa_phones_forbidden',
          message:
            "Microsoft Graph refused to list users' phone authentication methods (403): grant the app the " +
            "UserAuthenticationMethod.Read.All application permission and admin consent in the customer's tenant. " +
            'Until then records carry no MFA phones; treat those as unknown, not removed.',
        });
      } catch {
        // A broken warning hook must not fail the read it reports on.
      }
    }
    return [];
  }
  if (answer.status !== 200) throw graphRefusal(answer.status, answer.body, 'methods');
  const parsed = phoneMethodsSchema.safeParse(answer.body);
  if (!parsed.success) throw unexpectedResponse('methods', 'no value array', 200);
  return mfaPhones(parsed.data);
}
