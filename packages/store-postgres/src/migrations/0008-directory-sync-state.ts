import type { Migration } from './index.js';

// Where each customer's directory sync (Microsoft Entra ID or Active Directory) stands, shared by every app instance:
// the state to resume from (the sync engine's JSON: a cursor, whether a full read is under way, whom it has seen),
// the running summary of the run under way, the last run's summary, start, end and error, when the last full read
// ended, and a lease (owner and expiry) so two instances never run the same source at once. A lease past its expiry
// was abandoned (a crashed instance) and may be claimed again.
export const directorySyncStateMigration: Migration = {
  name: '0008-directory-sync-state',
  statements: [
    `CREATE TABLE qdesk_directory_syncs (
      tenant_id text NOT NULL,
      customer_id text NOT NULL,
      source_kind text NOT NULL CHECK (source_kind IN ('entra', 'ldap')),
      state jsonb,
      progress jsonb,
      summary jsonb,
      last_started_at bigint,
      last_finished_at bigint,
      last_full_at bigint,
      last_error text,
      lease_owner text,
      running_since bigint,
      lease_expires_at bigint,
      PRIMARY KEY (tenant_id, customer_id, source_kind),
      CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL) AND (lease_owner IS NULL) = (running_since IS NULL))
    )`,
  ],
};
