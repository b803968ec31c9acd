import type { Migration } from './index.js';

// A technician's sign-in keeps the email their identity provider gave, so a PSA note can be written as them (the
// Autotask adapter finds their resource by it). Older rows have none.
export const signInEmailMigration: Migration = {
  name: '0006-sign-in-email',
  statements: ['ALTER TABLE qdesk_sign_in_sessions ADD COLUMN email text'],
};
