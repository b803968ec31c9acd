import { createHash } from 'node:crypto';
import { InputError } from '@qdesk/core';
import { z } from 'zod';

/**
 * Where an incremental read starts: people whose `whenChanged` is at or after `since`, except those in `seen` whose
 * record is still exactly the one already reported (entries the read that wrote this checkpoint delivered with a
 * change time at or after `since`). `whenChanged` has whole seconds and LDAP has no "greater than", so without
 * `seen` every read would report again whoever changed in its first second, and in the clock-skew window before it.
 * `seen` compares whole records, not change times: a second change within the same second still shows.
 */
export interface Checkpoint {
  /** Epoch ms, on a whole second. */
  since: number;
  /** `[externalId, changedAt, digest of the record reported]`, at most {@link MAX_SEEN}. */
  seen: SeenEntry[];
}

/** One person a checkpoint lists as reported: id, change time, and a digest of the record as reported. */
export type SeenEntry = [externalId: string, changedAt: number, digest: string];

/**
 * A read in progress, after a page: what it reads (`base`: `null` for a full read), how far it got (`position`
 * entries of the search consumed, whose ids sum to `fingerprint`), and the checkpoint it is building (`next`).
 */
export interface PagePosition {
  base: Checkpoint | null;
  position: number;
  fingerprint: string;
  next: Checkpoint;
}

/** A decoded cursor: the checkpoint a finished read left, or a page's position in an unfinished one. */
export type LdapCursor = ({ kind: 'since' } & Checkpoint) | ({ kind: 'page' } & PagePosition);

/**
 * At most this many ids are kept in a checkpoint's `seen`, those changed last first: beyond it, people changed in
 * the window come again in the next incremental read (as upserts the sync applies again, harmlessly), and the cursor
 * stays small.
 */
export const MAX_SEEN = 1000;

const PREFIX = 'ldap1.';

const checkpointShape = {
  since: z.number().int().nonnegative(),
  seen: z.array(z.tuple([z.string(), z.number(), z.string()])).max(MAX_SEEN),
};
const checkpointSchema = z.strictObject(checkpointShape);
const cursorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('since'), scope: z.string(), ...checkpointShape }),
  z.strictObject({
    kind: z.literal('page'),
    scope: z.string(),
    base: checkpointSchema.nullable(),
    position: z.number().int().nonnegative(),
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
    next: checkpointSchema,
  }),
]);

/**
 * What a cursor is valid for: the server, the search and the attributes that give ids and change times. A cursor
 * from another configuration would resume or continue a different read, so it is refused.
 */
export function cursorScope(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** The cursor as the opaque string a `SourcePage` carries. */
export function encodeCursor(cursor: LdapCursor, scope: string): string {
  return PREFIX + Buffer.from(JSON.stringify({ ...cursor, scope })).toString('base64url');
}

/**
 * Reads a cursor this source wrote for the same configuration.
 * @throws InputError when the cursor is not one, or was written for another server, base DN, filter or attributes.
 */
export function decodeCursor(cursor: string, scope: string): LdapCursor {
  let parsed: z.infer<typeof cursorSchema> | undefined;
  if (cursor.startsWith(PREFIX)) {
    try {
      const result = cursorSchema.safeParse(
        JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString()),
      );
      if (result.success) parsed = result.data;
    } catch {
      // not JSON: falls through to the error below
    }
  }
  if (!parsed) {
    throw new InputError(
      'The cursor is not one an LDAP source wrote. Pass the cursor of a page this source returned, or start a full read with cursor: null.',
      { issues: [{ path: 'cursor', message: 'not an LDAP source cursor' }] },
    );
  }
  if (parsed.scope !== scope) {
    throw new InputError(
      'The cursor was written for another LDAP configuration (url, baseDN, filter or id and whenChanged attributes). Start a full read with cursor: null.',
      { issues: [{ path: 'cursor', message: 'written for another configuration' }] },
    );
  }
  const { scope: _scope, ...rest } = parsed;
  return rest;
}

const MASK = (1n << 64n) - 1n;

/**
 * Adds an id to a fingerprint: a sum modulo 2^64 of each id's SHA-256 prefix, so it depends on the set of ids and
 * not their order. A resumed read compares the fingerprint of the entries it skips with the one the page recorded.
 */
export function addToFingerprint(fingerprint: string, id: string): string {
  const h = BigInt(`0x${createHash('sha256').update(id).digest('hex').slice(0, 16)}`);
  return ((BigInt(`0x${fingerprint}`) + h) & MASK).toString(16).padStart(16, '0');
}

/** The fingerprint of no ids. */
export const EMPTY_FINGERPRINT = '0'.repeat(16);

/** A digest of a record as reported, to tell "reported exactly so" from a change within the same second. */
export function recordDigest(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('base64url').slice(0, 12);
}

/**
 * The `seen` list of a checkpoint: people changed at or after `since`, the latest first, at most {@link MAX_SEEN}.
 */
export function trimSeen(seen: Iterable<SeenEntry>, since: number): SeenEntry[] {
  return [...seen]
    .filter(([, changedAt]) => changedAt >= since)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_SEEN);
}
