// `pnpm qdesk <command>`: the reference app's operator commands, on the database the app runs on (DATABASE_URL, else
// PGlite in QDESK_DATA_DIR, else the demo's data folder).

import { AUDIT_USAGE, audit } from './audit.js';
import { DIRECTORY_USAGE, directory } from './directory.js';
import { MATCH_USAGE, match } from './match.js';
import { MIGRATE_USAGE, migrateCommand } from './migrate.js';
import { SEED_USAGE, seed } from './seed.js';

const USAGE = `Usage: pnpm qdesk <command>

${MIGRATE_USAGE}

${AUDIT_USAGE}

${MATCH_USAGE}

${SEED_USAGE}

${DIRECTORY_USAGE}`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  match,
  seed,
  migrate: migrateCommand,
  audit,
  directory,
};

const [command, ...rest] = process.argv.slice(2);
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
run(rest).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`qdesk ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
