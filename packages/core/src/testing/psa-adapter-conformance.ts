import type { PsaAdapter, PsaContact } from '../ports/psa.js';
import { firstDifference, needsFrom, show } from './_helpers.js';
import { psaListingRules } from './_psa-listing-rules.js';
import { psaNoteRules } from './_psa-note-rules.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Known records in the backing PSA (or its fake) that the rules rely on. @public */
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
  /** How many companies `listCompanies` must yield. Needed with `listRecords`. */
  companyCount?: number;
  /** How many contacts `listContacts` must yield; more than `pageSize`, so paging is tested. Needed with `listRecords`. */
  contactCount?: number;
  /** Records per page the adapter lists (one `onProgress` call each). Needed with `listRecords`. */
  pageSize?: number;
  /** A company holding some contacts but not all, and how many: checks the `companyId` filter. Needed with `listRecords`. */
  filterCompany?: {
    /** The company's id. */
    id: string;
    /** How many contacts it holds. */
    contactCount: number;
  };
}

/**
 * Hooks that make the PSA (or its fake) fail on purpose, wired by the partner: the kit calls one, then the adapter
 * method, and checks what the adapter makes of the failure.
 * @public
 */
export interface PsaFaultHooks {
  /** Makes the next call of `operation` fail the way the PSA fails (an HTTP 500 on every retry of that one call). */
  failNext(operation: 'getTicketContext' | 'getContact' | 'writeVerificationNote'): void;
  /** Makes the PSA store the next note but lose its answer (a timeout after the create went through). */
  loseNextNoteAnswer(): void;
}

/** A note as the PSA stores it, read by the kit's `inspect`. @public */
export interface PsaStoredNote {
  /** Its title (an empty string when the PSA has none). */
  title: string;
  /** Its text, line by line as stored. */
  text: string;
}

/** Options for {@link runPsaAdapterConformance}. @public */
export interface PsaAdapterConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A ready adapter (called once per rule). */
  create: () => PsaAdapter | Promise<PsaAdapter>;
  /** Releases what `create` opened. */
  cleanup?: (adapter: PsaAdapter) => void | Promise<void>;
  /** What the adapter must declare. Listing rules need `listRecords`; note rules need `writeNotes`. */
  capabilities: PsaAdapter['capabilities'];
  /** Records the rules rely on. */
  fixtures: PsaConformanceFixtures;
  /** `false` when the PSA cannot count a listing, so progress may report `total: null` (default `true`). */
  countsTotal?: boolean;
  /** Reads the backing system directly, bypassing the adapter. */
  inspect: {
    /** Notes on a ticket as the PSA stores them, oldest first. */
    notes(ticketId: string): Promise<PsaStoredNote[]>;
  };
  /** Fault injection into the PSA or its fake; without it the fault rules show as skipped. */
  faults?: PsaFaultHooks;
  /** Per-rule timeout in ms (default 60 s: listing thousands of records over HTTP takes a while). */
  timeoutMs?: number;
}

/** The subject each PSA adapter rule checks. @public */
export interface PsaAdapterSubject {
  /** The adapter under test. */
  adapter: PsaAdapter;
  /** What the adapter must declare. */
  capabilities: PsaAdapter['capabilities'];
  /** Records the rules rely on. */
  fixtures: PsaConformanceFixtures;
  /** Whether a listing must report a non-null total. */
  countsTotal: boolean;
  /** Direct reads of the backing system. */
  inspect: PsaAdapterConformanceOptions['inspect'];
  /** Fault injection, when the options give it. */
  faults: PsaFaultHooks | null;
}

const OPTIONAL_METHODS = {
  writeNotes: ['writeVerificationNote'],
  listRecords: ['listCompanies', 'listContacts'],
} as const;

/** The ready ticket's contact, or a violation saying what is missing. */
async function readyContact({ adapter, fixtures }: PsaAdapterSubject): Promise<PsaContact> {
  const context = await adapter.getTicketContext(fixtures.readyTicketId);
  must(
    context?.contact,
    `getTicketContext("${fixtures.readyTicketId}") has no contact; check fixtures.readyTicketId.`,
  );
  return context.contact;
}

