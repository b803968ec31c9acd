import { InputError } from '@qdesk/core';
import { formatVerificationNote, type VerificationNote, verificationNoteMarker } from '@qdesk/core/ports';
import type { AutotaskClient } from '../client/client.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import { parseAutotaskId } from './mapping.js';

export interface NoteWriterSettings {
  client: AutotaskClient;
  publish: number;
  noteType: number;
}

export type NoteWriter = (note: VerificationNote) => Promise<{ noteId: string; created: boolean }>;

const SESSION_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TITLE_MAX = 250;

/**
 * Writes a verification note at most once per ticket and session, also when a create's answer is lost (a timeout,
 * a dropped connection) and the create is retried: before the create, and before every retry of it, it looks for a
 * note of that ticket with the session's marker line (core's `verificationNoteMarker`) and returns that note
 * instead of writing another.
 *
 * Note: Autotask has no idempotency key, so this is check-then-create. Calls inside one adapter instance are
 * serialised per session; two processes writing the same session at the same instant could still both write.
 */
export function createNoteWriter(settings: NoteWriterSettings): NoteWriter {
  const { client } = settings;
  const running = new Map<string, Promise<{ noteId: string; created: boolean }>>();

  const findExisting = async (ticketId: number, marker: string): Promise<number | null> => {
    const query = buildQuery([where.eq('ticketID', ticketId), where.contains('description', marker)]);
    for await (const note of client.query('TicketNotes', query)) {
      // `contains` also matches a longer session id; only the exact marker line counts.
      const lines = (note.description ?? '').split(/\r?\n/).map((line) => line.trim());
      if (lines.includes(marker)) return note.id;
    }
    return null;
  };

  const write = async (note: VerificationNote, ticketId: number) => {
    const marker = verificationNoteMarker(note.sessionId);
    const existing = await findExisting(ticketId, marker);
    if (existing !== null) return { noteId: String(existing), created: false };
    const { title, text } = formatVerificationNote(note);
    const body = {
      title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
      // The duplicate check finds the note by this line, whatever the wording around it.
      description: text.split('\n').includes(marker) ? text : `${text}\n${marker}`,
      noteType: settings.noteType,
      publish: settings.publish,
    };
    // Found before a retry means our own earlier attempt reached Autotask though its answer was lost: created.
    const id = await client.create(`Tickets/${ticketId}/Notes`, body, {
      findExisting: () => findExisting(ticketId, marker),
    });
    return { noteId: String(id), created: true };
  };

  return async (note) => {
    const ticketId = parseAutotaskId(note.ticketId, 'ticket');
    if (typeof note.sessionId !== 'string' || !SESSION_ID.test(note.sessionId)) {
      throw new InputError(
        'A verification note needs a session id of 1 to 200 letters, digits, "_", "-", "." or ":".',
        { issues: [{ path: 'sessionId', message: 'must be 1-200 of [A-Za-z0-9_.:-]' }] },
      );
    }
    const key = `${ticketId}|${note.sessionId}`;
    const current = running.get(key);
    if (current) return current.then((result) => ({ ...result, created: false }));
    const promise = write(note, ticketId).finally(() => running.delete(key));
    running.set(key, promise);
    return promise;
  };
}
