/**
 * Deliberately broken PSA adapters over a small in-memory PSA, one mistake each, to show that every PSA adapter rule
 * can fail and says what to fix. Not exported from the package.
 */
import { AdapterError } from '../../errors.js';
import { formatVerificationNote, type VerificationNote, verificationNoteMarker } from '../../note.js';
import type { ListOptions, PsaAdapter, PsaCompany, PsaContact, TicketContext } from '../../ports/psa.js';
import type { PsaConformanceFixtures, PsaFaultHooks } from '../psa-adapter-conformance.js';

/** The mistake a broken adapter makes. @internal */
export type PsaAdapterFlaw =
  | 'declares v0 and no name'
  | 'declares capabilities as strings'
  | 'lacks writeVerificationNote'
  | 'reads another company for the ticket'
  | 'reads a missing contact as an empty one'
  | 'answers undefined for unknown ids'
  | 'maps getContact without phones'
  | 'keeps empty emails'
  | 'sorts ids as text'
  | 'ignores the company filter'
  | 'ignores afterId'
  | 'reports progress once, at the end'
  | 'leaves total null'
  | 'ignores the abort signal'
  | 'writes a note on every call'
  | 'writes a terse note'
  | 'writes the code in the note'
  | 'throws raw errors'
  | 'writes twice after a lost answer';

/** A broken adapter with its PSA's notes readable and faults injectable, as a partner's fake offers them. @internal */
export interface BrokenPsa {
  /** The adapter under test. */
  adapter: PsaAdapter;
  /** The notes the PSA holds on a ticket. */
  notes(ticketId: string): Array<{ title: string; text: string }>;
  /** Fault injection into the PSA. */
  faults: PsaFaultHooks;
}

const PAGE = 5;
const company = (id: string): PsaCompany => ({ id, name: `Company ${id}`, webAddress: null, isActive: true });
const COMPANIES = ['1', '2', '10'].map(company);
/** Twelve contacts, four per company; the PSA stores contact 1's emails untrimmed, with an empty second field. */
const CONTACTS: PsaContact[] = Array.from({ length: 12 }, (_, i) => ({
  id: String(i + 1),
  companyId: COMPANIES[Math.floor(i / 4)]!.id,
  firstName: `First${i + 1}`,
  lastName: `Last${i + 1}`,
  emails: i === 0 ? [' Ana.Silva@Northwind.example ', ''] : [`c${i + 1}@example.com`],
  mobilePhone: '+15550100001',
  phone: null,
  isActive: true,
}));
const TICKETS = [
  { id: '100', number: 'T20260101.0100', title: 'Password reset', companyId: '1', contactId: '1' },
  { id: '101', number: 'T20260101.0101', title: 'No caller name', companyId: '2', contactId: null },
];

/** The records of the small PSA, as kit fixtures. @internal */
export const brokenPsaFixtures: PsaConformanceFixtures = {
  readyTicketId: '100',
  readyContactEmail: 'ana.silva@northwind.example',
  ticketWithoutContactId: '101',
  unknownTicketId: '999',
  unknownContactId: '999',
  companyCount: COMPANIES.length,
  contactCount: CONTACTS.length,
  pageSize: PAGE,
  filterCompany: { id: '2', contactCount: 4 },
};