const lookupRules: readonly KitRule<PsaAdapterSubject>[] = [
  {
    name: 'declares specificationVersion v1 and a name',
    async check({ adapter }) {
      must(
        adapter.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(adapter.specificationVersion)}; set it to 'v1'.`,
      );
      must(
        typeof adapter.name === 'string' && adapter.name.length > 0,
        `name is ${show(adapter.name)}; give a short name for logs and errors ("autotask").`,
      );
    },
  },
  {
    name: 'declares the expected capabilities, as booleans',
    async check({ adapter, capabilities }) {
      for (const flag of Object.keys(OPTIONAL_METHODS) as (keyof typeof OPTIONAL_METHODS)[]) {
        const declared = adapter.capabilities?.[flag];
        must(
          typeof declared === 'boolean',
          `capabilities.${flag} is ${show(declared)}; declare true or false.`,
        );
        must(
          declared === capabilities[flag],
          `capabilities.${flag} is ${declared} but the kit's options expect ${capabilities[flag]}; declare what the adapter does.`,
        );
      }
    },
  },
  {
    name: 'has each optional method exactly when it declares the capability',
    async check({ adapter }) {
      for (const [flag, methods] of Object.entries(OPTIONAL_METHODS)) {
        const declared = adapter.capabilities?.[flag as keyof typeof OPTIONAL_METHODS];
        for (const method of methods) {
          const present = typeof adapter[method] === 'function';
          must(
            present === (declared === true),
            declared === true
              ? `capabilities.${flag} is true but ${method}() is missing; implement it.`
              : `${method}() exists but capabilities.${flag} is ${show(declared)}; declare true, or remove the method (core calls it only when declared).`,
          );
        }
      }
    },
  },
  {
    name: 'reads a ticket with its company and its contact, and the contact belongs to that company',
    async check({ adapter, fixtures }) {
      const context = await adapter.getTicketContext(fixtures.readyTicketId);
      must(
        context,
        `getTicketContext("${fixtures.readyTicketId}") returned ${show(context)}; check fixtures.readyTicketId.`,
      );
      must(
        context.ticket?.id === fixtures.readyTicketId &&
          typeof context.ticket.number === 'string' &&
          context.ticket.number.length > 0,
        `the ticket reads as ${show(context.ticket)}; give its own id (as a string) and its human number.`,
      );
      must(context.company && context.contact, 'the ready ticket has no company or no contact; read both.');
      must(
        context.contact.companyId === context.company.id,
        `the contact's companyId is ${show(context.contact.companyId)} but the ticket's company is ${show(context.company.id)}; read the contact's own company id.`,
      );
      const emails = (Array.isArray(context.contact.emails) ? context.contact.emails : []).map((e) =>
        String(e).toLowerCase(),
      );
      must(
        emails.includes(fixtures.readyContactEmail.toLowerCase()),
        `the contact's emails ${show(context.contact.emails)} lack ${fixtures.readyContactEmail}; read every email field of the contact.`,
      );
    },
  },
  {
    name: 'reads a ticket without a contact with contact null',
    async check({ adapter, fixtures }) {
      const context = await adapter.getTicketContext(fixtures.ticketWithoutContactId);
      must(
        context,
        `getTicketContext("${fixtures.ticketWithoutContactId}") returned ${show(context)}; the ticket exists.`,
      );
      must(
        context.contact === null,
        `a ticket without a contact read with contact ${show(context.contact)}; give null.`,
      );
    },
  },
  {
    name: 'returns null for an unknown ticket and an unknown contact',
    async check({ adapter, fixtures }) {
      const ticket = await adapter.getTicketContext(fixtures.unknownTicketId);
      const contact = await adapter.getContact(fixtures.unknownContactId);
      must(
        ticket === null && contact === null,
        `an unknown ticket read as ${show(ticket)} and an unknown contact as ${show(contact)}; return null for "not found" (throw only for failures).`,
      );
    },
  },
  {
    name: "getContact reads the same contact as the ticket's context",
    async check(subject) {
      const fromTicket = await readyContact(subject);
      const byId = await subject.adapter.getContact(fromTicket.id);
      const difference = firstDifference(fromTicket, byId);
      must(
        difference === null,
        `getContact("${fromTicket.id}") differs from the contact getTicketContext() read (${difference}); map both the same way.`,
      );
    },
  },
  {
    name: 'contact emails are trimmed and none is empty',
    async check(subject) {
      const contact = await readyContact(subject);
      const byId = await subject.adapter.getContact(contact.id);
      for (const emails of [contact.emails, byId?.emails ?? []]) {
        must(
          Array.isArray(emails) &&
            emails.every((e) => typeof e === 'string' && e.length > 0 && e === e.trim()),
          `the contact's emails are ${show(emails)}; trim each one and leave out empty fields.`,
        );
      }
    },
  },
];

