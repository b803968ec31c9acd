import type {
  ListOptions,
  PsaAdapter,
  PsaCompany,
  PsaContact,
  TicketContext,
  VerificationNote,
} from '../ports/psa.js';

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

/** A {@link PsaAdapter} in memory, with its notes readable. @public */
export interface MemoryPsa extends PsaAdapter {
  /** Notes written so far, oldest first (all tickets, or one). */
  notes(ticketId?: string): MemoryNote[];
}

/** Renders a verification note's title and text (shared by adapters that want the same wording). @public */
export function formatVerificationNote(note: VerificationNote): { title: string; text: string } {
  const who = `${note.endUser.displayName} <${note.endUser.email}>`;
  const method = note.method ?? 'none';
  const at = new Date(note.at).toISOString();
  return {
    title: `QDesk: ${note.outcomeText}`,
    text: [
      `${note.outcomeText}.`,
      `End-user: ${who}`,
      `Method: ${method}`,
      `Technician: ${note.technician.name} (${note.technician.id})`,
      `Time: ${at}`,
      `Session: ${note.sessionId}`,
    ].join('\n'),
  };
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

  return {
    name: 'memory',
    capabilities: { writeNotes: true, listRecords: true, webhooks: false },
    notes: (ticketId) =>
      notes.filter((n) => ticketId === undefined || n.ticketId === ticketId).map((n) => ({ ...n })),
    async getTicketContext(ticketId): Promise<TicketContext | null> {
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
      const contact = contacts.get(contactId);
      return contact ? structuredClone(contact) : null;
    },
    async findContactsByEmail(email) {
      const wanted = email.trim().toLowerCase();
      return [...contacts.values()]
        .filter((c) => c.emails.some((e) => e.toLowerCase() === wanted))
        .sort(byNumericId)
        .map((c) => structuredClone(c));
    },
    listCompanies: (opts = {}) => paged([...companies.values()], opts, pageSize),
    listContacts: (opts = {}) =>
      paged(
        [...contacts.values()].filter((c) => opts.companyId === undefined || c.companyId === opts.companyId),
        opts,
        pageSize,
      ),
    async writeVerificationNote(note) {
      const existing = notes.find((n) => n.sessionId === note.sessionId && n.ticketId === note.ticketId);
      if (existing) return { noteId: existing.id, created: false };
      if (!tickets.has(note.ticketId)) return Promise.reject(new Error(`no ticket ${note.ticketId}`));
      const { title, text } = formatVerificationNote(note);
      const created = {
        id: String(notes.length + 1),
        ticketId: note.ticketId,
        sessionId: note.sessionId,
        title,
        text,
      };
      notes.push(created);
      return { noteId: created.id, created: true };
    },
  };
}
