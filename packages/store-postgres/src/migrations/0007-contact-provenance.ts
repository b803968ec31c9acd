import type { Migration } from './index.js';

// Where an end-user's email and mobile phone came from (identity provider MFA methods, directory, SCIM, PSA, manual)
// and when a sync saw each change: `{ email?: { source, changedAt }, mobilePhone?: { source, changedAt } }`. Rows
// from before have none.
export const contactProvenanceMigration: Migration = {
  name: '0007-contact-provenance',
  statements: ['ALTER TABLE qdesk_end_users ADD COLUMN provenance jsonb'],
};
