/**
 * `GET /users/delta` of the Microsoft Graph fake, as Graph documents it: a full round pages through the users that
 * exist (`@odata.nextLink` with a `$skiptoken`), its last page carries an `@odata.deltaLink` (`$deltatoken`); a round
 * started from a delta link lists only the users created, changed or removed since (`@removed` with reason `changed`
 * or `deleted`). Query parameters are given once, on the first request, and carried inside the state tokens.
 */
import type { FakeDirectoryData, FakeGraphUser, FakeUserProperty } from './graph-fake-data.test-helpers.js';

/** How updated users look in a delta-link round. */
export type FakeUpdateStyle =
  /** Graph's documented default: every selected property, unchanged ones with their old value, never-set ones absent. */
  | 'whole'
  /** Only the changed properties (what `Prefer: return=minimal` gives, and what Graph's general rule allows). */
  | 'changed_only';

/** What a state token holds. */
interface DeltaState {
  epoch: number;
  select: FakeUserProperty[];
  top: number;
  mode: 'full' | 'changes';
  /** Full round: the creation seq of the last user listed. Changes round: the index in the round's id list. */
  position: number;
  /** Changes round: changes after this seq. */
  from: number;
  /** The round's upper bound (the log's seq when the round began). */
  upto: number;
}

export const ALL_PROPERTIES: FakeUserProperty[] = [
  'displayName',
  'userPrincipalName',
  'mail',
  'otherMails',
  'mobilePhone',
  'businessPhones',
  'accountEnabled',
];

const encode = (state: DeltaState) => Buffer.from(JSON.stringify(state)).toString('base64url');

function decode(token: string): DeltaState | null {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
    return typeof state.epoch === 'number' && Array.isArray(state.select) ? state : null;
  } catch {
    return null;
  }
}

/** One delta answer: a page, or why the tokens cannot be used. */
export type DeltaAnswer =
  | { kind: 'page'; body: Record<string, unknown> }
  | { kind: 'bad_token' }
  | { kind: 'expired' };

/** Builds a user's representation: `include` lists the properties; nulls are left out unless `nullsToo` names them. */
export function represent(
  user: FakeGraphUser,
  include: readonly FakeUserProperty[],
  nullsToo: ReadonlySet<FakeUserProperty> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of include) {
    const value = user[key];
    if (value === null && !nullsToo.has(key)) continue;
    out[key] = value;
  }
  out.id = user.id;
  return out;
}

/** Answers `GET {graphUrl}/users/delta?...` from the fake's data. */
export function answerDelta(
  data: FakeDirectoryData,
  url: URL,
  options: { graphUrl: string; epoch: number; updates: FakeUpdateStyle; defaultTop: number },
): DeltaAnswer {
  const skip = url.searchParams.get('$skiptoken');
  const delta = url.searchParams.get('$deltatoken');
  let state: DeltaState;
  if (skip !== null || delta !== null) {
    const decoded = decode(skip ?? delta ?? '');
    if (decoded === null) return { kind: 'bad_token' };
    if (decoded.epoch !== options.epoch) return { kind: 'expired' };
    // A delta link starts a new round of changes, bounded by what the log holds now.
    state = delta !== null ? { ...decoded, mode: 'changes', position: 0, upto: data.seq } : decoded;
  } else {
    const selected = url.searchParams.get('$select');
    const select = selected
      ? ALL_PROPERTIES.filter((p) => selected.split(',').includes(p))
      : [...ALL_PROPERTIES];
    const top = Math.min(999, Math.max(1, Number(url.searchParams.get('$top') ?? options.defaultTop) || 1));
    state = { epoch: options.epoch, select, top, mode: 'full', position: 0, from: 0, upto: data.seq };
  }
  const link = (param: string, next: DeltaState) =>
    `${options.graphUrl}/users/delta?${param}=${encode(next)}`;
  const page = state.mode === 'full' ? fullPage(data, state) : changesPage(data, state, options.updates);
  const body: Record<string, unknown> = {
    '@odata.context': `${options.graphUrl}/$metadata#users(${state.select.join(',')})`,
    value: page.value,
  };
  if (page.next !== null) body['@odata.nextLink'] = link('$skiptoken', page.next);
  else
    body['@odata.deltaLink'] = link('$deltatoken', {
      ...state,
      mode: 'changes',
      from: state.upto,
      position: 0,
    });
  return { kind: 'page', body };
}

function fullPage(data: FakeDirectoryData, state: DeltaState) {
  const listed: FakeGraphUser[] = [];
  let more = false;
  // Creation order is stable while users come and go; users created after the round began wait for the next round.
  for (const [id, createdSeq] of data.created) {
    if (createdSeq <= state.position || createdSeq > state.upto) continue;
    const user = data.users.get(id);
    if (!user) continue;
    if (listed.length === state.top) {
      more = true;
      break;
    }
    listed.push(user);
  }
  const last = listed.at(-1);
  return {
    value: listed.map((user) => represent(user, state.select)),
    next: more && last ? { ...state, position: data.created.get(last.id) ?? state.upto } : null,
  };
}

function changesPage(data: FakeDirectoryData, state: DeltaState, updates: FakeUpdateStyle) {
  // Users with a change in (from, upto], in the order of their last change.
  const lastSeq = new Map<string, number>();
  // A change to a property the round does not select does not make the user appear (as Graph documents).
  const entries = data.log.filter(
    (e) =>
      e.seq > state.from &&
      e.seq <= state.upto &&
      (!Array.isArray(e.change) || e.change.some((p) => state.select.includes(p))),
  );
  for (const entry of entries) {
    lastSeq.delete(entry.id);
    lastSeq.set(entry.id, entry.seq);
  }
  const ids = [...lastSeq.keys()];
  const slice = ids.slice(state.position, state.position + state.top);
  const value = slice.map((id) => {
    const user = data.users.get(id);
    const own = entries.filter((e) => e.id === id);
    if (!user) {
      const reasons = own.flatMap((e) =>
        typeof e.change === 'object' && 'removed' in e.change ? [e.change.removed] : [],
      );
      return { id, '@removed': { reason: reasons.at(-1) ?? 'deleted' } };
    }
    if (own.some((e) => e.change === 'created')) return represent(user, state.select);
    const changed = new Set(own.flatMap((e) => (Array.isArray(e.change) ? e.change : [])));
    const selectedChanged = state.select.filter((p) => changed.has(p));
    return updates === 'whole'
      ? represent(user, state.select, new Set(selectedChanged))
      : represent(user, selectedChanged, new Set(selectedChanged));
  });
  const position = state.position + slice.length;
  return { value, next: position < ids.length ? { ...state, position } : null };
}
