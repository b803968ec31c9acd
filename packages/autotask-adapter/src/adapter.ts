import { AdapterError, InputError, type PsaAdapter } from '@qdesk/core';
import type { ListOptions, PsaCompany, PsaContact, TicketContext, VerificationNote } from '@qdesk/core/ports';
import { type AutotaskClient, createAutotaskClient } from './client/client.js';
import { type AutotaskAdapterConfig, parseAdapterConfig } from './config.js';
import { parseAutotaskId, toPsaCompany, toPsaContact } from './internal/mapping.js';
import { createNoteWriter } from './internal/notes.js';
import { buildQuery } from './query/build-query.js';
import { type AutotaskFilter, where } from './query/filter.js';
import { createResourceDirectory, DEFAULT_MISS_TTL_MS } from './resources.js';

/**
 * QDesk's `PsaAdapter` (v1) for Autotask, with every optional method present, plus what only Autotask offers here:
 * `findContactsByEmail` and the REST client.
 * @public
 */
export interface AutotaskAdapter extends PsaAdapter {
  /** Always `"autotask"`. */
  readonly name: 'autotask';
  /** Both optional abilities. */
  readonly capabilities: {
    /** Outcomes are written as ticket notes. */
    readonly writeNotes: true;
    /** Companies and contacts can be listed. */
    readonly listRecords: true;
  };
  /**
   * Writes the outcome as an internal ticket note, once per session (see the package README): the note's id, and
   * whether this call created it (`false` when an earlier call had). By default the note is created as the
   * technician's Autotask resource; when that cannot be done it is written as the API user and
   * `notes.onAuthorFallback` says why (README, "Notes written as the technician").
   */
  writeVerificationNote(note: VerificationNote): Promise<{
    /** The Autotask ticket note id. */
    noteId: string;
    /** `true` when this call wrote the note. */
    created: boolean;
  }>;
  /** Every company, 500 a page, ascending by id. */
  listCompanies(options?: ListOptions): AsyncIterable<PsaCompany>;
  /** Every contact (or one company's), 500 a page, ascending by id. */
  listContacts(options?: ListOptions): AsyncIterable<PsaContact>;
  /**
   * An Autotask extra, not part of the `PsaAdapter` port: the contacts with this email in `emailAddress`,
   * `emailAddress2` or `emailAddress3`, compared case-insensitively, ascending by id; inactive ones included
   * (`isActive: false`). One query. Throws core's `InputError` for something that is not an email address.
   */
  findContactsByEmail(email: string): Promise<PsaContact[]>;
  /** The client the adapter uses (same limits, budget and zone cache). */
  readonly client: AutotaskClient;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PORT = 'PSA (autotask)';

/**
 * Creates the Autotask implementation of QDesk's `PsaAdapter` port.
 *
 * - `getTicketContext` costs 3 requests in 2 round trips (the ticket, then its company and contact in parallel).
 * - `listCompanies` / `listContacts` count first (for progress) and page by 500 following `nextPageUrl`.
 * - `writeVerificationNote` writes an internal ticket note once per session, even across timeouts and retries; by
 *   default as the technician's Autotask resource (found by their email, cached), else as the API user, reporting
 *   why through `notes.onAuthorFallback`.
 * - `findContactsByEmail` (an Autotask extra) searches the three email fields in one query.
 *
 * Throws core's `ConfigError` naming the field when `config` is invalid. Calls fail with an `AutotaskError`
 * (a `QdeskError`); anything else that goes wrong surfaces as core's `AdapterError` with the original as `cause`.
 * @example
 * ```ts
 * const psa = createAutotaskAdapter({
 *   username: process.env.AUTOTASK_USERNAME!,
 *   secret: process.env.AUTOTASK_SECRET!,
 *   integrationCode: process.env.AUTOTASK_INTEGRATION_CODE!,
 * });
 * const context = await psa.getTicketContext('12345');
 * ```
 * @public
 */
export function createAutotaskAdapter(config: AutotaskAdapterConfig): AutotaskAdapter {
  const c = parseAdapterConfig(config);
  const client = createAutotaskClient(omitAdapterOptions(c));
  const pageSize = c.pageSize ?? 500;
  const resourceCache = c.notes?.resourceCache ?? {};
  const writeNote = createNoteWriter({
    client,
    publish: c.notes?.publish ?? 2,
    noteType: c.notes?.noteType ?? 1,
    author: c.notes?.author ?? 'technician',
    resources: createResourceDirectory(client, resourceCache),
    onAuthorFallback: c.notes?.onAuthorFallback,
    // A refusal is re-tried as soon as a miss would be looked up again: fixing the security level shows quickly.
    refusalTtlMs: resourceCache.missTtlMs ?? DEFAULT_MISS_TTL_MS,
    now: Date.now,
  });

  async function* list<T>(
    entity: 'Companies' | 'Contacts',
    options: ListOptions,
    map: (record: never) => T,
  ): AsyncGenerator<T> {
    const filter: AutotaskFilter[] = [
      options.afterId === undefined
        ? where.gte('id', 0)
        : where.gt('id', parseAutotaskId(options.afterId, 'afterId')),
    ];
    if (entity === 'Contacts' && options.companyId !== undefined) {
      filter.push(where.eq('companyID', parseAutotaskId(options.companyId, 'company')));
    }
    // The count runs beside the first page; if only the count fails, progress just has no total.
    const total = client.count(entity, filter, { signal: options.signal }).then(
      (n): number | null => n,
      (): number | null => null,
    );
    let done = 0;
    const query = buildQuery(filter, { maxRecords: pageSize });
    for await (const page of client.queryPages(entity, query, { signal: options.signal })) {
      for (const record of page.items) yield map(record as never);
      done += page.items.length;
      options.onProgress?.({ done, total: await total });
    }
  }

  return {
    specificationVersion: 'v1',
    name: 'autotask',
    capabilities: { writeNotes: true, listRecords: true },
    client,

    getTicketContext: (ticketId) =>
      AdapterError.wrap(PORT, 'getTicketContext', async (): Promise<TicketContext | null> => {
        const ticket = await client.get('Tickets', parseAutotaskId(ticketId, 'ticket'));
        if (ticket === null) return null;
        const [company, contact] = await Promise.all([
          ticket.companyID == null ? null : client.get('Companies', ticket.companyID),
          ticket.contactID == null ? null : client.get('Contacts', ticket.contactID),
        ]);
        return {
          ticket: { id: String(ticket.id), number: ticket.ticketNumber, title: ticket.title },
          company: company ? toPsaCompany(company) : null,
          contact: contact ? toPsaContact(contact) : null,
        };
      }),

    getContact: (contactId) =>
      AdapterError.wrap(PORT, 'getContact', async () => {
        const contact = await client.get('Contacts', parseAutotaskId(contactId, 'contact'));
        return contact ? toPsaContact(contact) : null;
      }),

    writeVerificationNote: (note) => AdapterError.wrap(PORT, 'writeVerificationNote', () => writeNote(note)),

    listCompanies: (options = {}) => list('Companies', options, toPsaCompany),
    listContacts: (options = {}) => list('Contacts', options, toPsaContact),

    findContactsByEmail: (email) =>
      AdapterError.wrap(PORT, 'findContactsByEmail', async () => {
        const wanted = typeof email === 'string' ? email.trim() : '';
        if (!EMAIL.test(wanted) || wanted.length > 254) {
          throw new InputError(
            `"${String(email)}" is not an email address; pass the contact's full address.`,
            {
              issues: [{ path: 'email', message: 'must be an email address' }],
            },
          );
        }
        const query = buildQuery([
          where.or(
            where.eq('emailAddress', wanted),
            where.eq('emailAddress2', wanted),
            where.eq('emailAddress3', wanted),
          ),
        ]);
        const found: PsaContact[] = [];
        const lower = wanted.toLowerCase();
        for await (const record of client.query('Contacts', query)) {
          const contact = toPsaContact(record);
          // Autotask compares case-insensitively on most instances; checking here too makes it a guarantee.
          if (contact.emails.some((e) => e.toLowerCase() === lower)) found.push(contact);
        }
        return found.sort((a, b) => Number(a.id) - Number(b.id));
      }),
  };
}

function omitAdapterOptions(config: AutotaskAdapterConfig) {
  const { notes: _notes, pageSize: _pageSize, ...client } = config;
  return client;
}
