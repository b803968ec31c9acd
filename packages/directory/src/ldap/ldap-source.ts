import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { DirectorySource, SourceChange, SourcePage } from '../types.js';
import { type LdapSourceConfig, type ResolvedLdapConfig, resolveLdapConfig } from './ldap-config.js';
import {
  addToFingerprint,
  type Checkpoint,
  cursorScope,
  decodeCursor,
  EMPTY_FINGERPRINT,
  encodeCursor,
  type LdapCursor,
  recordDigest,
  type SeenEntry,
  trimSeen,
} from './ldap-cursor.js';
import { entryToRecord, formatGeneralizedTime, type LdapEntry, requestedAttributes } from './ldap-entry.js';
import { type ClassifiedLdapError, classifyLdapError, type LdapOperation } from './ldap-errors.js';

/** An Active Directory (or any LDAP directory) source. @public */
export interface LdapSource extends DirectorySource {
  /** Always `ldap`. */
  readonly kind: 'ldap';
}

/** Where a read stands: what it reads, how far it got, and the checkpoint it is building. Mutated page by page. */
interface ReadState {
  /** The read's own starting point: `null` for a full read. */
  base: Checkpoint | null;
  /** `base.seen` as id to digest: people already reported exactly so, not reported again. */
  unchanged: ReadonlyMap<string, string>;
  /** Entries of the search consumed up to the last page handed out, and the fingerprint of their ids. */
  position: number;
  fingerprint: string;
  /** The checkpoint the last page will carry. */
  nextSince: number;
  nextSeen: Map<string, SeenEntry>;
}

/** The resumed search did not start with the entries the interrupted one had handed out: read it all again. */
class PrefixChanged extends Error {}

/** A failure of one attempt, already classified. */
class AttemptFailed extends Error {
  constructor(readonly classified: ClassifiedLdapError) {
    super(classified.error.message);
  }
}

const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const digests = (seen: SeenEntry[]) => new Map(seen.map(([id, , digest]) => [id, digest]));
const byId = (seen: SeenEntry[]) => new Map(seen.map((entry) => [entry[0], entry]));

function startState(cursor: LdapCursor | null, now: number, clockSkewMs: number): ReadState {
  if (cursor === null) {
    const nextSince = wholeSecond(now - clockSkewMs);
    return {
      base: null,
      unchanged: new Map(),
      position: 0,
      fingerprint: EMPTY_FINGERPRINT,
      nextSince,
      nextSeen: new Map(),
    };
  }
  if (cursor.kind === 'since') {
    const nextSince = Math.max(cursor.since, wholeSecond(now - clockSkewMs));
    return {
      base: { since: cursor.since, seen: cursor.seen },
      unchanged: digests(cursor.seen),
      position: 0,
      fingerprint: EMPTY_FINGERPRINT,
      nextSince,
      nextSeen: byId(trimSeen(cursor.seen, nextSince)),
    };
  }
  return {
    base: cursor.base,
    unchanged: digests(cursor.base?.seen ?? []),
    position: cursor.position,
    fingerprint: cursor.fingerprint,
    nextSince: cursor.next.since,
    nextSeen: byId(cursor.next.seen),
  };
}

