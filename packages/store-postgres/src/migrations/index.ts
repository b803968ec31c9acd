import { sessionsMigration } from './0001-sessions.js';
import { countersPoliciesMigration } from './0002-counters-policies.js';
import { directoryMappingsMigration } from './0003-directory-mappings.js';
import { auditMigration } from './0004-audit.js';
import { signInsMigration } from './0005-sign-ins.js';
import { signInEmailMigration } from './0006-sign-in-email.js';
import { contactProvenanceMigration } from './0007-contact-provenance.js';
import { directorySyncStateMigration } from './0008-directory-sync-state.js';
import { scimUsersMigration } from './0009-scim-users.js';
import { keptSuggestionsMigration } from './0010-kept-suggestions.js';

/** One forward-only schema change: statements run in order, in the transaction of {@link migrate}. @internal */
export interface Migration {
  /** Sortable and never renamed: the migrations table records it. */
  name: string;
  /** One SQL statement each (a function body may hold semicolons, so they are not split). */
  statements: readonly string[];
}

/** Every migration, oldest first. A new one is appended; a released one is never edited. @internal */
export const MIGRATIONS: readonly Migration[] = [
  sessionsMigration,
  countersPoliciesMigration,
  directoryMappingsMigration,
  auditMigration,
  signInsMigration,
  signInEmailMigration,
  contactProvenanceMigration,
  directorySyncStateMigration,
  scimUsersMigration,
  keptSuggestionsMigration,
];
