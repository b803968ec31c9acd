import type { Migration } from './index.js';

// The reference app's sign-in sessions (technicians and end-users). The id is a SHA-256 of the cookie's random token,
// never the token itself. A revoked session is deleted, so only expiry needs a column; the idle expiry never passes
// the absolute one (the CHECK), so the purge and the reads need only `idle_expires_at` for "still alive".
export const signInsMigration: Migration = {
  name: '0005-sign-ins',
  statements: [
    `CREATE TABLE qdesk_sign_in_sessions (
      id text PRIMARY KEY,
      tenant_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('technician', 'end_user')),
      subject text NOT NULL,
      name text,
      role text CHECK (role IN ('technician', 'admin')),
      created_at bigint NOT NULL,
      last_seen_at bigint NOT NULL,
      idle_expires_at bigint NOT NULL,
      absolute_expires_at bigint NOT NULL,
      CHECK (idle_expires_at <= absolute_expires_at)
    )`,
    'CREATE INDEX qdesk_sign_in_sessions_subject ON qdesk_sign_in_sessions (tenant_id, kind, subject)',
    'CREATE INDEX qdesk_sign_in_sessions_expiry ON qdesk_sign_in_sessions (idle_expires_at)',
  ],
};
