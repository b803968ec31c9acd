import { formatVerificationNote, InputError, type VerificationNote } from '@qdesk/core';
import type { AutotaskClient } from '../client/client.js';
import { isAutotaskError } from '../errors.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import { type BackoffSettings, backoffDelay } from './backoff.js';
import { parseAutotaskId } from './mapping.js';

export interface NoteWriterSettings {
  client: AutotaskClient;
  publish: number;
  noteType: number;
  retry: BackoffSettings;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export type NoteWriter = (note: VerificationNote) => Promise<{ noteId: string; created: boolean }>;

const SESSION_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TITLE_MAX = 250;

/**
 * Writes a verification note at most once per ticket and session, also when a create times out and is retried:
 * before the first create and before every retry it looks for a note of that ticket whose text carries the
 * session's marker line, and returns that note instead of writing another.
 *
 * Note: Autotask has no idempotency key, so this is check-then-create. Calls inside one adapter instance are
 * serialised per session; two processes writing the same session at the same instant could still both write.
 */
export function createNoteWriter(settings: NoteWriterSettings): NoteWriter {
  const running = new Map<string, Promise<{ noteId: string; created: boolean }>>();

  const findExisting = async (
    ticketId: number,
    sessionId: string,
    marker: string,
  ): Promise<string | null> => {
    const query = buildQuery([where.eq('ticketID', ticketId), where.contains('description', sessionId)]);
    for await (const note of settings.client.query('TicketNotes', query)) {
      // `contains` may match a longer session id; only the exact marker line counts.
      const lines = (note.description ?? '').split(/\r?\n/).map((line) => line.trim());
      if (lines.includes(marker)) return String(note.id);
    }
    return null;
  };

  const write = async (note: VerificationNote, ticketId: number) => {
    const { title, text } = formatVerificationNote(note);
    const marker = `Session: ${note.sessionId}`;
    if (!text.split('\n').includes(marker)) {
      // The duplicate check relies on this line; fail loudly if core's wording ever drops it.
      throw new InputError(
        'The verification note text lacks its session line; cannot guarantee one note.',
        [],
      );
    }
    const body = {
      title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
      description: text,
      noteType: settings.noteType,
      publish: settings.publish,
    };
    let attempted = false;
    for (let retry = 0; ; retry++) {
      const existing = await findExisting(ticketId, note.sessionId, marker);
      // Found after our own create attempt: that attempt reached Autotask though its answer was lost.
      if (existing !== null) return { noteId: existing, created: attempted };
      try {
        attempted = true;
        const id = await settings.client.create(`Tickets/${ticketId}/Notes`, body);
        return { noteId: String(id), created: true };
      } catch (error) {
        const retryable =
          isAutotaskError(error) &&
          error.retryable &&
          retry < settings.retry.maxRetries &&
          (error.retryAfterMs ?? 0) <= settings.retry.maxDelayMs;
        if (!retryable) throw error;
        const backoff = backoffDelay(retry, settings.retry, settings.random);
        await settings.sleep(Math.max(error.retryAfterMs ?? 0, backoff));
      }
    }
  };

  return async (note) => {
    const ticketId = parseAutotaskId(note.ticketId, 'ticket');
    if (typeof note.sessionId !== 'string' || !SESSION_ID.test(note.sessionId)) {
      throw new InputError(
        'A verification note needs a session id of 1 to 200 letters, digits, "_", "-", "." or ":".',
        [{ path: 'sessionId', message: 'must be 1-200 of [A-Za-z0-9_.:-]' }],
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
