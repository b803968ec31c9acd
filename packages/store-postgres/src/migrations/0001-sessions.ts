import type { Migration } from './index.js';

// Sessions are stored whole as JSON (the machine's tagged union changes shape by status); the columns beside it are
// what the queries filter and sort on. Times are epoch milliseconds, as in core.
export const sessionsMigration: Migration = {
  name: '0001-sessions',
  statements: [
    `CREATE TABLE qdesk_sessions (
      tenant_id text NOT NULL,
      id text NOT NULL,
      version integer NOT NULL,
      open boolean NOT NULL,
      end_user_id text NOT NULL,
      ticket_id text,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      drop_at bigint NOT NULL,
      data jsonb NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    'CREATE INDEX qdesk_sessions_active ON qdesk_sessions (tenant_id, end_user_id) WHERE open',
    `CREATE INDEX qdesk_sessions_ticket ON qdesk_sessions (tenant_id, ticket_id, created_at DESC)
      WHERE ticket_id IS NOT NULL`,
    'CREATE INDEX qdesk_sessions_due ON qdesk_sessions (expires_at) WHERE open',
    'CREATE INDEX qdesk_sessions_drop ON qdesk_sessions (drop_at)',
  ],
};
