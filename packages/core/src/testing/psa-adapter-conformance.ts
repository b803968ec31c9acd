import { describe, expect, it } from 'vitest';
import type { ListProgress, PsaAdapter, VerificationNote } from '../ports/psa.js';

/** Known records in the backing PSA that the suite relies on. @public */
export interface PsaConformanceFixtures {
  /** A ticket with a company and a contact that has an email. */
  readyTicketId: string;
  /** One email of that ticket's contact. */
  readyContactEmail: string;
  /** A ticket without a contact. */
  ticketWithoutContactId: string;
  /** An id no ticket has (but well-formed for this PSA). */
  unknownTicketId: string;
  /** An id no contact has. */
  unknownContactId: string;
  /** An email held only in a secondary email field of some contact, when the PSA has such fields. */
  secondaryEmail?: string;
  /** How many companies `listCompanies` must yield. */
  companyCount: number;
  /** How many contacts `listContacts` must yield. */
  contactCount: number;
}

/** Options for {@link runPsaAdapterConformance}. @public */
export interface PsaAdapterConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A ready adapter (called once per test). */
  create: () => PsaAdapter | Promise<PsaAdapter>;
  /** Releases what `create` opened. */
  cleanup?: (adapter: PsaAdapter) => void | Promise<void>;
  /** Records the suite relies on. */
  fixtures: PsaConformanceFixtures;
  /** Reads the backing system directly, bypassing the adapter. */
  inspect: {
    /** Notes on a ticket as the PSA stores them. */
    notes(ticketId: string): Promise<Array<{ title: string; text: string }>>;
  };
  /** Per-test timeout in ms (default 60 s: listing thousands of records through HTTP takes a while). */
  timeoutMs?: number;
}

/**
 * The shared test suite every {@link PsaAdapter} must pass. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * runPsaAdapterConformance({
 *   name: 'my-psa', create: () => createMyPsaAdapter(config),
 *   fixtures: { readyTicketId: '1', readyContactEmail: 'a@b.example', ticketWithoutContactId: '2',
 *     unknownTicketId: '999999', unknownContactId: '999999', companyCount: 3, contactCount: 40 },
 *   inspect: { notes: (ticketId) => myPsa.readNotes(ticketId) },
 * });
 * ```
 * @public
 */