/**
 * Reads people from Active Directory (or another LDAP directory) with a paged search, one {@link SourcePage} per
 * LDAP page: `mail` is the email, `mobile` a `mobile` phone and `telephoneNumber` a `business` phone (source
 * `directory`), `userAccountControl` bit 0x2 (ACCOUNTDISABLE) an inactive record, `whenChanged` the change time,
 * `objectGUID` the id (as AD's GUID string). Every read binds, searches and unbinds; the connection is closed on
 * success, failure and abort alike.
 *
 * **Cursors.** The last page's cursor is a checkpoint: a read given it searches `(&<filter>(whenChanged>=<since>))`
 * and reports only who changed. `since` is the read's start on this host's clock less `clockSkewMs`, not the highest
 * `whenChanged` seen, so a change made during a read is never behind the checkpoint. The checkpoint also lists who
 * was reported with a change time after `since` (up to 1,000, with a digest of each record as reported), so they are
 * not reported again unless their record changes (even within the same second, which `whenChanged` cannot tell).
 *
 * A page's cursor resumes a read that failed. LDAP paging cookies die with their connection, so the resumed read runs
 * the same search again, skips as many entries as were handed out and checks that they are the same ones (a
 * fingerprint of their ids): then nothing is reported twice, and whoever changed meanwhile comes in the next
 * incremental read (the checkpoint is still the interrupted read's). If the directory answers differently (people
 * added or removed ahead of where the read stopped), the read reports everything again from the start: duplicates,
 * which upserts absorb, rather than a miss. The skipped entries are read from the server again (the cost of a resume).
 * Lost connections, timeouts and busy servers are retried the same way inside a read (`retries`, `retryDelayMs`)
 * before it fails with an `AdapterError`.
 *
 * **Removals.** A search sees only what exists: a deleted account (an AD tombstone), one moved out of `baseDN` or out
 * of `filter` never appears in an incremental read, and this source reports no `delete`. A full read (`cursor: null`)
 * reports everyone in scope; the sync removes, or marks inactive, the people of this source the full read did not
 * report. Run one regularly (nightly, say) as well as the incremental reads.
 *
 * **Clocks.** Active Directory does not replicate `whenChanged`: each domain controller keeps its own, so keep `url`
 * on one domain controller (a cursor from another url is refused; start with a full read). The two clocks may differ
 * by at most `clockSkewMs` (default 10 minutes).
 *
 * @example
 * ```ts
 * const source = createLdapSource({
 *   url: 'ldaps://dc1.corp.example',
 *   bindDN: 'CN=qdesk-reader,OU=Service Accounts,DC=corp,DC=example',
 *   password: process.env.LDAP_PASSWORD!,
 *   baseDN: 'OU=Staff,DC=corp,DC=example',
 *   tlsOptions: { ca: readFileSync('corp-root-ca.pem') },
 * });
 * for await (const page of source.read({ cursor: null })) await apply(page); // then store page.cursor
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createLdapSource(config: LdapSourceConfig): LdapSource {
  const settings = resolveLdapConfig(config);
  const { attributes: names } = settings;
  const scope = cursorScope([
    settings.url.toLowerCase(),
    settings.baseDN.toLowerCase(),
    settings.filter,
    names.id.toLowerCase(),
    settings.idFormat,
    names.whenChanged.toLowerCase(),
  ]);
  return {
    kind: 'ldap',
    read: ({ cursor, signal }) => read(settings, scope, cursor, signal),
  };
}

async function* read(
  settings: ResolvedLdapConfig,
  scope: string,
  cursor: string | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourcePage> {
  signal?.throwIfAborted();
  const now = settings.now ?? Date.now;
  const state = startState(cursor === null ? null : decodeCursor(cursor, scope), now(), settings.clockSkewMs);
  let failures = 0;
  // Bounded: every pass either ends the read, hands out a page (resetting `failures`) or counts a failure.
  for (;;) {
    const before = state.position;
    try {
      yield* attempt(settings, state, scope, signal);
      return;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof PrefixChanged) {
        Object.assign(state, { position: 0, fingerprint: EMPTY_FINGERPRINT });
        continue;
      }
      if (!(error instanceof AttemptFailed)) throw error;
      if (state.position > before) failures = 0;
      if (!error.classified.transient || failures >= settings.retries) throw error.classified.error;
      failures += 1;
      try {
        await sleep(settings.retryDelayMs * 2 ** (failures - 1), undefined, { signal });
      } catch (aborted) {
        throw signal?.reason ?? aborted;
      }
    }
  }
}

/**
 * TLS options for StartTLS: a copy (ldapts writes the socket into them), with the url's host as the name the
 * certificate must carry (Node would check it against "localhost" otherwise).
 */
function startTlsOptions(settings: ResolvedLdapConfig): ConnectionOptions {
  const host = new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
  return { host, ...(isIP(host) ? {} : { servername: host }), ...settings.tlsOptions };
}

