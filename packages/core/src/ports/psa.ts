import type { Method, Outcome } from '../types.js';

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
  /** Every email on the contact, primary first, without empty values. */
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

/** The outcome of a verification, to be written on the ticket. Contains no code and no token. @public */
export interface VerificationNote {
  /** The ticket to write on. */
  ticketId: string;
  /** The session id; adapters use it to write a note at most once. */
  sessionId: string;
  /** The outcome. */
  outcome: Outcome;
  /** The outcome as a technician reads it ("User Identity Successfully Verified" / "Unable to Verify Identity"...). */
  outcomeText: string;
  /** The method that gave the outcome (after any fallback). */
  method: Method | null;
  /** The end-user verified. */
  endUser: { id: string; displayName: string; email: string };
  /** The technician who ran it. */
  technician: { id: string; name: string };
  /** Epoch milliseconds of the outcome. */
  at: number;
}

/** Progress of a paged listing: records seen so far and the total the PSA reported (when it can count). @public */
export interface ListProgress {
  /** Records yielded so far. */
  done: number;
  /** Total records expected, or `null` when unknown. */
  total: number | null;
}

/** Options for paged listings. @public */
export interface ListOptions {
  /** Called after each page with the running count. */
  onProgress?: (progress: ListProgress) => void;
  /** Stops the listing early. */
  signal?: AbortSignal;
  /** Resume after this id (records come in ascending id order). */
  afterId?: string;
  /** Only records of this company (contacts only). */
  companyId?: string;
}

/** Optional abilities a PSA adapter declares. @public */
export interface PsaCapabilities {
  /** Can write a verification note on a ticket. */
  writeNotes: boolean;
  /** Can list companies and contacts page by page. */
  listRecords: boolean;
  /** Offers webhook helpers to keep contact data fresh. */
  webhooks: boolean;
}

/**
 * A professional services automation system (Autotask, ConnectWise, Halo...) seen by QDesk.
 *
 * Partner guide: the lookups return `null` (or an empty list) for "not found" and throw a `QdeskError` for anything
 * else (bad credentials, rate limits, network) with the original error as `cause`. `writeVerificationNote` must be
 * idempotent per `sessionId`: calling it twice, or retrying after a timeout, leaves one note. Run
 * `runPsaAdapterConformance` from `@qdesk/core/testing` in your suite.
 * @public
 */
export interface PsaAdapter {
  /** Short name for logs ("autotask", "memory"). */
  readonly name: string;
  /** What the adapter can do beyond lookups. */
  readonly capabilities: PsaCapabilities;
  /** The ticket with its company and contact, or `null` when no ticket has that id. */
  getTicketContext(ticketId: string): Promise<TicketContext | null>;
  /** A contact by id, or `null`. */
  getContact(contactId: string): Promise<PsaContact | null>;
  /** Contacts with that address in any of their email fields, case-insensitively. */
  findContactsByEmail(email: string): Promise<PsaContact[]>;
  /** Every company, page by page, ascending by id. */
  listCompanies(options?: ListOptions): AsyncIterable<PsaCompany>;
  /** Every contact (or one company's), page by page, ascending by id. */
  listContacts(options?: ListOptions): AsyncIterable<PsaContact>;
  /** Writes the outcome on the ticket, at most once per `sessionId`. Returns the PSA's note id. */
  writeVerificationNote(note: VerificationNote): Promise<{ noteId: string; created: boolean }>;
}
