import { InputError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import {
  addToFingerprint,
  cursorScope,
  decodeCursor,
  EMPTY_FINGERPRINT,
  encodeCursor,
  type LdapCursor,
  MAX_SEEN,
  recordDigest,
  type SeenEntry,
  trimSeen,
} from './ldap-cursor.js';

const scope = cursorScope(['ldaps://dc1.corp.example', 'dc=corp,dc=example', '(objectClass=user)']);

describe('LDAP cursors', () => {
  it('read back what they wrote, for a checkpoint and for a page', () => {
    const checkpoint: LdapCursor = {
      kind: 'since',
      since: 1_790_000_000_000,
      seen: [['id-1', 1_790_000_001_000, 'abcdefABCDEF']],
    };
    const page: LdapCursor = {
      kind: 'page',
      base: null,
      position: 500,
      fingerprint: '00000000000000ff',
      next: { since: 1_790_000_000_000, seen: [] },
    };
    for (const cursor of [checkpoint, page]) {
      const text = encodeCursor(cursor, scope);
      expect(text).toMatch(/^ldap1\.[A-Za-z0-9_-]+$/);
      expect(decodeCursor(text, scope)).toEqual(cursor);
    }
  });

  it('refuse a string this source did not write, saying to start a full read', () => {
    for (const text of [
      '',
      'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x',
      'ldap1.bm90IGpzb24',
      'ldap1.e30',
    ]) {
      const error = (() => {
        try {
          decodeCursor(text, scope);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, text).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain('cursor: null');
    }
  });

  it('refuse a cursor written for another server, base DN or filter', () => {
    const other = cursorScope(['ldaps://dc2.corp.example', 'dc=corp,dc=example', '(objectClass=user)']);
    const text = encodeCursor({ kind: 'since', since: 0, seen: [] }, other);
    expect(() => decodeCursor(text, scope)).toThrow(/another LDAP configuration/);
  });
});

describe('fingerprints', () => {
  it('depend on the set of ids, not their order', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const forward = ids.reduce(addToFingerprint, EMPTY_FINGERPRINT);
    const backward = [...ids].reverse().reduce(addToFingerprint, EMPTY_FINGERPRINT);
    expect(forward).toBe(backward);
    expect(forward).toMatch(/^[0-9a-f]{16}$/);
    expect(['a', 'b', 'c', 'e'].reduce(addToFingerprint, EMPTY_FINGERPRINT)).not.toBe(forward);
    expect(['a', 'b', 'c'].reduce(addToFingerprint, EMPTY_FINGERPRINT)).not.toBe(forward);
  });
});

describe('trimSeen', () => {
  it('keeps the people changed at or after since, the latest first', () => {
    const seen: SeenEntry[] = [
      ['old', 999, 'd1'],
      ['edge', 1000, 'd2'],
      ['new', 2000, 'd3'],
    ];
    expect(trimSeen(seen, 1000)).toEqual([
      ['new', 2000, 'd3'],
      ['edge', 1000, 'd2'],
    ]);
  });

  it(`keeps at most ${MAX_SEEN} people, dropping the earliest changes`, () => {
    const seen = Array.from({ length: MAX_SEEN + 5 }, (_, i): SeenEntry => [`id-${i}`, 10_000 + i, 'd']);
    const kept = trimSeen(seen, 0);
    expect(kept).toHaveLength(MAX_SEEN);
    expect(kept.map(([id]) => id)).not.toContain('id-0');
    expect(kept[0]).toEqual([`id-${MAX_SEEN + 4}`, 10_000 + MAX_SEEN + 4, 'd']);
  });
});

describe('recordDigest', () => {
  it('differs when any field of the record differs, though the change time does not', () => {
    const record = { externalId: 'a', phones: [{ number: '+44 7700 900001' }], changedAt: 1000 };
    expect(recordDigest(record)).toBe(recordDigest({ ...record }));
    expect(recordDigest({ ...record, phones: [{ number: '+44 7700 900002' }] })).not.toBe(
      recordDigest(record),
    );
  });
});