/** An adapter over the small PSA that makes `flaw` and is otherwise correct. @internal */
export function createBrokenPsa(flaw: PsaAdapterFlaw): BrokenPsa {
  const notes: Array<{ id: string; ticketId: string; title: string; text: string }> = [];
  const failing = new Set<string>();
  let loseAnswer = false;
  const remembered = new Map<string, string>();
  const has = (f: PsaAdapterFlaw) => flaw === f;

  const failIfFaulted = (operation: string) => {
    if (!failing.delete(operation)) return;
    const cause = new Error(`PSA answered 500 to ${operation}`);
    if (has('throws raw errors')) throw cause;
    throw new AdapterError(`The PSA (broken) failed during ${operation}: ${cause.message}`, {
      cause,
      port: 'PSA (broken)',
      operation,
    });
  };
  const toContact = (raw: PsaContact): PsaContact => ({
    ...structuredClone(raw),
    emails: has('keeps empty emails')
      ? [...raw.emails]
      : raw.emails.map((e) => e.trim()).filter((e) => e !== ''),
  });
  const notFound = () => (has('answers undefined for unknown ids') ? (undefined as never) : null);

  async function* paged<T extends { id: string }>(all: T[], options: ListOptions, map: (r: T) => T) {
    const sorted = [...all].sort((a, b) =>
      has('sorts ids as text') ? a.id.localeCompare(b.id) : Number(a.id) - Number(b.id),
    );
    const after = options.afterId;
    const rest =
      after === undefined || has('ignores afterId')
        ? sorted
        : sorted.filter((r) => Number(r.id) > Number(after));
    const total = has('leaves total null') ? null : rest.length;
    const once = has('reports progress once, at the end');
    let done = 0;
    for (let i = 0; i < rest.length; i += PAGE) {
      if (!has('ignores the abort signal')) options.signal?.throwIfAborted();
      const page = rest.slice(i, i + PAGE);
      for (const record of page) yield map(record);
      done += page.length;
      if (!once) options.onProgress?.({ done, total });
    }
    if (once) options.onProgress?.({ done, total });
  }

  const render = (note: VerificationNote) => {
    const { title, text } = formatVerificationNote(note);
    if (has('writes the code in the note')) return { title, text: `${text}\nCode: 482913` };
    if (has('writes a terse note'))
      return { title, text: `Outcome ${note.outcome} ${verificationNoteMarker(note.sessionId)}` };
    return { title, text };
  };
  const findNote = (note: VerificationNote) => {
    if (has('writes a note on every call')) return undefined;
    if (has('writes twice after a lost answer')) return remembered.get(note.sessionId);
    const marker = verificationNoteMarker(note.sessionId);
    return notes.find((n) => n.ticketId === note.ticketId && n.text.split('\n').includes(marker))?.id;
  };

  const adapter: PsaAdapter = {
    specificationVersion: (has('declares v0 and no name') ? 'v0' : 'v1') as 'v1',
    name: has('declares v0 and no name') ? '' : 'broken',
    capabilities: has('declares capabilities as strings')
      ? ({ writeNotes: 'yes', listRecords: 'yes' } as never)
      : { writeNotes: true, listRecords: true },
    async getTicketContext(ticketId): Promise<TicketContext | null> {
      failIfFaulted('getTicketContext');
      const ticket = TICKETS.find((t) => t.id === ticketId);
      if (!ticket) return notFound();
      const companyId = has('reads another company for the ticket') ? '2' : ticket.companyId;
      const contact = CONTACTS.find((c) => c.id === ticket.contactId);
      const empty = { ...CONTACTS[0]!, id: '', companyId, emails: [] };
      return {
        ticket: { id: ticket.id, number: ticket.number, title: ticket.title },
        company: company(companyId),
        contact: contact ? toContact(contact) : has('reads a missing contact as an empty one') ? empty : null,
      };
    },
    async getContact(contactId) {
      failIfFaulted('getContact');
      const contact = CONTACTS.find((c) => c.id === contactId);
      if (!contact) return notFound();
      const mapped = toContact(contact);
      return has('maps getContact without phones') ? { ...mapped, mobilePhone: null } : mapped;
    },
    listCompanies: (options = {}) => paged(COMPANIES, options, (c) => ({ ...c })),
    listContacts: (options = {}) => {
      const { companyId } = options;
      const scoped = companyId === undefined || has('ignores the company filter');
      return paged(scoped ? CONTACTS : CONTACTS.filter((c) => c.companyId === companyId), options, toContact);
    },
    async writeVerificationNote(note) {
      failIfFaulted('writeVerificationNote');
      const existing = findNote(note);
      if (existing !== undefined) return { noteId: existing, created: false };
      const created = { id: String(notes.length + 1), ticketId: note.ticketId, ...render(note) };
      notes.push(created);
      if (loseAnswer) {
        loseAnswer = false;
        const cause = new Error('timeout: the answer to the note create was lost');
        throw new AdapterError(`The PSA (broken) failed during writeVerificationNote: ${cause.message}`, {
          cause,
          port: 'PSA (broken)',
          operation: 'writeVerificationNote',
        });
      }
      remembered.set(note.sessionId, created.id);
      return { noteId: created.id, created: true };
    },
  };
  if (has('lacks writeVerificationNote')) delete adapter.writeVerificationNote;

  return {
    adapter,
    notes: (ticketId) =>
      notes.filter((n) => n.ticketId === ticketId).map(({ title, text }) => ({ title, text })),
    faults: {
      failNext: (operation) => void failing.add(operation),
      loseNextNoteAnswer: () => {
        loseAnswer = true;
      },
    },
  };
}
