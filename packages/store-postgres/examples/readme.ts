import { createVerifier } from '@qdesk/core';
import { createDemoData, createOutboxChannel } from '@qdesk/core/memory';
import { createPostgresStores, migrate, verifyAuditChain } from '@qdesk/store-postgres';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';

// PGlite in memory here; give it a folder ({ dataDir: './data' }) to keep everything, or use createPgDatabase.
const database = await createPgliteDatabase();
await migrate(database); // forward-only, safe at every start
const { sessions, counters, audit, policies, directory, mappings } = createPostgresStores(database);
const { tenantId, endUsers } = createDemoData();
await directory.putMany(endUsers);

const sms = createOutboxChannel('sms');
const verifier = createVerifier({
  secret: 'a-server-key-of-at-least-32-characters',
  channels: { sms },
  store: sessions,
  contactLinks: mappings,
  directory,
  counters,
  audit,
  policies,
});
const actor = { tenantId, technicianId: 'tech-1', technicianName: 'Sam Rivera' };
const { session } = await verifier.startForEndUser({ actor, endUserId: 'eu-ana' });
await verifier.send({ actor, sessionId: session.id, method: 'sms' });
const message = sms.last()!.message;
const code = message.route === 'sms' && 'code' in message.context ? message.context.code : '';
console.log((await verifier.checkCode({ actor, sessionId: session.id, code })).session.status); // approved

const report = await verifyAuditChain(database, { tenantId }); // every record hash-chained to the one before
console.log(report.ok, report.records); // true 4 (start, send, check_code, outcome)
await database.close();
