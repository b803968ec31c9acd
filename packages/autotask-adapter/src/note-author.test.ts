import { ConfigError } from '@qdesk/core';
import type { VerificationNote } from '@qdesk/core/ports';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NoteAuthorFallback } from './config.js';
import { isAutotaskError } from './errors.js';
import { fakeAdapter, fakeServerForFile, sampleNote } from './test-support.js';
import { FAKE_API_USER_RESOURCE_ID, FAKE_RESOURCES } from './testing/index.js';

// Notes written as the technician's Autotask resource (impersonation), against the fake over HTTP.
const server = await fakeServerForFile({ contacts: 5, tickets: 2 });
const fake = server.state;
beforeEach(() => {
  fake.tables.TicketNotes.length = 0;
});

let counter = 0;
const session = () => `sess_author_${++counter}`;
const sam = { id: 'oidc|sam', name: 'Sam Rivera', email: 'sam.rivera@qdesk-msp.example' };
const noteBy = (technician: VerificationNote['technician'], ticketId = '1001') =>
  sampleNote(ticketId, session(), technician);
const asTechnician = {
  creatorResourceId: FAKE_RESOURCES.samRivera,
  impersonatorResourceId: FAKE_API_USER_RESOURCE_ID,
};
const asApiUser = { creatorResourceId: FAKE_API_USER_RESOURCE_ID, impersonatorResourceId: null };
const lookups = () => fake.requests.filter((r) => r.path.startsWith('Resources/'));
const creates = () => fake.requests.filter((r) => r.method === 'POST' && /^Tickets\/\d+\/Notes/.test(r.path));
/** An adapter whose fallback reports land in the returned list. */
const withHook = (overrides = {}) => {
  const reports: NoteAuthorFallback[] = [];
  const adapter = fakeAdapter(server, {
    notes: { onAuthorFallback: (info) => void reports.push(info), ...overrides },
  });
  return { adapter, reports };
};

