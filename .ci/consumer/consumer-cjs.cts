// The same packages seen from CommonJS (the `require` conditions and their .d.cts typings).
import { createVerifier } from '@qdesk/core';
import { transition } from '@qdesk/core/machine';
import { createMemoryDirectory } from '@qdesk/core/memory';
import { createMemoryMappingStore } from '@qdesk/matching';
import { migrate } from '@qdesk/store-postgres';
import { createPgDatabase } from '@qdesk/store-postgres/pg';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';

export const cjs = [
  createVerifier,
  transition,
  createMemoryDirectory,
  createMemoryMappingStore,
  migrate,
  createPgDatabase,
  createPgliteDatabase,
];
