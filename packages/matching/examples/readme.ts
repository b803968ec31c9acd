import {
  createDemoData,
  createMemoryAuditLog,
  createMemoryDirectory,
  createMemoryPsa,
} from '@qdesk/core/memory';
import {
  confirmSuggestions,
  createMatchingSync,
  createMemoryMappingStore,
  listMatches,
} from '@qdesk/matching';

const { tenantId, customers, endUsers, ...psaData } = createDemoData();
const store = createMemoryMappingStore(); // also the verifier's port: createVerifier({ contactLinks: store, ... })
for (const { id, name, domain } of customers) await store.createCustomer(tenantId, { id, name, domain });
const directory = createMemoryDirectory(endUsers); // any directory with list(tenantId)
const psa = createMemoryPsa(psaData);
await createMatchingSync({ psa, directory, store, tenantId }).run(); // records, end-users, suggestions kept

const actor = { tenantId, technicianId: 'admin-1', technicianName: 'Ada Admin', role: 'admin' as const };
const audit = createMemoryAuditLog(); // each link change is recorded, with its before and after
const companies = await listMatches({ store, tenantId, kind: 'companies', filter: 'suggested' });
const suggestions = companies.rows.flatMap((row) => row.suggestions); // "select all suggested"
await confirmSuggestions({ store, actor, audit, kind: 'companies', suggestions }); // strong ones only
const contacts = await listMatches({ store, tenantId, kind: 'contacts', filter: 'suggested' }); // 50 a page
const people = contacts.rows.flatMap((row) => row.suggestions);
const result = await confirmSuggestions({ store, actor, audit, kind: 'contacts', suggestions: people });
console.log(
  result.confirmed.length,
  result.skipped.map((s) => s.reason),
); // 4 [ 'weak' ]
console.log((await store.endUserForContact(tenantId, '201'))?.endUserId, audit.all().length); // eu-ana 7
