import { AdapterError } from '../errors.js';
import { formatVerificationNote, verificationNoteMarker } from '../note.js';
import type { ListOptions, PsaAdapter, PsaCompany, PsaContact, TicketContext } from '../ports/psa.js';

/** A ticket as the memory PSA stores it. @public */
export interface MemoryTicket {
  /** PSA id. */
  id: string;
  /** Ticket number. */
  number: string;
  /** Title. */
  title: string;
  /** Company id, or `null`. */
  companyId: string | null;
  /** Contact id, or `null`. */
  contactId: string | null;
}

/** A note the memory PSA wrote. @public */
export interface MemoryNote {
  /** Note id. */
  id: string;
  /** Ticket id. */
  ticketId: string;
  /** Session id that wrote it. */
  sessionId: string;
  /** Note title. */
  title: string;
  /** Note text. */
  text: string;
}

/** Seed data for {@link createMemoryPsa}. @public */
export interface MemoryPsaData {
  /** Companies. */
  companies: PsaCompany[];
  /** Contacts. */
  contacts: PsaContact[];
  /** Tickets. */
  tickets: MemoryTicket[];
}

/**
 * A fault the memory PSA plays once, on the next matching call, so a suite can check what the verifier and the
 * conformance kit do when a PSA fails: `error` makes the call fail; `lost_note_answer` stores the next note but
 * fails the call as if its answer timed out.
 * @public
 */
export type MemoryPsaFault =
  | {
      /** The call fails with an `AdapterError` whose cause is the PSA's own error. */
      type: 'error';
      /** The call that fails. */
      operation: 'getTicketContext' | 'getContact' | 'writeVerificationNote' | 'listContacts';
    }
  | {
      /** The next note is stored, but its write fails as if the answer timed out. */
      type: 'lost_note_answer';
    };

/** A {@link PsaAdapter} in memory, with its notes readable and every optional method present. @public */
export interface MemoryPsa extends Required<PsaAdapter> {
  /** Notes written so far, oldest first (all tickets, or one). */
  notes(ticketId?: string): MemoryNote[];
  /** Plays `fault` once, on the next call it applies to. */
  injectFault(fault: MemoryPsaFault): void;
}

const byNumericId = (a: { id: string }, b: { id: string }) =>
  Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function* paged<T extends { id: string }>(records: T[], options: ListOptions, pageSize: number) {
  const sorted = [...records].sort(byNumericId);
  const start =
    options.afterId === undefined ? 0 : sorted.findIndex((r) => byNumericId(r, { id: options.afterId! }) > 0);
  const rest = start < 0 ? [] : sorted.slice(start);
  let done = 0;
  for (let i = 0; i < rest.length; i += pageSize) {
    options.signal?.throwIfAborted();
    const page = rest.slice(i, i + pageSize);
    for (const record of page) yield structuredClone(record);
    done += page.length;
    options.onProgress?.({ done, total: rest.length });
  }
  if (rest.length === 0) options.onProgress?.({ done: 0, total: 0 });
}

/**
 * In-memory {@link PsaAdapter} seeded with `data`: the embedded default for demos and the reference for
 * `runPsaAdapterConformance`.
 * @public
 */
export function createMemoryPsa(data: MemoryPsaData, options: { pageSize?: number } = {}): MemoryPsa {
  const pageSize = options.pageSize ?? 500;
  const companies = new Map(data.companies.map((c) => [c.id, structuredClone(c)]));
  const contacts = new Map(data.contacts.map((c) => [c.id, structuredClone(c)]));
  const tickets = new Map(data.tickets.map((t) => [t.id, structuredClone(t)]));
  const notes: MemoryNote[] = [];
  const faults: MemoryPsaFault[] = [];
  /** A failure the way a real adapter must report one: an AdapterError with the PSA's own error as `cause`. */
  const failure = (operation: string, reason: string) => {
    const cause = new Error(`memory PSA: ${reason}`);
    return new AdapterError(`The PSA (memory) failed during ${operation}: ${cause.message}`, {
      cause,
      port: 'PSA (memory)',
      operation,
    });
  };
  const failIfFaulted = (operation: string) => {
    const index = faults.findIndex((f) => f.type === 'error' && f.operation === operation);
    if (index < 0) return;
    faults.splice(index, 1);
    throw failure(operation, `injected failure of ${operation}`);
  };
  const takeLostAnswer = () => {
    const index = faults.findIndex((f) => f.type === 'lost_note_answer');
    if (index >= 0) faults.splice(index, 1);
    return index >= 0;
  };

  return {
    specificationVersion: 'v1',
    name: 'memory',
    capabilities: { writeNotes: true, listRecords: true },
    notes: (ticketId) =>
      notes.filter((n) => ticketId === undefined || n.ticketId === ticketId).map((n) => ({ ...n })),
    injectFault(fault) {
      faults.push(fault);
    },
    async getTicketContext(ticketId): Promise<TicketContext | null> {
      failIfFaulted('getTicketContext');
      const ticket = tickets.get(ticketId);
      if (!ticket) return null;
      const company = ticket.companyId ? (companies.get(ticket.companyId) ?? null) : null;
      const contact = ticket.contactId ? (contacts.get(ticket.contactId) ?? null) : null;
      return structuredClone({
        ticket: { id: ticket.id, number: ticket.number, title: ticket.title },
        company,
        contact,
      });
    },
    async getContact(contactId) {
      failIfFaulted('getContact');
      const contact = contacts.get(contactId);
      return contact ? structuredClone(contact) : null;
    },
    listCompanies: (opts = {}) => paged([...companies.values()], opts, pageSize),
    listContacts: (opts = {}) => {
      failIfFaulted('listContacts');
      return paged(
        [...contacts.values()].filter((c) => opts.companyId === undefined || c.companyId === opts.companyId),
        opts,
        pageSize,
      );
    },
    async writeVerificationNote(note) {
      failIfFaulted('writeVerificationNote');
      const marker = verificationNoteMarker(note.sessionId);
      const existing = notes.find((n) => n.ticketId === note.ticketId && n.text.split('\n').includes(marker));
      if (existing) return { noteId: existing.id, created: false };
      if (!tickets.has(note.ticketId)) {
        throw new AdapterError(`The PSA (memory) has no ticket ${note.ticketId} to write a note on.`, {
          port: 'PSA (memory)',
          operation: 'writeVerificationNote',
        });
      }
      const { title, text } = formatVerificationNote(note);
      const created = {
        id: String(notes.length + 1),
        ticketId: note.ticketId,
        sessionId: note.sessionId,
        title,
        text,
      };
      notes.push(created);
      if (takeLostAnswer()) {
        throw failure('writeVerificationNote', 'the answer to the note create was lost (timeout)');
      }
      return { noteId: created.id, created: true };
    },
  };
}
