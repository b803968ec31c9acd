// `pnpm qdesk match`: reads every company and contact from the PSA through the matching sync, with a progress
// bar, then prints what matching suggests. With no Autotask variables it runs against the local Autotask fake.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { createDemoData } from '@qdesk/core/memory';
import {
  createMatchingSync,
  createMemoryMappingStore,
  type MatchingSyncProgress,
  suggestCompanyMatches,
  suggestContactMatches,
} from '@qdesk/matching';

const USAGE = `Usage: pnpm qdesk match [--contacts N] [--out FILE]

  Reads companies and contacts from Autotask (AUTOTASK_USERNAME, AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE,
  optional AUTOTASK_ZONE_URL) or, with none of those set, from the local Autotask fake with demo data.
  --contacts N   demo only: how many generated contacts the fake holds (default 400)
  --out FILE     also write the records read and the suggestions as JSON`;

function bar(progress: MatchingSyncProgress, width = 30): string {
  const ratio = progress.total ? Math.min(1, progress.done / progress.total) : 0;
  const filled = Math.round(ratio * width);
  const total = progress.total === null ? '?' : String(progress.total);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.phase.padEnd(9)} ${String(progress.done).padStart(6)}/${total} ${progress.total ? `${Math.round(ratio * 100)}%` : ''}`;
}

async function match(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { contacts: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const generated = values.contacts === undefined ? 400 : Number(values.contacts);
  if (!Number.isInteger(generated) || generated < 0 || generated > 200_000) {
    console.error('--contacts must be a whole number from 0 to 200000.');
    return 2;
  }
  const real = process.env.AUTOTASK_USERNAME !== undefined;
  const fake = real ? null : await startAutotaskFake({ contacts: generated });
  try {
    const psa = real
      ? createAutotaskAdapter({
          username: process.env.AUTOTASK_USERNAME!,
          secret: process.env.AUTOTASK_SECRET ?? '',
          integrationCode: process.env.AUTOTASK_INTEGRATION_CODE ?? '',
          ...(process.env.AUTOTASK_ZONE_URL ? { zoneUrl: process.env.AUTOTASK_ZONE_URL } : {}),
        })
      : createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneUrl: fake!.zoneUrl });
    const demo = createDemoData();
    const tenantId = real ? (process.env.QDESK_TENANT_ID ?? 'default') : demo.tenantId;
    // Demo: the demo MSP's customers, so company suggestions have something to match.
    const store = createMemoryMappingStore();
    for (const { tenantId: owner, ...customer } of real ? [] : demo.customers)
      await store.createCustomer(owner, customer);
    const tty = process.stderr.isTTY;
    let lastLine = '';
    const onProgress = (p: MatchingSyncProgress) => {
      const line = bar(p);
      if (tty) process.stderr.write(`\r${line}`);
      else if (line.slice(0, 44) !== lastLine.slice(0, 44)) {
        // Without a terminal, a line only when the bar or the phase moves keeps logs short.
        process.stderr.write(`${line}\n`);
      }
      lastLine = line;
    };
    const sync = createMatchingSync({ psa, store, tenantId });
    const started = Date.now();
    const summary = await sync.run({ onProgress });
    if (tty) process.stderr.write('\n');

    const companies = await store.listCompanies(tenantId);
    const contacts = await store.listContacts(tenantId);
    const customers = await store.listCustomers(tenantId);
    const companySuggestions = suggestCompanyMatches(companies, customers, []);
    // Contacts are suggested within matched companies: count what the strong company suggestions would give.
    const companyLinks = companySuggestions
      .filter((s) => s.strength === 'strong' && !s.tie && s.conflicts.length === 0)
      .map((s) => ({
        tenantId,
        companyId: s.companyId,
        customerId: s.customerId,
        confirmedBy: { id: 'cli', name: 'qdesk match' },
        confirmedAt: started,
      }));
    const endUsers = real ? [] : demo.endUsers;
    const contactSuggestions = suggestContactMatches(contacts, endUsers, { companyLinks });
    const count = (list: readonly { strength: string; tie: boolean; conflicts: readonly unknown[] }[]) => ({
      strong: list.filter((s) => s.strength === 'strong' && !s.tie && !s.conflicts.length).length,
      weak: list.filter((s) => s.strength === 'weak' && !s.tie && !s.conflicts.length).length,
      ties: list.filter((s) => s.tie).length,
      conflicts: list.filter((s) => s.conflicts.length > 0).length,
    });
    const c1 = count(companySuggestions);
    const c2 = count(contactSuggestions);
    console.log(
      `Read ${summary.companies} companies and ${summary.contacts} contacts from ${real ? 'Autotask' : 'the local Autotask fake'} in ${((Date.now() - started) / 1000).toFixed(1)} s${summary.skipped.length ? ` (${summary.skipped.length} malformed records skipped)` : ''}.`,
    );
    console.log('');
    console.log('                 strong   weak   ties   conflicts');
    console.log(
      `companies      ${String(c1.strong).padStart(8)} ${String(c1.weak).padStart(6)} ${String(c1.ties).padStart(6)} ${String(c1.conflicts).padStart(11)}`,
    );
    console.log(
      `contacts       ${String(c2.strong).padStart(8)} ${String(c2.weak).padStart(6)} ${String(c2.ties).padStart(6)} ${String(c2.conflicts).padStart(11)}`,
    );
    console.log('');
    console.log('Confirm them on /admin/matching in the app (strong suggestions can be confirmed in bulk).');
    if (values.out) {
      writeFileSync(
        values.out,
        JSON.stringify({ summary, companies, contacts, companySuggestions, contactSuggestions }, null, 2),
      );
      console.log(`Wrote ${values.out}.`);
    }
    return 0;
  } finally {
    await fake?.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'match') {
  console.error(USAGE);
  process.exit(2);
}
match(rest).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`qdesk match failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