describe('notes written as the technician', () => {
  it('creates the note as the technician’s resource, sending ImpersonationResourceId on the create only', async () => {
    const { adapter, reports } = withHook();
    const { noteId, created } = await adapter.writeVerificationNote(noteBy(sam));
    expect(created).toBe(true);
    expect(fake.noteAuthor(noteId)).toEqual(asTechnician);
    expect(reports).toEqual([]);
    const calls = fake.requests.filter((r) => r.endpoint !== 'zoneInformation');
    expect(calls.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.impersonationResourceId}`)).toEqual([
      'POST TicketNotes/query null',
      'POST Resources/query null',
      `POST Tickets/1001/Notes ${FAKE_RESOURCES.samRivera}`,
    ]);
  });

  it('looks the resource up once for many notes by the same technician', async () => {
    const { adapter } = withHook();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await adapter.writeVerificationNote(noteBy(sam, String(1001 + i)))).noteId);
    expect(lookups()).toHaveLength(1);
    for (const id of ids) expect(fake.noteAuthor(id)).toEqual(asTechnician);
  });

  it('shares one lookup between concurrent notes by the same technician', async () => {
    fake.latencyMs = 15;
    const { adapter } = withHook();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => adapter.writeVerificationNote(noteBy(sam, String(1001 + (i % 3))))),
    );
    expect(lookups()).toHaveLength(1);
    for (const { noteId } of results) expect(fake.noteAuthor(noteId)).toEqual(asTechnician);
  });

  it('writes one note as the technician when the create’s answer is lost and the create retried', async () => {
    fake.dropNextCreateAnswer();
    const { adapter, reports } = withHook();
    const result = await adapter.writeVerificationNote(noteBy(sam, '1002'));
    expect(fake.notes('1002')).toHaveLength(1);
    expect(result).toEqual({ noteId: fake.notes('1002')[0]!.id, created: true });
    expect(fake.noteAuthor(result.noteId)).toEqual(asTechnician);
    expect(reports).toEqual([]);
    // The dropped create, then the duplicate check before the retry (as the API user) found the note.
    const notes = fake.requests.filter((r) => r.endpoint === 'TicketNotes');
    expect(notes.map((r) => `${r.path.split('?')[0]} ${r.status} ${r.impersonationResourceId}`)).toEqual([
      'TicketNotes/query 200 null',
      `Tickets/1002/Notes 0 ${FAKE_RESOURCES.samRivera}`,
      'TicketNotes/query 200 null',
    ]);
  });

  it('finds a note written as the technician when the same session is written again', async () => {
    const note = noteBy(sam);
    const first = await withHook().adapter.writeVerificationNote(note);
    const again = await withHook().adapter.writeVerificationNote(note);
    expect(again).toEqual({ noteId: first.noteId, created: false });
    expect(fake.notes('1001')).toHaveLength(1);
  });
});

describe('falling back to the API user, never silently', () => {
  it('writes as the API user without a lookup when the note has no technician email', async () => {
    const { adapter, reports } = withHook();
    const { noteId } = await adapter.writeVerificationNote(noteBy({ id: 'tech-x', name: 'A Technician' }));
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(lookups()).toHaveLength(0);
    expect(reports).toEqual([
      {
        reason: 'no_email',
        ticketId: '1001',
        sessionId: expect.any(String),
        noteId,
        technicianId: 'tech-x',
        email: null,
        resourceId: null,
        error: null,
      },
    ]);
  });

  it('writes as the API user when no resource has the email, and says so', async () => {
    const { adapter, reports } = withHook();
    const stranger = { id: 'oidc|new', name: 'A New User', email: 'new.user@qdesk-msp.example' };
    const { noteId } = await adapter.writeVerificationNote(noteBy(stranger));
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(reports).toMatchObject([
      { reason: 'no_resource', noteId, technicianId: 'oidc|new', email: 'new.user@qdesk-msp.example' },
    ]);
    expect(creates().map((r) => r.impersonationResourceId)).toEqual([null]);
  });

  it('ignores an inactive resource: writes as the API user and reports inactive_resource', async () => {
    const { adapter, reports } = withHook();
    const former = {
      id: 'oidc|former',
      name: 'Former Technician',
      email: 'former.technician@qdesk-msp.example',
    };
    const { noteId } = await adapter.writeVerificationNote(noteBy(former));
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(reports.map((r) => r.reason)).toEqual(['inactive_resource']);
    expect(creates().map((r) => r.impersonationResourceId)).toEqual([null]);
  });

  it('writes once as the API user when the API user may not impersonate, and reports the refusal', async () => {
    fake.impersonation.apiUserMayImpersonate = false;
    const { adapter, reports } = withHook();
    const { noteId, created } = await adapter.writeVerificationNote(noteBy(sam));
    expect(created).toBe(true);
    expect(fake.notes('1001')).toHaveLength(1);
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(creates().map((r) => `${r.status} ${r.impersonationResourceId}`)).toEqual([
      `500 ${FAKE_RESOURCES.samRivera}`,
      '200 null',
    ]);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({
      reason: 'impersonation_refused',
      noteId,
      resourceId: FAKE_RESOURCES.samRivera,
    });
    expect(isAutotaskError(report!.error, 'impersonation_refused')).toBe(true);
    expect(report!.error!.message).toContain('adequate permissions');
  });

  it('remembers a refusal: the next note by that technician goes straight to the API user, reported again', async () => {
    fake.impersonation.notImpersonable.add(FAKE_RESOURCES.samRivera);
    const { adapter, reports } = withHook();
    await adapter.writeVerificationNote(noteBy(sam));
    await adapter.writeVerificationNote(noteBy(sam));
    expect(creates().map((r) => `${r.status} ${r.impersonationResourceId}`)).toEqual([
      `500 ${FAKE_RESOURCES.samRivera}`,
      '200 null',
      '200 null',
    ]);
    expect(reports.map((r) => r.reason)).toEqual(['impersonation_refused', 'impersonation_refused']);
    expect(fake.notes('1001').map((n) => fake.noteAuthor(n.id))).toEqual([asApiUser, asApiUser]);
  });

  it('writes as the API user when the lookup fails (no view right on Resources), and says why', async () => {
    fake.failNext(1, { status: 403, body: '', endpoint: 'Resources' });
    const { adapter, reports } = withHook();
    const { noteId } = await adapter.writeVerificationNote(noteBy(sam));
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(reports.map((r) => r.reason)).toEqual(['lookup_failed']);
    expect(isAutotaskError(reports[0]!.error, 'forbidden')).toBe(true);
  });

  it('does not fail the write when the hook throws or rejects', async () => {
    const stranger = { id: 'oidc|new', name: 'A New User', email: 'new.user@qdesk-msp.example' };
    for (const hook of [
      () => {
        throw new Error('broken logger');
      },
      () => Promise.reject(new Error('broken audit')),
    ]) {
      const adapter = fakeAdapter(server, { notes: { onAuthorFallback: hook } });
      await expect(adapter.writeVerificationNote(noteBy(stranger))).resolves.toMatchObject({ created: true });
    }
  });

  it('fails the write, without a fallback, when the create fails for another reason', async () => {
    const { adapter, reports } = withHook({ publish: 7 });
    const error = await adapter.writeVerificationNote(noteBy(sam)).catch((e: unknown) => e);
    expect(isAutotaskError(error, 'validation')).toBe(true);
    expect(creates()).toHaveLength(1);
    expect(reports).toEqual([]);
  });
});

describe("author: 'api_user'", () => {
  it('writes as the API user with no lookup and no report', async () => {
    const { adapter, reports } = withHook({ author: 'api_user' });
    const { noteId } = await adapter.writeVerificationNote(noteBy(sam));
    expect(fake.noteAuthor(noteId)).toEqual(asApiUser);
    expect(lookups()).toHaveLength(0);
    expect(reports).toEqual([]);
  });

  it('refuses an unknown author or a hook that is not a function, naming the field', () => {
    expect(() => fakeAdapter(server, { notes: { author: 'someone' as 'technician' } })).toThrow(ConfigError);
    expect(() => fakeAdapter(server, { notes: { onAuthorFallback: 'log' as never } })).toThrow(
      /onAuthorFallback/,
    );
    expect(() => fakeAdapter(server, { notes: { resourceCache: { ttlMs: -5 } } })).toThrow(/ttlMs/);
  });
});
