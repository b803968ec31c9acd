import type { Migration } from './index.js';

// PLACEHOLDER: filled in by the work on this migration.
export const signInsMigration: Migration = {
  name: '0005-sign-ins',
  statements: [],
};