export function runPsaAdapterConformance(options: PsaAdapterConformanceOptions): void {
  const f = options.fixtures;
  const timeout = options.timeoutMs ?? 60_000;
  const withAdapter = (fn: (adapter: PsaAdapter) => Promise<void>) => async () => {
    const adapter = await options.create();
    try {
      await fn(adapter);
    } finally {
      await options.cleanup?.(adapter);
    }
  };

  const collect = async <T extends { id: string }>(iterable: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const item of iterable) out.push(item);
    return out;
  };

  describe(`PsaAdapter conformance: ${options.name}`, () => {
    it(
      'declares its capabilities',
      withAdapter(async (adapter) => {
        expect(typeof adapter.name).toBe('string');
        expect(adapter.capabilities).toEqual({
          writeNotes: expect.any(Boolean),
          listRecords: expect.any(Boolean),
          webhooks: expect.any(Boolean),
        });
      }),
    );

    it(
      'reads a ticket with its company and contact',
      withAdapter(async (adapter) => {
        const context = await adapter.getTicketContext(f.readyTicketId);
        expect(context).not.toBeNull();
        expect(context!.ticket.id).toBe(f.readyTicketId);
        expect(context!.ticket.number.length).toBeGreaterThan(0);
        expect(context!.company).not.toBeNull();
        expect(context!.contact).not.toBeNull();
        expect(context!.contact!.companyId).toBe(context!.company!.id);
        expect(context!.contact!.emails.map((e) => e.toLowerCase())).toContain(
          f.readyContactEmail.toLowerCase(),
        );
      }),
      timeout,
    );

    it(
      'reads a ticket without a contact as contact null',
      withAdapter(async (adapter) => {
        const context = await adapter.getTicketContext(f.ticketWithoutContactId);
        expect(context).not.toBeNull();
        expect(context!.contact).toBeNull();
      }),
      timeout,
    );

    it(
      'returns null for an unknown ticket and an unknown contact',
      withAdapter(async (adapter) => {
        expect(await adapter.getTicketContext(f.unknownTicketId)).toBeNull();
        expect(await adapter.getContact(f.unknownContactId)).toBeNull();
      }),
      timeout,
    );

    it(
      'finds contacts by email whatever the case',
      withAdapter(async (adapter) => {
        const upper = await adapter.findContactsByEmail(f.readyContactEmail.toUpperCase());
        expect(upper.length).toBeGreaterThan(0);
        for (const contact of upper) {
          expect(contact.emails.map((e) => e.toLowerCase())).toContain(f.readyContactEmail.toLowerCase());
        }
        const context = await adapter.getTicketContext(f.readyTicketId);
        expect(upper.map((c) => c.id)).toContain(context!.contact!.id);
        const byId = await adapter.getContact(context!.contact!.id);
        expect(byId?.id).toBe(context!.contact!.id);
        expect(await adapter.findContactsByEmail('nobody.at.all@qdesk-conformance.invalid')).toEqual([]);
      }),
      timeout,
    );

    it.skipIf(f.secondaryEmail === undefined)(
      'finds contacts by a secondary email field',
      withAdapter(async (adapter) => {
        const found = await adapter.findContactsByEmail(f.secondaryEmail!);
        expect(found.length).toBeGreaterThan(0);
      }),
      timeout,
    );

    const listing = (kind: 'companies' | 'contacts', expected: number) =>
      withAdapter(async (adapter) => {
        if (!adapter.capabilities.listRecords) return;
        const progress: ListProgress[] = [];
        const list = (opts: Parameters<PsaAdapter['listCompanies']>[0]): AsyncIterable<{ id: string }> =>
          kind === 'companies' ? adapter.listCompanies(opts) : adapter.listContacts(opts);
        const records = await collect(list({ onProgress: (p) => progress.push({ ...p }) }));
        expect(records).toHaveLength(expected);
        expect(new Set(records.map((r) => r.id)).size).toBe(expected);
        const ids = records.map((r) => Number(r.id));
        expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
        expect(progress.length).toBeGreaterThan(0);
        for (let i = 1; i < progress.length; i++)
          expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
        expect(progress.at(-1)!.done).toBe(expected);
        const total = progress.at(-1)!.total;
        if (total !== null) expect(total).toBe(expected);
        const middle = records[Math.floor(records.length / 2)]!;
        const rest = await collect(list({ afterId: middle.id }));
        expect(rest.map((r) => r.id)).toEqual(
          records.slice(Math.floor(records.length / 2) + 1).map((r) => r.id),
        );
      });

    it(
      'lists every company once, ascending, with monotone progress and resume',
      listing('companies', f.companyCount),
      timeout,
    );
    it(
      'lists every contact once, ascending, with monotone progress and resume',
      listing('contacts', f.contactCount),
      timeout,
    );

    it(
      'writes a verification note once per session, with no code in it',
      withAdapter(async (adapter) => {
        if (!adapter.capabilities.writeNotes) return;
        const sessionId = `sess_conformance_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
        const note: VerificationNote = {
          ticketId: f.readyTicketId,
          sessionId,
          outcome: 'approved',
          outcomeText: 'User Identity Successfully Verified',
          method: 'sms',
          endUser: { id: 'eu-conf', displayName: 'Conformance User', email: f.readyContactEmail },
          technician: { id: 'tech-conf', name: 'Conformance Technician' },
          at: Date.UTC(2026, 0, 2, 3, 4, 5),
        };
        const before = (await options.inspect.notes(f.readyTicketId)).length;
        const first = await adapter.writeVerificationNote(note);
        const second = await adapter.writeVerificationNote(note);
        expect(first.created).toBe(true);
        expect(second.created).toBe(false);
        expect(second.noteId).toBe(first.noteId);
        const notes = await options.inspect.notes(f.readyTicketId);
        expect(notes.length).toBe(before + 1);
        const written = notes.find((n) => n.text.includes(sessionId));
        expect(written).toBeDefined();
        const all = `${written!.title}\n${written!.text}`;
        for (const part of [
          'User Identity Successfully Verified',
          'sms',
          'Conformance User',
          'Conformance Technician',
        ]) {
          expect(all).toContain(part);
        }
        expect(all).toContain('2026-01-02');
      }),
      timeout,
    );
  });
}