/**
 * Every rule a {@link PsaAdapter} must follow, as data: {@link runPsaAdapterConformance} registers each as a test;
 * `checkRules` runs them anywhere. Listing rules need `listRecords`, note rules `writeNotes`, fault rules `faults`.
 * @public
 */
export const psaAdapterRules: readonly KitRule<PsaAdapterSubject>[] = [
  ...lookupRules,
  ...psaListingRules,
  ...psaNoteRules,
];

/**
 * The shared test suite every {@link PsaAdapter} must pass, one test per rule; a rule whose capability, fixture or
 * fault hook is missing shows as skipped. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runPsaAdapterConformance } from '@qdesk/core/testing';
 * const fake = await startMyPsaFake();
 * runPsaAdapterConformance({
 *   name: 'my-psa',
 *   create: () => createMyPsaAdapter({ baseUrl: fake.url }),
 *   capabilities: { writeNotes: true, listRecords: true },
 *   fixtures: { readyTicketId: '1', readyContactEmail: 'ana@northwind.example', ticketWithoutContactId: '2',
 *     unknownTicketId: '999999', unknownContactId: '999999', companyCount: 3, contactCount: 700, pageSize: 500,
 *     filterCompany: { id: '101', contactCount: 2 } },
 *   inspect: { notes: async (ticketId) => fake.notes(ticketId) },
 *   faults: { failNext: (operation) => fake.failNext(operation), loseNextNoteAnswer: () => fake.loseNextAnswer() },
 * });
 * ```
 * @public
 */
export function runPsaAdapterConformance(options: PsaAdapterConformanceOptions): void {
  registerRules(`PsaAdapter conformance: ${options.name}`, psaAdapterRules, psaAdapterHarness(options), {
    timeoutMs: options.timeoutMs ?? 60_000,
    has: psaAdapterHas(options),
  });
}

/**
 * The harness {@link runPsaAdapterConformance} runs the rules with: one adapter per rule. For `checkRules`.
 * @internal
 */
export function psaAdapterHarness(options: PsaAdapterConformanceOptions): KitHarness<PsaAdapterSubject> {
  return {
    create: async () => ({
      adapter: await options.create(),
      capabilities: options.capabilities,
      fixtures: options.fixtures,
      countsTotal: options.countsTotal ?? true,
      inspect: options.inspect,
      faults: options.faults ?? null,
    }),
    cleanup: (subject) => options.cleanup?.(subject.adapter),
  };
}

/**
 * What the rules may rely on, for `checkRules`' `has` argument: the expected capabilities and the fault hooks.
 * @internal
 */
export function psaAdapterHas(
  options: Pick<PsaAdapterConformanceOptions, 'capabilities' | 'faults'>,
): (need: string) => boolean {
  return needsFrom({
    writeNotes: options.capabilities.writeNotes,
    listRecords: options.capabilities.listRecords,
    faults: options.faults !== undefined,
  });
}
