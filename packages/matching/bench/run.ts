// Matching at MSP scale: suggestions for N end-users against N contacts (100 contacts per company, as many customers
// as companies), at N = 1,000 to 1,000,000, with time, memory and how both grow (bench/suggest.ts). Then one page of
// the admin's contacts list at N = 100,000, now and before suggestions were kept. Run: npx tsx --conditions=qdesk-source bench/run.ts
import { createMemoryMappingStore, listMatches, matchEndUser, rebuildSuggestions } from '@qdesk/matching';
import { before, beforeNote } from '../../../bench/before.js';
import { listMatches as listMatchesBefore } from './before-list/list-matches.js';
import { runSuggestionBench } from './suggest.js';

console.log('QDesk matching benchmark (Node %s, %s)', process.version, process.arch);
console.log(`${beforeNote}\n`);

// 1. Suggestions at N = 1,000 to 1,000,000, before and now (bench/suggest.ts); it hands on the 100,000 records.
const largest = runSuggestionBench();

// 2. The admin's contacts tab at 100,000 on the memory store: one page now (kept suggestions, keyset paging) and the
// same page as it was (every record read and every suggestion recomputed on each page), in this run. The same page on
// PostgreSQL and PGlite, with webhook changes, is in @qdesk/store-postgres's bench.
const data = largest;
const store = createMemoryMappingStore();
for (const { tenantId, ...customer } of data.customers) await store.createCustomer(tenantId, customer);
for (const { tenantId, ...link } of data.links) await store.linkCompany(tenantId, link);
const checkpoint = {
  runId: 'bench',
  phase: 'contacts' as const,
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 0,
  updatedAt: 0,
  completedAt: null,
};
await store.saveSyncBatch('bench', { checkpoint, companies: data.companies, contacts: data.contacts });
await store.saveEndUsers('bench', { put: data.endUsers.map(matchEndUser) });
let t0 = performance.now();
await rebuildSuggestions({ store, tenantId: 'bench' });
const rebuildMs = performance.now() - t0;
const query = { store, tenantId: 'bench', kind: 'contacts', limit: 50 } as const;
await listMatches({ ...query, filter: 'all' }); // sorts the listing once, as the first page after a sync does
const times: number[] = [];
let page = await listMatches({ ...query, filter: 'suggested' });
for (let i = 0; i < 100 && page.next; i++) {
  t0 = performance.now();
  page = await listMatches({ ...query, filter: 'suggested', after: page.next });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const was: number[] = [];
for (let i = 0; i < 3; i++) {
  t0 = performance.now();
  await listMatchesBefore({ ...query, filter: 'suggested', endUsers: data.endUsers });
  was.push(performance.now() - t0);
}
was.sort((a, b) => a - b);
console.log(
  `2. listMatches, contacts tab, filter suggested, pages of 50 at ${data.contacts.length.toLocaleString('en-US')} contacts (memory store)`,
);
console.log(`   rebuild of every suggestion (once, after a sync): ${rebuildMs.toFixed(0)} ms`);
console.log(
  `   one page now: p50 ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, p99 ${times[Math.ceil(times.length * 0.99) - 1]!.toFixed(2)} ms` +
    ` (counts: ${JSON.stringify(page.counts)})`,
);
console.log(
  `   one page before suggestions were kept: ${was[1]!.toFixed(0)} ms (median of 3)${before('matching.list_ms')}`,
);
