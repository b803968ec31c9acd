// `pnpm qdesk match`: reads every company and contact from the PSA through the matching sync, with a progress bar,
// into the app's own mapping store (the database the app runs on), then prints what matching suggests. With
// --confirm-strong it confirms the strong suggestions, audited as the operator running it. With no Autotask variables
// it reads the local Autotask fake.
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { createDemoData } from '@qdesk/core/memory';
import {
  confirmSuggestions,
  createMatchingSync,
  type MatchingSyncProgress,
  suggestCompanyMatches,
  suggestContactMatches,
} from '@qdesk/matching';
import { readStoreEnv } from '../src/config.js';
import { seedDemoCustomers } from '../src/demo-setup.js';
import { openStores, storeChoiceOf } from '../src/stores.js';

export const MATCH_USAGE = `Usage: pnpm qdesk match [--contacts N] [--out FILE] [--confirm-strong]

  Reads companies and contacts from Autotask (AUTOTASK_USERNAME, AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE,
  optional AUTOTASK_ZONE_URL) or, with none of those set, from the local Autotask fake with demo data, into the
  app's database (DATABASE_URL, else PGlite in QDESK_DATA_DIR, else the demo's data folder).
  --contacts N       demo only: how many generated contacts the fake holds (default 400)
  --out FILE         also write the records read and the suggestions as JSON
  --confirm-strong   confirm every strong, unambiguous suggestion (audited as you, the operator)`;

function bar(progress: MatchingSyncProgress, width = 30): string {
  const ratio = progress.total ? Math.min(1, progress.done / progress.total) : 0;
  const filled = Math.round(ratio * width);
  const total = progress.total === null ? '?' : String(progress.total);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.phase.padEnd(9)} ${String(progress.done).padStart(6)}/${total} ${progress.total ? `${Math.round(ratio * 100)}%` : ''}`;
}

export async function match(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      contacts: { type: 'string' },
      out: { type: 'string' },
      'confirm-strong': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(MATCH_USAGE);
    return 0;
  }
  const generated = values.contacts === undefined ? 400 : Number(values.contacts);
  if (!Number.isInteger(generated) || generated < 0 || generated > 200_000) {
    console.error('--contacts must be a whole number from 0 to 200000.');
    return 2;
  }
  const env = readStoreEnv();
  const real = env.AUTOTASK_USERNAME !== undefined;
  const demo = createDemoData();
  const tenantId = real ? env.QDESK_TENANT_ID : demo.tenantId;
  const stores = await openStores(storeChoiceOf(env), { migrations: 'run' });
  const fake = real ? null : await startAutotaskFake({ contacts: generated });
  try {
    const psa = real
      ? createAutotaskAdapter({
          username: env.AUTOTASK_USERNAME!,
          secret: process.env.AUTOTASK_SECRET ?? '',
          integrationCode: process.env.AUTOTASK_INTEGRATION_CODE ?? '',
          ...(process.env.AUTOTASK_ZONE_URL ? { zoneUrl: process.env.AUTOTASK_ZONE_URL } : {}),
        })
      : createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneUrl: fake!.zoneUrl });
    const { mappings: store, audit } = stores;
    // Demo: the demo MSP's customers and people, as the app seeds them, so suggestions have something to match.
    if (!real) {
      await seedDemoCustomers(store, demo.customers);
      await stores.directory.putMany(demo.endUsers);
    }
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
    const sync = createMatchingSync({ psa, store, directory: stores.directory, tenantId, audit });
    const started = Date.now();
    const summary = await sync.run({ onProgress });
    if (tty) process.stderr.write('\n');

    const [companies, contacts, customers, endUsers] = await Promise.all([
      store.listCompanies(tenantId),
      store.listContacts(tenantId),
      store.listCustomers(tenantId),
      stores.directory.list(tenantId),
    ]);
    const companySuggestions = suggestCompanyMatches(
      companies,
      customers,
      await store.listCompanyLinks(tenantId),
    );
    // The operator running the command is who confirms: the audit trail names them, as an admin page names its admin.
    const actor = {
      tenantId,
      technicianId: `cli:${userInfo().username}`,
      technicianName: `${userInfo().username} (qdesk CLI)`,
      role: 'admin' as const,
    };
    let confirmed = { companies: 0, contacts: 0 };
    if (values['confirm-strong']) {
      const result = await confirmSuggestions({
        kind: 'companies',
        store,
        audit,
        actor,
        suggestions: companySuggestions,
      });
      confirmed = { ...confirmed, companies: result.confirmed.length };
    }
    // Contacts are suggested within matched companies: confirmed links, or what the strong company suggestions give.
    const companyLinks = values['confirm-strong']
      ? await store.listCompanyLinks(tenantId)
      : [
          ...(await store.listCompanyLinks(tenantId)),
          ...companySuggestions
            .filter((s) => s.strength === 'strong' && !s.tie && s.conflicts.length === 0)
            .map((s) => ({
              tenantId,
              companyId: s.companyId,
              customerId: s.customerId,
              confirmedBy: { id: actor.technicianId, name: actor.technicianName },
              confirmedAt: started,
            })),
        ];
    const contactSuggestions = suggestContactMatches(contacts, endUsers, {
      companyLinks,
      contactLinks: await store.listContactLinks(tenantId),
    });
    if (values['confirm-strong']) {
      const result = await confirmSuggestions({
        kind: 'contacts',
        store,
        audit,
        actor,
        suggestions: contactSuggestions,
      });
      confirmed = { ...confirmed, contacts: result.confirmed.length };
    }
    const count = (list: readonly { strength: string; tie: boolean; conflicts: readonly unknown[] }[]) => ({
      strong: list.filter((s) => s.strength === 'strong' && !s.tie && !s.conflicts.length).length,
      weak: list.filter((s) => s.strength === 'weak' && !s.tie && !s.conflicts.length).length,
      ties: list.filter((s) => s.tie).length,
      conflicts: list.filter((s) => s.conflicts.length > 0).length,
    });
    const c1 = count(companySuggestions);
    const c2 = count(contactSuggestions);
    console.log(
      `Read ${summary.companies} companies and ${summary.contacts} contacts from ${real ? 'Autotask' : 'the local Autotask fake'} in ${((Date.now() - started) / 1000).toFixed(1)} s${summary.skipped.length ? ` (${summary.skipped.length} malformed records skipped)` : ''}, into ${stores.where}.`,
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
    if (values['confirm-strong']) {
      console.log(
        `Confirmed ${confirmed.companies} company and ${confirmed.contacts} contact links as ${actor.technicianName}; the app uses them at once.`,
      );
    } else {
      console.log(
        'Confirm them on /admin/matching in the app, or run again with --confirm-strong to confirm the strong ones.',
      );
    }
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
    await stores.close();
  }
}