/** One connection's worth of the read: connect, bind, search from the start and skip to `state.position`. */
async function* attempt(
  settings: ResolvedLdapConfig,
  state: ReadState,
  scope: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourcePage> {
  const { attributes: names, timeoutMs } = settings;
  const client = new Client({
    url: settings.url,
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
    // ldapts opens TLS at once whenever it is given TLS options, so an ldap:// url gets them at StartTLS only.
    ...(settings.url.startsWith('ldaps:') ? { tlsOptions: { ...settings.tlsOptions } } : {}),
  });
  let operation: LdapOperation = 'connect';
  // An abort closes the connection, which fails the request in flight at once.
  const onAbort = () => void client.unbind().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (error: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    const { url, bindDN, baseDN } = settings;
    throw new AttemptFailed(classifyLdapError(error, { operation, url, bindDN, baseDN, timeoutMs }));
  };
  try {
    if (settings.startTls) {
      operation = 'startTls';
      await client.startTLS(startTlsOptions(settings)).catch(fail);
    }
    operation = 'bind';
    await client.bind(settings.bindDN, settings.password).catch(fail);
    operation = 'search';
    const filter = state.base
      ? `(&${settings.filter}(${names.whenChanged}>=${formatGeneralizedTime(state.base.since)}))`
      : settings.filter;
    const pages = client.searchPaginated(settings.baseDN, {
      scope: 'sub',
      filter,
      attributes: requestedAttributes(names),
      explicitBufferAttributes: settings.idFormat === 'guid' ? [names.id] : [],
      paged: { pageSize: settings.pageSize },
      timeLimit: Math.ceil(timeoutMs / 1000),
    });
    const resumeAt = state.position;
    let consumed = 0;
    let fingerprint = EMPTY_FINGERPRINT;
    signal?.throwIfAborted();
    let current = await pages.next().catch(fail);
    // Bounded by the directory: each pass consumes one page the server returned.
    while (!current.done) {
      signal?.throwIfAborted();
      // Asked before the current page is handed out, so that page can say whether it is the last; after the last
      // page ldapts ends without another request.
      const following = await pages.next().catch(fail);
      const changes: SourceChange[] = [];
      // Who the checkpoint lists after this page: a change time at or after `nextSince`, or no longer (`null`).
      const seen: Array<[string, SeenEntry | null]> = [];
      for (const entry of current.value.searchEntries as LdapEntry[]) {
        consumed += 1;
        const record = entryToRecord(entry, names, settings.idFormat);
        fingerprint = addToFingerprint(
          fingerprint,
          'problem' in record ? `dn:${entry.dn}` : record.externalId,
        );
        if (consumed <= resumeAt) {
          if (consumed === resumeAt && fingerprint !== state.fingerprint) throw new PrefixChanged();
          continue;
        }
        if ('problem' in record) {
          settings.onEntrySkipped?.({ dn: entry.dn, reason: record.problem });
          continue;
        }
        const { externalId, changedAt } = record;
        // A digest only where a checkpoint needs one: most people of a full read changed long before `nextSince`.
        const recent = changedAt !== null && changedAt >= state.nextSince;
        const listed = state.unchanged.get(externalId);
        const digest = recent || listed !== undefined ? recordDigest(record) : '';
        seen.push([externalId, recent ? [externalId, changedAt, digest] : null]);
        if (listed === digest) continue;
        changes.push({ type: 'upsert', record });
      }
      if (following.done && consumed < resumeAt) throw new PrefixChanged();
      if (consumed > resumeAt || following.done) {
        for (const [id, entry] of seen) {
          if (entry) state.nextSeen.set(id, entry);
          else state.nextSeen.delete(id);
        }
        state.nextSeen = byId(trimSeen(state.nextSeen.values(), state.nextSince));
        state.position = consumed;
        state.fingerprint = fingerprint;
        const next = { since: state.nextSince, seen: [...state.nextSeen.values()] };
        const pageCursor: LdapCursor = following.done
          ? { kind: 'since', ...next }
          : { kind: 'page', base: state.base, position: consumed, fingerprint, next };
        yield { changes, cursor: encodeCursor(pageCursor, scope), done: following.done === true };
      }
      current = following;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.unbind().catch(() => undefined);
  }
}
