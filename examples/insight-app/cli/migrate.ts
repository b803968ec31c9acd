// `pnpm qdesk migrate`: brings the app's database schema up to this version (the app also does it at start unless
// QDESK_SKIP_MIGRATIONS=1, for deployments that migrate in a release step of their own).
import { parseArgs } from 'node:util';
import { migrate, pendingMigrations } from '@qdesk/store-postgres';
import { readStoreEnv } from '../src/config.js';
import { openDatabase, storeChoiceOf } from '../src/stores.js';

export const MIGRATE_USAGE = `pnpm qdesk migrate [--check]
  Applies every migration the database lacks, in one transaction (forward only).
  --check   only list the pending migrations; exit 1 when there are any`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { check: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(MIGRATE_USAGE);
    return 0;
  }
  const choice = storeChoiceOf(readStoreEnv());
  if (choice.kind === 'memory') throw new Error('Memory stores have no schema.');
  const { database, where } = await openDatabase(choice);
  try {
    if (values.check) {
      const pending = await pendingMigrations(database);
      console.log(
        pending.length
          ? `${where}: ${pending.length} pending: ${pending.join(', ')}.`
          : `${where}: up to date.`,
      );
      return pending.length ? 1 : 0;
    }
    const { applied, current } = await migrate(database);
    console.log(
      applied.length
        ? `${where}: applied ${applied.join(', ')}; the schema is at ${current}.`
        : `${where}: already up to date (${current}).`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
