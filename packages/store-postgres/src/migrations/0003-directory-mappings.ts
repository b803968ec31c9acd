import type { Migration } from './index.js';

// PLACEHOLDER: filled in by the work on this migration.
export const directoryMappingsMigration: Migration = {
  name: '0003-directory-mappings',
  statements: [],
};
