import {
  InputError,
  type ListOptions,
  type PsaAdapter,
  type PsaCompany,
  type PsaContact,
  type TicketContext,
} from '@qdesk/core';
import { type AutotaskClient, createAutotaskClient } from './client/client.js';
import { type AutotaskAdapterConfig, parseAdapterConfig } from './config.js';
import { abortableSleep } from './internal/backoff.js';
import { parseAutotaskId, toPsaCompany, toPsaContact } from './internal/mapping.js';
import { createNoteWriter } from './internal/notes.js';
import { buildQuery } from './query/build-query.js';
import { type AutotaskFilter, where } from './query/filter.js';

/** QDesk's `PsaAdapter` for Autotask, plus the REST client it uses for anything the port does not cover. @public */
export interface AutotaskAdapter extends PsaAdapter {
  /** Always `"autotask"`. */
  readonly name: 'autotask';
  /** The client the adapter uses (same limits, budget and zone cache). */
  readonly client: AutotaskClient;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Creates the Autotask implementation of QDesk's `PsaAdapter` port.
 *
 * - `getTicketContext` costs 3 requests in 2 round trips (the ticket, then its company and contact in parallel).
 * - `findContactsByEmail` searches `emailAddress`, `emailAddress2` and `emailAddress3` in one query.
 * - `listCompanies` / `listContacts` count first (for progress) and page by 500 following `nextPageUrl`.
 * - `writeVerificationNote` writes an internal ticket note once per session, even across timeouts and retries.
 *
 * Throws core's `ConfigError` naming the field when `config` is invalid.
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
  const writeNote = createNoteWriter({
    client,
    publish: c.notes?.publish ?? 2,
    noteType: c.notes?.noteType ?? 1,
    retry: {
      maxRetries: c.retry?.maxRetries ?? 4,
      baseDelayMs: c.retry?.baseDelayMs ?? 500,
      maxDelayMs: c.retry?.maxDelayMs ?? 20_000,
    },
    sleep: c.sleep ?? abortableSleep,
    random: c.random ?? Math.random,
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
    name: 'autotask',
    capabilities: { writeNotes: true, listRecords: true, webhooks: true },
    client,

    async getTicketContext(ticketId): Promise<TicketContext | null> {
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
    },

    async getContact(contactId): Promise<PsaContact | null> {
      const contact = await client.get('Contacts', parseAutotaskId(contactId, 'contact'));
      return contact ? toPsaContact(contact) : null;
    },

    async findContactsByEmail(email): Promise<PsaContact[]> {
      const wanted = typeof email === 'string' ? email.trim() : '';
      if (!EMAIL.test(wanted) || wanted.length > 254) {
        throw new InputError(`"${String(email)}" is not an email address; pass the contact's full address.`, [
          { path: 'email', message: 'must be an email address' },
        ]);
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
    },

    listCompanies: (options = {}): AsyncIterable<PsaCompany> => list('Companies', options, toPsaCompany),
    listContacts: (options = {}): AsyncIterable<PsaContact> => list('Contacts', options, toPsaContact),

    writeVerificationNote: (note) => writeNote(note),
  };
}

function omitAdapterOptions(config: AutotaskAdapterConfig) {
  const { notes: _notes, pageSize: _pageSize, ...client } = config;
  return client;
}
