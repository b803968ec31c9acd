import type { VerificationNote } from '../note.js';

/** A client company in the PSA. @public */
export interface PsaCompany {
  /** PSA id (stringified). */
  id: string;
  /** Company name as the PSA holds it. */
  name: string;
  /** Web address / domain, when known. */
  webAddress: string | null;
  /** Whether the PSA marks it active. */
  isActive: boolean;
}

/** A contact (a client company's employee) in the PSA. @public */
export interface PsaContact {
  /** PSA id (stringified). */
  id: string;
  /** The company it belongs to. */
  companyId: string;
  /** First name (may be empty). */
  firstName: string;
  /** Last name (may be empty). */
  lastName: string;
  /** Every email on the contact, primary first, trimmed, without empty values. */
  emails: string[];
  /** Mobile phone as the PSA holds it, or `null`. */
  mobilePhone: string | null;
  /** Office phone as the PSA holds it, or `null`. */
  phone: string | null;
  /** Whether the PSA marks it active. */
  isActive: boolean;
}

/** What a ticket tells a verification: the ticket itself, its company and its contact. @public */
export interface TicketContext {
  /** The ticket. */
  ticket: {
    /** PSA id (stringified). */
    id: string;
    /** Human ticket number (`T20240101.0001`). */
    number: string;
    /** Ticket title. */
    title: string;
  };
  /** The ticket's company, or `null` when the ticket has none. */
  company: PsaCompany | null;
  /** The ticket's contact, or `null` when the ticket has none. */
  contact: PsaContact | null;
}

/** Progress of a paged listing: records yielded so far and the total the PSA reported. @public */
export interface ListProgress {
  /** Records yielded so far. */
  done: number;
  /** Total records expected (after `afterId`, within `companyId`), or `null` when the PSA cannot count. */
  total: number | null;
}

/** Options for paged listings. @public */
export interface ListOptions {
  /** Called after each page with the running count. */
  onProgress?: (progress: ListProgress) => void;
  /** Stops the listing: the iterator rejects with the signal's reason before asking for another page. */
  signal?: AbortSignal;
  /** Resume after this id (records come in ascending numeric id order). */
  afterId?: string;
  /** Only records of this company (contacts only). */
  companyId?: string;
}

/** Optional abilities a PSA adapter declares; core calls an optional method only when its flag is `true`. @public */
export interface PsaCapabilities {
  /** `writeVerificationNote` exists: outcomes are written on the ticket. */
  writeNotes: boolean;
  /** `listCompanies` and `listContacts` exist: `@qdesk/matching` can sync companies and contacts. */
  listRecords: boolean;
}

/**
 * A professional services automation system (Autotask, ConnectWise, Halo...) seen by QDesk.
 *
 * ## Partner guide: write a PSA adapter
 *
 * One adapter instance is one connection to one PSA, which belongs to one tenant (an MSP): its methods take no
 * tenant id. Declare `specificationVersion: 'v1'`, then run `runPsaAdapterConformance` from `@qdesk/core/testing`
 * against your PSA or a local fake of it (see the "write a PSA adapter" guide).
 * - Required: `getTicketContext` and `getContact`, the calls a verification makes. Return `null` for "not found";
 *   throw a `QdeskError` (an `AdapterError` is right) for anything else (credentials, limits, network), with the
 *   original error as `cause`.
 * - `writeVerificationNote` (declared by `capabilities.writeNotes`): writes the outcome on the ticket, at most once
 *   per `sessionId`, also when a create is retried after its answer was lost. Render the note with
 *   `formatVerificationNote` or your own wording, and find an earlier note by `verificationNoteMarker`.
 * - `listCompanies` / `listContacts` (declared by `capabilities.listRecords`): every record once, ascending by
 *   numeric id, page by page, with `onProgress` after each page, `afterId` to resume, `companyId` to filter and
 *   `signal` to stop. `@qdesk/matching` uses them; core never does.
 * @public
 */
export interface PsaAdapter {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** Short name for logs and errors ("autotask", "memory"). */
  readonly name: string;
  /** What the adapter can do beyond the two lookups. */
  readonly capabilities: PsaCapabilities;
  /** The ticket with its company and contact, or `null` when no ticket has that id. */
  getTicketContext(ticketId: string): Promise<TicketContext | null>;
  /** A contact by id, or `null`. */
  getContact(contactId: string): Promise<PsaContact | null>;
  /** Writes the outcome on the ticket, at most once per `sessionId`. Needs `capabilities.writeNotes`. */
  writeVerificationNote?(note: VerificationNote): Promise<{ noteId: string; created: boolean }>;
  /** Every company, page by page, ascending by id. Needs `capabilities.listRecords`. */
  listCompanies?(options?: ListOptions): AsyncIterable<PsaCompany>;
  /** Every contact (or one company's), page by page, ascending by id. Needs `capabilities.listRecords`. */
  listContacts?(options?: ListOptions): AsyncIterable<PsaContact>;
}
