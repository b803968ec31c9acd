import { InputError } from '@qdesk/core';
import { verificationNoteMarker } from '@qdesk/core/ports';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAutotaskError } from './errors.js';
import { fakeAdapter, fakeServerForFile, gaps, sampleNote } from './test-support.js';

const server = await fakeServerForFile();
const fake = server.state;
beforeEach(() => {
  fake.tables.TicketNotes.length = 0;
});

let counter = 0;
const session = () => `sess_notes_${++counter}`;
const creates = () => fake.requests.filter((r) => r.method === 'POST' && /^Tickets\/\d+\/Notes/.test(r.path));

describe('writing the verification note', () => {
  it('writes an internal note with outcome, method, end-user, technician, time and the session marker line', async () => {
    const id = session();
    const result = await fakeAdapter(server).writeVerificationNote(sampleNote('1001', id));
    expect(result.created).toBe(true);
    const [note] = fake.notes('1001');
    expect(note).toMatchObject({ id: result.noteId, publish: 2, noteType: 1 });
    expect(note!.title).toContain('User Identity Successfully Verified');
    for (const part of [
      'sms',
      'Ana Silva',
      'ana.silva@northwind.example',
      'Tess Technician',
      '2026-11-24T09:30:00',
    ]) {
      expect(note!.text).toContain(part);
    }
    expect(note!.text.split('\n')).toContain(verificationNoteMarker(id));
  });

  it('uses the configured publish and noteType', async () => {
    await fakeAdapter(server, { notes: { publish: 1, noteType: 3 } }).writeVerificationNote(
      sampleNote('1002', session()),
    );
    expect(fake.notes('1002')[0]).toMatchObject({ publish: 1, noteType: 3 });
  });

  it('checks for an existing note before creating and returns it the second time', async () => {
    const adapter = fakeAdapter(server);
    const note = sampleNote('1001', session());
    const first = await adapter.writeVerificationNote(note);
    const second = await fakeAdapter(server).writeVerificationNote(note);
    expect(second).toEqual({ noteId: first.noteId, created: false });
    expect(fake.notes('1001')).toHaveLength(1);
    expect(fake.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'GET zoneInformation',
      'POST TicketNotes/query',
      'POST Tickets/1001/Notes',
      'GET zoneInformation',
      'POST TicketNotes/query',
    ]);
  });

  it('does not mistake a longer session id that contains this one for its note', async () => {
    const adapter = fakeAdapter(server);
    await adapter.writeVerificationNote(sampleNote('1001', 'sess_abc_2'));
    const result = await adapter.writeVerificationNote(sampleNote('1001', 'sess_abc'));
    expect(result.created).toBe(true);
    expect(fake.notes('1001')).toHaveLength(2);
  });

  it('writes one note when the create times out after Autotask stored it', async () => {
    fake.delayNextCreateResponse(400);
    const adapter = fakeAdapter(server, { timeoutMs: 150 });
    const result = await adapter.writeVerificationNote(sampleNote('1003', session()));
    expect(fake.notes('1003')).toHaveLength(1);
    expect(result).toEqual({ noteId: fake.notes('1003')[0]!.id, created: true });
    // The fake logs the create once its held-back answer has gone out.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(creates()).toHaveLength(1);
  });

  it('retries a create refused by a 5xx burst, checking again before each retry', async () => {
    fake.failNext(1, { status: 503, body: '', path: 'TicketNotes/query' });
    fake.failNext(1, { status: 503, body: '', path: 'Tickets/1004/Notes' });
    const adapter = fakeAdapter(server, { zoneUrl: server.zoneUrl });
    const result = await adapter.writeVerificationNote(sampleNote('1004', session()));
    expect(result.created).toBe(true);
    expect(fake.notes('1004')).toHaveLength(1);
    const notes = fake.requests.filter((r) => r.endpoint === 'TicketNotes');
    const kinds = notes.map(
      (r) => `${r.path.startsWith('TicketNotes/query') ? 'check' : 'create'}:${r.status}`,
    );
    expect(kinds).toEqual(['check:503', 'check:200', 'create:503', 'check:200', 'create:200']);
  });

  it('retries after 429 and thread-limit answers, waiting as Retry-After asks', async () => {
    fake.rateLimitNext(1, { retryAfterSeconds: 1, endpoint: 'TicketNotes' });
    fake.failNext(1, {
      status: 500,
      body: { errors: ['Thread Threshold Exceeded'] },
      endpoint: 'TicketNotes',
    });
    const result = await fakeAdapter(server).writeVerificationNote(sampleNote('1002', session()));
    expect(result.created).toBe(true);
    expect(fake.notes('1002')).toHaveLength(1);
    const notes = fake.requests.filter((r) => r.endpoint === 'TicketNotes');
    expect(notes.map((r) => r.status)).toEqual([429, 500, 200, 200]);
    expect(gaps(notes)[0]).toBeGreaterThanOrEqual(995);
  });

  it('writes one note when the connection drops after Autotask stored it', async () => {
    fake.dropNextCreateAnswer();
    const result = await fakeAdapter(server).writeVerificationNote(sampleNote('1005', session()));
    expect(fake.notes('1005')).toHaveLength(1);
    expect(result).toEqual({ noteId: fake.notes('1005')[0]!.id, created: true });
    expect(creates().map((r) => r.status)).toEqual([0]);
  });

  it('does not retry a create Autotask refused as invalid', async () => {
    const error = await fakeAdapter(server, { notes: { publish: 7 } })
      .writeVerificationNote(sampleNote('1001', session()))
      .catch((e: unknown) => e);
    expect(isAutotaskError(error, 'validation')).toBe(true);
    expect((error as Error).message).toContain('publish');
    expect(creates()).toHaveLength(1);
  });

  it('gives up when the create keeps failing, leaving no note', async () => {
    fake.failNext(20, { status: 503, body: '', path: 'Tickets/1001/Notes' });
    const adapter = fakeAdapter(server, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const error = await adapter.writeVerificationNote(sampleNote('1001', session())).catch((e: unknown) => e);
    expect(isAutotaskError(error, 'server')).toBe(true);
    expect(fake.notes('1001')).toHaveLength(0);
  });

  it('writes one note when the same session is written concurrently', async () => {
    const adapter = fakeAdapter(server);
    const note = sampleNote('1001', session());
    const results = await Promise.all(Array.from({ length: 5 }, () => adapter.writeVerificationNote(note)));
    expect(new Set(results.map((r) => r.noteId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(fake.notes('1001')).toHaveLength(1);
  });

  it('keeps 20 parallel note writes within 3 in flight, each written once', async () => {
    fake.latencyMs = 10;
    const adapter = fakeAdapter(server);
    const ids = Array.from({ length: 20 }, () => session());
    await Promise.all(
      ids.map((id, i) => adapter.writeVerificationNote(sampleNote(String(1001 + (i % 7)), id))),
    );
    expect(fake.maxInFlight('TicketNotes')).toBeLessThanOrEqual(3);
    expect(fake.maxInFlight('TicketNotes')).toBeGreaterThan(1);
    const all = fake.tables.TicketNotes.map((n) => String(n.description));
    for (const id of ids)
      expect(all.filter((text) => text.endsWith(`\n${verificationNoteMarker(id)}`))).toHaveLength(1);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('refuses a non-numeric ticket id and a malformed session id before any request', async () => {
    const adapter = fakeAdapter(server);
    await expect(
      adapter.writeVerificationNote(sampleNote('T20261124.0001', session())),
    ).rejects.toBeInstanceOf(InputError);
    await expect(
      adapter.writeVerificationNote(sampleNote('1001', 'bad id\nqdesk-session: x')),
    ).rejects.toBeInstanceOf(InputError);
    expect(fake.requests).toHaveLength(0);
  });
});
