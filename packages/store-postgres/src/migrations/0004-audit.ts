import type { Migration } from './index.js';

// PLACEHOLDER: filled in by the work on this migration.
export const auditMigration: Migration = {
  name: '0004-audit',
  statements: [],
};
