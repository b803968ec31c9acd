/** The listing rules of the PSA adapter kit (they need `capabilities.listRecords`). */
import type { ListOptions, ListProgress, PsaAdapter, PsaCompany, PsaContact } from '../ports/psa.js';
import { show } from './_helpers.js';
import { type KitRule, must } from './kit.js';
import type { PsaAdapterSubject, PsaConformanceFixtures } from './psa-adapter-conformance.js';

type Kind = 'companies' | 'contacts';

interface Listing<T> {
  records: T[];
  /** Each progress report, with how many records the caller had received when it came. */
  progress: Array<ListProgress & { seen: number }>;
}

async function list(
  adapter: PsaAdapter,
  kind: 'companies',
  options?: ListOptions,
): Promise<Listing<PsaCompany>>;
async function list(
  adapter: PsaAdapter,
  kind: 'contacts',
  options?: ListOptions,
): Promise<Listing<PsaContact>>;
async function list(adapter: PsaAdapter, kind: Kind, options: ListOptions = {}) {
  const method: ((options?: ListOptions) => AsyncIterable<{ id: string }>) | undefined =
    kind === 'companies' ? adapter.listCompanies : adapter.listContacts;
  must(
    method,
    `capabilities.listRecords is expected, but list${kind === 'companies' ? 'Companies' : 'Contacts'}() is missing.`,
  );
  const records: Array<{ id: string }> = [];
  const progress: Listing<unknown>['progress'] = [];
  const onProgress = (p: ListProgress) => {
    progress.push({ done: p.done, total: p.total, seen: records.length });
  };
  for await (const record of method.call(adapter, { ...options, onProgress })) records.push(record);
  return { records, progress };
}

/** A listing fixture, or a violation saying it is needed. */
function fixture<K extends 'companyCount' | 'contactCount' | 'pageSize' | 'filterCompany'>(
  fixtures: PsaConformanceFixtures,
  key: K,
): NonNullable<PsaConformanceFixtures[K]> {
  const value = fixtures[key];
  must(
    value !== undefined,
    `fixtures.${key} is missing; the listing rules need it when listRecords is declared.`,
  );
  return value as NonNullable<PsaConformanceFixtures[K]>;
}

/** Checks one full listing: every record once, ascending by numeric id. */
function mustListEveryRecordOnce(kind: Kind, records: Array<{ id: string }>, expected: number) {
  must(
    records.length === expected,
    `list${kind === 'companies' ? 'Companies' : 'Contacts'}() yielded ${records.length} ${kind}; the fixtures say ${expected}. Follow every page to the end.`,
  );
  const seen = new Set<string>();
  for (let i = 0; i < records.length; i++) {
    const id = records[i]!.id;
    must(!seen.has(id), `${kind} id ${id} was yielded twice; page by id (id > last id), not by offset.`);
    seen.add(id);
    must(
      i === 0 || Number(id) > Number(records[i - 1]!.id),
      `${kind} come out of order: id ${id} after id ${records[i - 1]?.id}; sort by numeric id, ascending.`,
    );
  }
}

/** Checks the progress reports of one full listing of `count` records in pages of `pageSize`. */
function mustReportEachPage(
  kind: Kind,
  listing: Listing<unknown>,
  count: number,
  pageSize: number,
  countsTotal: boolean,
) {
  const { progress } = listing;
  const pages = Math.ceil(count / pageSize);
  must(
    progress.length === pages || (count === 0 && progress.length <= 1),
    `listing ${count} ${kind} in pages of ${pageSize} called onProgress ${progress.length} times; call it once after each of the ${pages} pages.`,
  );
  for (const [i, p] of progress.entries()) {
    must(
      p.done === p.seen,
      `onProgress reported done ${p.done} when ${p.seen} ${kind} had been yielded; done counts the records yielded so far.`,
    );
    must(
      i === 0 || p.done > progress[i - 1]!.done,
      `onProgress done went from ${progress[i - 1]?.done} to ${p.done}; it must grow with each page.`,
    );
    must(
      countsTotal ? p.total === count : p.total === null || p.total === count,
      `onProgress reported total ${show(p.total)} while listing ${count} ${kind}; report the PSA's count${countsTotal ? '' : ' (or null)'}.`,
    );
  }
  must(
    progress.at(-1)?.done === count || count === 0,
    `the last onProgress says done ${progress.at(-1)?.done}; expected ${count}.`,
  );
}

