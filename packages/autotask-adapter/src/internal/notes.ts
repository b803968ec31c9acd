import { InputError } from '@qdesk/core';
import { formatVerificationNote, type VerificationNote, verificationNoteMarker } from '@qdesk/core/ports';
import type { AutotaskClient } from '../client/client.js';
import type { NoteAuthorFallback, NoteAuthorFallbackReason } from '../config.js';
import { isAutotaskError } from '../errors.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import type { ResourceDirectory } from '../resources.js';
import { parseAutotaskId } from './mapping.js';

export interface NoteWriterSettings {
  client: AutotaskClient;
  publish: number;
  noteType: number;
  /** `technician`: look the technician's resource up and create the note as it; `api_user`: never. */
  author: 'technician' | 'api_user';
  resources: ResourceDirectory;
  onAuthorFallback?: ((info: NoteAuthorFallback) => void | Promise<void>) | undefined;
  /** How long a refused impersonation is remembered per resource, in ms. */
  refusalTtlMs: number;
  now: () => number;
}

export type NoteWriter = (note: VerificationNote) => Promise<{ noteId: string; created: boolean }>;

/** Who the create goes out as: a resource, or the API user and why. */
type Author =
  | { resourceId: number; fallback: null }
  | { resourceId: null; fallback: Omit<NoteAuthorFallback, 'noteId' | 'ticketId' | 'sessionId'> | null };

const SESSION_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TITLE_MAX = 250;
const MAX_REMEMBERED_REFUSALS = 1_000;

/**
 * Writes a verification note at most once per ticket and session, also when a create's answer is lost (a timeout,
 * a dropped connection) and the create is retried: before the create, and before every retry of it, it looks for a
 * note of that ticket with the session's marker line (core's `verificationNoteMarker`) and returns that note
 * instead of writing another.
 *
 * With `author: 'technician'` the create is sent as the technician's resource (found by the note's technician
 * email). Autotask refusing that impersonation costs one refused create: the note is then written as the API user,
 * the refusal is remembered for the resource, and `onAuthorFallback` is told. The duplicate check always runs as
 * the client's own identity, so it finds the note whoever wrote it.
 *
 * Note: Autotask has no idempotency key, so this is check-then-create. Calls inside one adapter instance are
 * serialised per session; two processes writing the same session at the same instant could still both write.
 */
export function createNoteWriter(settings: NoteWriterSettings): NoteWriter {
  const { client, now } = settings;
  const running = new Map<string, Promise<{ noteId: string; created: boolean }>>();
  /** Resource id -> when its refusal is forgotten, with the refusal itself. */
  const refusals = new Map<number, { until: number; error: Error }>();

  const findExisting = async (ticketId: number, marker: string): Promise<number | null> => {
    const query = buildQuery([where.eq('ticketID', ticketId), where.contains('description', marker)]);
    for await (const note of client.query('TicketNotes', query)) {
      // `contains` also matches a longer session id; only the exact marker line counts.
      const lines = (note.description ?? '').split(/\r?\n/).map((line) => line.trim());
      if (lines.includes(marker)) return note.id;
    }
    return null;
  };

  const chooseAuthor = async (note: VerificationNote): Promise<Author> => {
    if (settings.author === 'api_user') return { resourceId: null, fallback: null };
    const technicianId = note.technician.id;
    const email = typeof note.technician.email === 'string' ? note.technician.email.trim() : '';
    const fallback = (
      reason: NoteAuthorFallbackReason,
      extra: { resourceId?: number; error?: Error } = {},
    ): Author => ({
      resourceId: null,
      fallback: {
        reason,
        technicianId,
        email: email === '' ? null : email,
        resourceId: extra.resourceId ?? null,
        error: extra.error ?? null,
      },
    });
    if (email === '') return fallback('no_email');
    let found: Awaited<ReturnType<ResourceDirectory['findByEmail']>>;
    try {
      found = await settings.resources.findByEmail(email);
    } catch (error) {
      return fallback('lookup_failed', { error: asError(error) });
    }
    if (found.resource === null) return fallback(found.reason);
    const refusal = refusals.get(found.resource.id);
    if (refusal && refusal.until > now()) {
      return fallback('impersonation_refused', { resourceId: found.resource.id, error: refusal.error });
    }
    refusals.delete(found.resource.id);
    return { resourceId: found.resource.id, fallback: null };
  };

  const rememberRefusal = (resourceId: number, error: Error) => {
    refusals.delete(resourceId);
    refusals.set(resourceId, { until: now() + settings.refusalTtlMs, error });
    while (refusals.size > MAX_REMEMBERED_REFUSALS) refusals.delete(refusals.keys().next().value!);
  };

  const report = (info: NoteAuthorFallback) => {
    try {
      // A broken hook must not fail the write it reports on, nor leave a rejection unhandled.
      Promise.resolve(settings.onAuthorFallback?.(info)).catch(() => undefined);
    } catch {
      // as above
    }
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
    const path = `Tickets/${ticketId}/Notes`;
    // Found before a retry means our own earlier attempt reached Autotask though its answer was lost: created.
    const check = () => findExisting(ticketId, marker);
    const author = await chooseAuthor(note);
    let fallback = author.fallback;
    if (author.resourceId !== null) {
      try {
        const id = await client.create(path, body, {
          findExisting: check,
          impersonateResourceId: author.resourceId,
        });
        return { noteId: String(id), created: true };
      } catch (error) {
        // Autotask stored nothing: the note must still be written, as the API user, and the refusal reported.
        if (!isAutotaskError(error, 'impersonation_refused')) throw error;
        rememberRefusal(author.resourceId, error);
        fallback = {
          reason: 'impersonation_refused',
          technicianId: note.technician.id,
          email: note.technician.email?.trim() ?? null,
          resourceId: author.resourceId,
          error,
        };
      }
    }
    const id = await client.create(path, body, { findExisting: check });
    if (fallback) {
      report({ ...fallback, ticketId: String(ticketId), sessionId: note.sessionId, noteId: String(id) });
    }
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

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));
