// Type-checked by run.sh under module NodeNext with skipLibCheck false, against the packed packages: a partner's
// view of every entry. It must compile; it is not run.
import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { createConsoleChannel } from '@qdesk/channels/console';
import { createTwilioSms } from '@qdesk/channels/twilio';
import {
  type Channel,
  createVerifier,
  type EndUserDirectory,
  isQdeskError,
  type PsaAdapter,
  type Verifier,
  type VerifierEventMap,
} from '@qdesk/core';
import { type TransitionResult, transition } from '@qdesk/core/machine';
import { createDemoData, createMemoryDirectory, createMemoryPsa } from '@qdesk/core/memory';
import { formatVerificationNote, type PsaContact, verificationNoteMarker } from '@qdesk/core/ports';
import { checkRules, runPsaAdapterConformance, sessionStoreRules } from '@qdesk/core/testing';
import { createMemoryMappingStore, suggestContactMatches } from '@qdesk/matching';
import { mappingStoreRules } from '@qdesk/matching/testing';
import { createPostgresStores, type EventBus, migrate, verifyAuditChain } from '@qdesk/store-postgres';
import { createPgDatabase, createPgEventBus } from '@qdesk/store-postgres/pg';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';

const halo: PsaAdapter = {
  specificationVersion: 'v1',
  name: 'halo',
  capabilities: { writeNotes: false, listRecords: false },
  getTicketContext: async () => null,
  getContact: async (): Promise<PsaContact | null> => null,
};
const directory: EndUserDirectory = createMemoryDirectory(createDemoData().endUsers);
const sms: Channel = createConsoleChannel('sms');
const verifier: Verifier = createVerifier({
  secret: 'a-consumer-secret-of-32-characters-or-more',
  directory,
  psa: halo,
  contactLinks: createMemoryMappingStore(),
  channels: { sms },
});
verifier.events.on('session.approved', (e: VerifierEventMap['session.approved']) => e.approvedBy);

// The durable stores, as an app wires them: PGlite embedded, or PostgreSQL with the event bus across instances.
export async function durable(url: string | null): Promise<Verifier> {
  const database = url
    ? createPgDatabase({ connectionString: url })
    : await createPgliteDatabase({ dataDir: './data' });
  await migrate(database);
  const { sessions, counters, audit, policies, mappings } = createPostgresStores(database);
  const bus: EventBus | null = url ? await createPgEventBus({ connectionString: url }) : null;
  bus?.subscribe((event) => event.payload.sessionId);
  await verifyAuditChain(database, { tenantId: 'msp-1' });
  return createVerifier({
    secret: 'a-consumer-secret-of-32-characters-or-more',
    directory,
    store: sessions,
    counters,
    audit,
    policies,
    contactLinks: mappings,
  });
}
export const partsInUse = [
  createAutotaskAdapter,
  startAutotaskFake,
  createTwilioSms,
  createMemoryPsa,
  formatVerificationNote,
  verificationNoteMarker,
  isQdeskError,
  suggestContactMatches,
  runPsaAdapterConformance,
  checkRules,
  sessionStoreRules.length,
  mappingStoreRules.length,
  transition as (...args: Parameters<typeof transition>) => TransitionResult,
];
