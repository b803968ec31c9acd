import type { Migration } from './index.js';

// PLACEHOLDER: filled in by the work on this migration.
export const countersPoliciesMigration: Migration = {
  name: '0002-counters-policies',
  statements: [],
};
