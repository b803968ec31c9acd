// `pnpm qdesk directory sync`: runs the customers' directory sources (QDESK_DIRECTORY_SOURCES_FILE) now, into the
// app's database, with a progress line per page and what each run did. It takes the same lease as the app's schedule,
// so it never runs a source an app instance is running, and it resumes where a failed run stopped.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createDemoData, systemClock } from '@qdesk/core/memory';
import { auditSyncRequest, countsText } from '../src/admin-directory.js';
import { readStoreEnv } from '../src/config.js';
import { seedDemoCustomers } from '../src/demo-setup.js';
import { readDirectorySources } from '../src/directory-sources.js';
import { appDirectorySync, type DirectorySync } from '../src/directory-sync.js';
import type { DirectorySyncCounts } from '../src/directory-sync-status.js';
import { openStores, storeChoiceOf } from '../src/stores.js';
import { utc } from '../src/time.js';

export const DIRECTORY_USAGE = `pnpm qdesk directory sync [--customer ID] [--full]
  Reads each customer's Microsoft Entra ID or Active Directory (the sources QDESK_DIRECTORY_SOURCES_FILE lists) into
  the app's database now: what changed since the last run, or where a failed run stopped. Exit 1 when a run fails.
  --customer ID   only this customer's source
  --full          read everyone (a full read also removes whoever the source no longer holds)`;

const KIND = { entra: 'Microsoft Entra ID', ldap: 'Active Directory' } as const;

const progressLine = (customerId: string, c: DirectorySyncCounts) =>
  `${customerId}: ${c.full ? 'full read' : 'changes'}, page ${c.pages}: ${c.created} created, ${c.updated} updated, ${c.disabled} disabled, ${c.skipped} skipped`;

export async function directory(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { customer: { type: 'string' }, full: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(DIRECTORY_USAGE);
    return 0;
  }
  if (subcommand !== 'sync') {
    console.error(DIRECTORY_USAGE);
    return 2;
  }
  const file = process.env.QDESK_DIRECTORY_SOURCES_FILE;
  if (!file) {
    console.error(
      'Set QDESK_DIRECTORY_SOURCES_FILE to the JSON file listing each customer\'s directory source (see the app\'s README, "Directory sources").',
    );
    return 2;
  }
  const all = readDirectorySources(file);
  const sources = values.customer ? all.filter((s) => s.customerId === values.customer) : all;
  if (sources.length === 0) {
    console.error(
      values.customer
        ? `No source for customer ${values.customer} in ${file}; it lists ${all.map((s) => s.customerId).join(', ') || 'none'}.`
        : `${file} lists no source.`,
    );
    return 2;
  }
  const env = readStoreEnv();
  const demo = env.AUTOTASK_USERNAME === undefined ? createDemoData() : null;
  const tenantId = demo ? demo.tenantId : env.QDESK_TENANT_ID;
  const stores = await openStores(storeChoiceOf(env), { migrations: 'run' });
  let sync: DirectorySync | null = null;
  try {
    // Demo: the demo MSP's customers, as the app seeds them, so a source can name one.
    if (demo) await seedDemoCustomers(stores.mappings, demo.customers);
    sync = appDirectorySync(stores, sources, { tenantId, clock: systemClock });
    const operator = userInfo().username;
    const actor = { type: 'technician', id: `cli:${operator}`, name: `${operator} (qdesk CLI)` } as const;
    const tty = process.stderr.isTTY;
    let failed = 0;
    for (const source of sources) {
      const { customerId } = source;
      const started = Date.now();
      const onProgress = (counts: DirectorySyncCounts) =>
        process.stderr.write(
          tty ? `\r${progressLine(customerId, counts)}` : `${progressLine(customerId, counts)}\n`,
        );
      const audit = (result: 'started' | 'running') =>
        auditSyncRequest(stores.audit, {
          tenantId,
          at: started,
          actor,
          customerId,
          kind: source.kind,
          full: values.full === true,
          result,
        });
      try {
        const outcome = await sync.run(customerId, { full: values.full === true, onProgress });
        if (tty) process.stderr.write('\n');
        await audit(outcome.ran ? 'started' : 'running');
        if (!outcome.ran) {
          const since = outcome.runningSince === null ? '' : ` (since ${utc(outcome.runningSince)})`;
          console.error(
            `${customerId}: a sync of this source is running already${since}; run again once it ends.`,
          );
          failed++;
          continue;
        }
        const { counts } = outcome;
        console.log(
          `${customerId} (${KIND[source.kind]}): ${counts.full ? 'full read' : 'changes only'}, ${counts.pages} pages in ${((Date.now() - started) / 1000).toFixed(1)} s: ${countsText(counts)}.`,
        );
        for (const warning of counts.warnings) console.log(`  note: ${warning}`);
      } catch (error) {
        if (tty) process.stderr.write('\n');
        await audit('started');
        console.error(`${customerId}: ${error instanceof Error ? error.message : String(error)}`);
        failed++;
      }
    }
    if (failed === 0) console.log(`Into ${stores.where}.`);
    return failed > 0 ? 1 : 0;
  } finally {
    await sync?.stop();
    await stores.close();
  }
}