/** The listing rules of the PSA adapter kit. */
export const psaListingRules: readonly KitRule<PsaAdapterSubject>[] = [
  {
    name: 'lists every company once, ascending by numeric id',
    needs: 'listRecords',
    async check({ adapter, fixtures }) {
      const { records } = await list(adapter, 'companies');
      mustListEveryRecordOnce('companies', records, fixture(fixtures, 'companyCount'));
    },
  },
  {
    name: 'lists every contact once, ascending by numeric id, with trimmed emails and none empty',
    needs: 'listRecords',
    async check({ adapter, fixtures }) {
      const { records } = await list(adapter, 'contacts');
      mustListEveryRecordOnce('contacts', records, fixture(fixtures, 'contactCount'));
      const bad = records.find(
        (c) =>
          !Array.isArray(c.emails) ||
          c.emails.some((e) => typeof e !== 'string' || e.length === 0 || e !== e.trim()),
      );
      must(
        !bad,
        `contact ${bad?.id} lists emails ${show(bad?.emails)}; trim each one and leave out empty fields.`,
      );
    },
  },
  {
    name: "the companyId filter lists that company's contacts and no others",
    needs: 'listRecords',
    async check({ adapter, fixtures }) {
      const company = fixture(fixtures, 'filterCompany');
      must(
        company.contactCount < fixture(fixtures, 'contactCount'),
        'fixtures.filterCompany holds every contact, so the filter cannot be told from no filter; pick a smaller company.',
      );
      const { records } = await list(adapter, 'contacts', { companyId: company.id });
      const foreign = records.filter((c) => c.companyId !== company.id);
      must(
        foreign.length === 0,
        `listContacts({ companyId: "${company.id}" }) yielded ${foreign.length} contacts of other companies; filter by company in the PSA query.`,
      );
      must(
        records.length === company.contactCount,
        `listContacts({ companyId: "${company.id}" }) yielded ${records.length} contacts; the fixtures say ${company.contactCount}.`,
      );
    },
  },
  {
    name: 'afterId resumes the listing right after that id',
    needs: 'listRecords',
    async check({ adapter, countsTotal }) {
      const { records: all } = await list(adapter, 'contacts');
      const middle = Math.floor(all.length / 2);
      must(
        all.length > 1,
        'the contact listing yielded fewer than two contacts; seed more to test resuming.',
      );
      const rest = await list(adapter, 'contacts', { afterId: all[middle]!.id });
      const expected = all.slice(middle + 1).map((c) => c.id);
      const got = rest.records.map((c) => c.id);
      must(
        got.length === expected.length && got.every((id, i) => id === expected[i]),
        `listContacts({ afterId: "${all[middle]!.id}" }) yielded ${got.length} contacts starting at ${show(got[0])}; expected the ${expected.length} after it, starting at ${show(expected[0])}.`,
      );
      const total = rest.progress.at(-1)?.total;
      must(
        !countsTotal || total === expected.length,
        `a listing resumed after "${all[middle]!.id}" reported total ${show(total)}; count only the records after afterId (${expected.length}).`,
      );
    },
  },
  {
    name: 'onProgress reports once per page, with done as the records yielded and total as the count',
    needs: 'listRecords',
    async check({ adapter, fixtures, countsTotal }) {
      const pageSize = fixture(fixtures, 'pageSize');
      const contactCount = fixture(fixtures, 'contactCount');
      must(
        contactCount > pageSize,
        `fixtures.contactCount (${contactCount}) fits one page of ${pageSize}; seed more contacts so paging is tested.`,
      );
      mustReportEachPage('contacts', await list(adapter, 'contacts'), contactCount, pageSize, countsTotal);
      mustReportEachPage(
        'companies',
        await list(adapter, 'companies'),
        fixture(fixtures, 'companyCount'),
        pageSize,
        countsTotal,
      );
    },
  },
  {
    name: 'the abort signal stops the listing',
    needs: 'listRecords',
    async check({ adapter, fixtures }) {
      const contactCount = fixture(fixtures, 'contactCount');
      const listContacts = adapter.listContacts;
      must(listContacts, 'capabilities.listRecords is expected, but listContacts() is missing.');
      const controller = new AbortController();
      let yielded = 0;
      try {
        for await (const _ of listContacts.call(adapter, { signal: controller.signal })) {
          yielded += 1;
          controller.abort(new Error('conformance: stop'));
        }
      } catch {
        // Rejecting with the signal's reason is the documented way to stop.
      }
      must(yielded > 0, 'the contact listing yielded nothing; check fixtures.contactCount.');
      must(
        yielded < contactCount,
        `after the signal was aborted at the first contact the listing went on to yield all ${yielded}; check signal.aborted before each page and pass the signal to the HTTP client.`,
      );
    },
  },
];
