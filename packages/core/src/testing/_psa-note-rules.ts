/** The note and fault rules of the PSA adapter kit. */
import { isQdeskError } from '../errors.js';
import { OUTCOME_TEXT, type VerificationNote, verificationNoteMarker } from '../note.js';
import type { PsaAdapter } from '../ports/psa.js';
import { describeError, settle, show, unique } from './_helpers.js';
import { type KitRule, must } from './kit.js';
import type { PsaAdapterSubject } from './psa-adapter-conformance.js';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A note for the ready ticket with a session id no run used before. */
const sampleNote = ({ fixtures }: PsaAdapterSubject): VerificationNote => ({
  ticketId: fixtures.readyTicketId,
  sessionId: unique('sess_conformance'),
  outcome: 'denied',
  method: 'push_code',
  endUser: { id: 'eu-conformance', displayName: 'Conformance User', email: fixtures.readyContactEmail },
  technician: { id: 'tech-conformance', name: 'Conformance Technician' },
  at: AT,
  purpose: 'verify',
  weaker: [],
  override: null,
});

/** The adapter's writeVerificationNote, or a violation saying it is missing. */
function writerOf(adapter: PsaAdapter) {
  must(
    adapter.writeVerificationNote,
    'capabilities.writeNotes is expected, but writeVerificationNote() is missing.',
  );
  return adapter.writeVerificationNote.bind(adapter);
}

const lines = (text: string) => text.split(/\r?\n/).map((line) => line.trim());

/** The stored notes that carry the session's marker line. */
async function notesOfSession({ inspect }: PsaAdapterSubject, note: VerificationNote) {
  const marker = verificationNoteMarker(note.sessionId);
  return (await inspect.notes(note.ticketId)).filter((n) => lines(n.text).includes(marker));
}

/** Why `text` looks like it holds a code or a secret, or `null`. Ids, the date and the marker line are allowed. */
function secretIn(text: string, note: VerificationNote): string | null {
  const labelled = /\b(code|otp|pin|token|secret|password)\s*[:=]\s*\S+/i.exec(text);
  if (labelled) return `"${labelled[0]}"`;
  let rest = text.replaceAll(verificationNoteMarker(note.sessionId), '').replaceAll(note.ticketId, '');
  rest = rest.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?/g, '');
  const digits = /(?<![\w.:-])\d{6,8}(?![\w.:-])/.exec(rest);
  return digits ? `the number ${digits[0]}` : null;
}

/** The note and fault rules of the PSA adapter kit. */
export const psaNoteRules: readonly KitRule<PsaAdapterSubject>[] = [
  {
    name: 'writes one note per session: a second write answers created false with the same noteId',
    needs: 'writeNotes',
    async check(subject) {
      const write = writerOf(subject.adapter);
      const note = sampleNote(subject);
      const before = (await subject.inspect.notes(note.ticketId)).length;
      const first = await write(note);
      const second = await write(note);
      must(
        first.created === true && typeof first.noteId === 'string' && first.noteId.length > 0,
        `the first write answered ${show(first)}; answer { created: true, noteId } with the PSA's note id.`,
      );
      must(
        second.created === false && second.noteId === first.noteId,
        `the second write of the same session answered ${show(second)}; find the earlier note by its marker line and answer { created: false, noteId: "${first.noteId}" }.`,
      );
      const after = (await subject.inspect.notes(note.ticketId)).length;
      must(
        after === before + 1,
        `two writes of one session left ${after - before} new notes on the ticket; write one.`,
      );
    },
  },
  {
    name: 'the note states the outcome, method, end-user, technician, ISO date and marker line, and no code',
    needs: 'writeNotes',
    async check(subject) {
      const note = sampleNote(subject);
      await writerOf(subject.adapter)(note);
      const [written] = await notesOfSession(subject, note);
      must(
        written,
        `no note on ticket ${note.ticketId} has the line "${verificationNoteMarker(note.sessionId)}"; put verificationNoteMarker(sessionId) on a line of its own.`,
      );
      const all = `${written.title}\n${written.text}`;
      const parts = {
        'outcome text': OUTCOME_TEXT[note.outcome],
        method: note.method!,
        'end-user name': note.endUser.displayName,
        'technician name': note.technician.name,
        'ISO date': new Date(note.at).toISOString().slice(0, 10),
      };
      for (const [what, part] of Object.entries(parts)) {
        must(
          all.includes(part),
          `the note lacks the ${what} ("${part}"); render it with formatVerificationNote or say as much.`,
        );
      }
      const secret = secretIn(all, note);
      must(
        secret === null,
        `the note holds ${secret}, which looks like a code or a secret; a note never carries one.`,
      );
    },
  },
  {
    name: 'errors arrive as a QdeskError with the original error as cause',
    needs: 'faults',
    async check(subject) {
      const { adapter, fixtures, capabilities } = subject;
      const faults = subject.faults!;
      const calls: Array<[Parameters<typeof faults.failNext>[0], () => Promise<unknown>]> = [
        ['getTicketContext', () => adapter.getTicketContext(fixtures.readyTicketId)],
        ['getContact', () => adapter.getContact(fixtures.unknownContactId)],
      ];
      if (capabilities.writeNotes) {
        const write = writerOf(adapter);
        calls.push(['writeVerificationNote', () => write(sampleNote(subject))]);
      }
      for (const [operation, call] of calls) {
        faults.failNext(operation);
        const result = await settle(call);
        must(
          !result.ok,
          `${operation}() resolved with ${show(result.ok && result.value)} after faults.failNext("${operation}"); a failure is not "not found": throw (or check the fault hook's wiring).`,
        );
        must(
          isQdeskError(result.error),
          `${operation}() failed with ${describeError(result.error)}, not a QdeskError; wrap failures, for example with AdapterError.wrap(port, operation, call).`,
        );
        must(
          result.error.cause !== undefined,
          `${operation}() failed with a ${result.error.name} without a cause; keep the PSA's own error as cause.`,
        );
      }
    },
  },
  {
    name: 'a note whose create answer was lost is written once',
    needs: 'writeNotes & faults',
    async check(subject) {
      const write = writerOf(subject.adapter);
      const note = sampleNote(subject);
      subject.faults!.loseNextNoteAnswer();
      await settle(() => write(note));
      const retry = await settle(() => write(note));
      must(
        retry.ok,
        `writing the note again after a lost answer failed with ${retry.ok || describeError(retry.error)}; look for the earlier note by its marker and answer it.`,
      );
      must(
        retry.value.created === false,
        `the write after a lost answer answered ${show(retry.value)}; the first create went through, so answer created: false with its noteId.`,
      );
      const notes = await notesOfSession(subject, note);
      must(
        notes.length === 1,
        `after a lost answer and a retry the ticket holds ${notes.length} notes of the session; search for the marker line before every create.`,
      );
    },
  },
];
