import { isQdeskError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './_databases.test-helpers.js';
import {
  createPostgresSignInSessionStore,
  type SignInSession,
  type SignInSessionStore,
} from './sign-in-sessions.js';
import { createMemorySignInSessionStore } from './sign-in-sessions-memory.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 8 * 60 * MINUTE;

let next = 0;
const signIn = (fields: Partial<SignInSession> = {}): SignInSession => ({
  id: `sha256-${++next}`,
  tenantId: 'tenant-a',
  kind: 'technician',
  subject: 'tech-1',
  name: 'Tess Tech',
  role: 'technician',
  email: null,
  createdAt: T0,
  lastSeenAt: T0,
  idleExpiresAt: T0 + IDLE,
  absoluteExpiresAt: T0 + ABSOLUTE,
  ...fields,
});

/** The same rules, for every store. */
function signInSessionRules(name: string, create: () => Promise<SignInSessionStore>) {
  describe(`SignInSessionStore rules: ${name}`, () => {
    it('declares specificationVersion v1', async () => {
      expect((await create()).specificationVersion).toBe('v1');
    });

    it('reads a session back as stored, and null for an id never stored', async () => {
      const store = await create();
      const session = signIn({ kind: 'end_user', subject: 'eu-1', name: null, role: null });
      await store.create(session);
      expect(await store.get(session.id, T0)).toEqual(session);
      expect(await store.get('sha256-unknown', T0)).toBeNull();
    });

    it("keeps a technician's email from the sign-in, and null when none was given", async () => {
      const store = await create();
      const withEmail = signIn({ email: 'tess.tech@example.com' });
      const { email: _, ...withoutEmail } = signIn();
      await store.create(withEmail);
      await store.create(withoutEmail);
      expect(await store.get(withEmail.id, T0)).toEqual(withEmail);
      expect(await store.get(withoutEmail.id, T0)).toMatchObject({ email: null });
    });

    it('ends a session at its idle expiry', async () => {
      const store = await create();
      const session = signIn();
      await store.create(session);
      expect(await store.get(session.id, T0 + IDLE - 1)).not.toBeNull();
      expect(await store.get(session.id, T0 + IDLE)).toBeNull();
    });

    it('touch slides the idle expiry and records the request', async () => {
      const store = await create();
      const session = signIn();
      await store.create(session);
      expect(await store.touch(session.id, T0 + 20 * MINUTE, T0 + 50 * MINUTE)).toBe(true);
      const touched = await store.get(session.id, T0 + 40 * MINUTE);
      expect(touched).toMatchObject({ lastSeenAt: T0 + 20 * MINUTE, idleExpiresAt: T0 + 50 * MINUTE });
      expect(await store.get(session.id, T0 + 50 * MINUTE)).toBeNull();
    });

    it('touch never moves the idle expiry back, nor the last request', async () => {
      const store = await create();
      const session = signIn();
      await store.create(session);
      await store.touch(session.id, T0 + 20 * MINUTE, T0 + 50 * MINUTE);
      expect(await store.touch(session.id, T0 + 10 * MINUTE, T0 + 40 * MINUTE)).toBe(true);
      expect(await store.get(session.id, T0)).toMatchObject({
        lastSeenAt: T0 + 20 * MINUTE,
        idleExpiresAt: T0 + 50 * MINUTE,
      });
    });

    it('ends a session at its absolute expiry however often it is touched', async () => {
      const store = await create();
      const session = signIn();
      await store.create(session);
      for (let at = T0; at < T0 + ABSOLUTE; at += 20 * MINUTE) {
        expect(await store.touch(session.id, at, at + IDLE)).toBe(true);
      }
      expect((await store.get(session.id, T0 + ABSOLUTE - 1))?.idleExpiresAt).toBe(T0 + ABSOLUTE);
      expect(await store.get(session.id, T0 + ABSOLUTE)).toBeNull();
      expect(await store.touch(session.id, T0 + ABSOLUTE, T0 + ABSOLUTE + IDLE)).toBe(false);
    });

    it('caps the idle expiry given to create at the absolute expiry', async () => {
      const store = await create();
      const session = signIn({ idleExpiresAt: T0 + 2 * ABSOLUTE });
      await store.create(session);
      expect((await store.get(session.id, T0))?.idleExpiresAt).toBe(T0 + ABSOLUTE);
    });

    it('touch of an expired, revoked or unknown session returns false and revives nothing', async () => {
      const store = await create();
      const expired = signIn();
      const revoked = signIn();
      await store.create(expired);
      await store.create(revoked);
      expect(await store.touch(expired.id, T0 + IDLE, T0 + 2 * IDLE)).toBe(false);
      expect(await store.get(expired.id, T0 + IDLE - 1)).toMatchObject({ idleExpiresAt: T0 + IDLE });
      await store.revoke(revoked.id);
      expect(await store.touch(revoked.id, T0 + 1, T0 + IDLE + 1)).toBe(false);
      expect(await store.get(revoked.id, T0 + 1)).toBeNull();
      expect(await store.touch('sha256-unknown', T0, T0 + IDLE)).toBe(false);
    });

    it('revoke ends one session and leaves the others; an unknown id is no error', async () => {
      const store = await create();
      const [one, other] = [signIn(), signIn()];
      await store.create(one);
      await store.create(other);
      await store.revoke(one.id);
      await store.revoke('sha256-unknown');
      expect(await store.get(one.id, T0)).toBeNull();
      expect(await store.get(other.id, T0)).toEqual(other);
    });

    it('revokeAll ends every session of that tenant, kind and subject, and only those', async () => {
      const store = await create();
      const target = [signIn(), signIn()];
      const kept = [
        signIn({ tenantId: 'tenant-b' }),
        signIn({ kind: 'end_user', role: null }),
        signIn({ subject: 'tech-2' }),
      ];
      for (const s of [...target, ...kept]) await store.create(s);
      expect(await store.revokeAll('tenant-a', 'technician', 'tech-1')).toBe(2);
      for (const s of target) expect(await store.get(s.id, T0)).toBeNull();
      for (const s of kept) expect(await store.get(s.id, T0)).toEqual(s);
      expect(await store.revokeAll('tenant-a', 'technician', 'tech-1')).toBe(0);
    });

    it('keeps tenants apart: a session reads with its own tenant, another tenant cannot revoke it', async () => {
      const store = await create();
      const a = signIn({ tenantId: 'tenant-a' });
      const b = signIn({ tenantId: 'tenant-b' });
      await store.create(a);
      await store.create(b);
      expect(await store.revokeAll('tenant-c', 'technician', 'tech-1')).toBe(0);
      expect((await store.get(a.id, T0))?.tenantId).toBe('tenant-a');
      expect((await store.get(b.id, T0))?.tenantId).toBe('tenant-b');
    });

    it('purge deletes the sessions expired at now, idle or absolute, and keeps the live ones', async () => {
      const store = await create();
      const idle = signIn();
      const absolute = signIn({ idleExpiresAt: T0 + 10 * MINUTE, absoluteExpiresAt: T0 + 10 * MINUTE });
      const live = signIn({ idleExpiresAt: T0 + IDLE + 1 });
      for (const s of [idle, absolute, live]) await store.create(s);
      expect(await store.purge(T0 + 10 * MINUTE - 1)).toBe(0);
      expect(await store.purge(T0 + IDLE)).toBe(2);
      expect(await store.revokeAll('tenant-a', 'technician', 'tech-1')).toBe(1);
    });

    it('refuses an id that is taken, with a conflict, and keeps the first session', async () => {
      const store = await create();
      const first = signIn();
      await store.create(first);
      const error = await store.create({ ...first, subject: 'tech-2' }).catch((e: unknown) => e);
      expect(isQdeskError(error) && error.code === 'conflict').toBe(true);
      expect(await store.get(first.id, T0)).toEqual(first);
    });

    it('stores a copy and reads a copy', async () => {
      const store = await create();
      const session = signIn();
      await store.create(session);
      session.subject = 'changed';
      const read = await store.get(session.id, T0);
      expect(read?.subject).toBe('tech-1');
      if (read) read.role = 'admin';
      expect((await store.get(session.id, T0))?.role).toBe('technician');
    });
  });
}

signInSessionRules('memory', async () => createMemorySignInSessionStore());
for (const db of testDatabases()) {
  signInSessionRules(db.name, async () => createPostgresSignInSessionStore(await db.fresh()));
}
