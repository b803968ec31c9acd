import type { VerificationSession } from '@qdesk/core/machine';
import { runSessionStoreConformance } from '@qdesk/core/testing';
import { testDatabases } from './_databases.test-helpers.js';
import { createPostgresSessionStore } from './session-store.js';

for (const db of testDatabases()) {
  runSessionStoreConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresSessionStore(await db.fresh()),
    inspect: {
      async session(tenantId, sessionId) {
        const { rows } = await (await db.database()).query<{ data: VerificationSession }>(
          'SELECT data FROM qdesk_sessions WHERE tenant_id = $1 AND id = $2',
          [tenantId, sessionId],
        );
        return rows[0]?.data ?? null;
      },
    },
  });
}
