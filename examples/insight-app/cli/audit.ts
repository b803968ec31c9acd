// `pnpm qdesk audit verify|export`: checks the tamper-evident audit trail, or writes it out for an auditor or a SIEM.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import {
  type AuditChainReport,
  exportAudit,
  verifyAllAuditChains,
  verifyAuditChain,
} from '@qdesk/store-postgres';
import { readStoreEnv } from '../src/config.js';
import { openStores, storeChoiceOf } from '../src/stores.js';

export const AUDIT_USAGE = `pnpm qdesk audit verify [--tenant ID | --all]
  Walks the tenant's hash chain and names the first record that was altered, removed or reordered (exit 1).
pnpm qdesk audit export --format jsonl|cef [--since TIME] [--until TIME] [--customer ID] [--out FILE] [--tenant ID]
  Writes the trail as JSON lines (with each record's hashes, verifiable offline) or CEF for syslog / a SIEM.
  TIME is ISO 8601 (2026-11-01 or 2026-11-01T09:00:00Z); --since is inclusive, --until exclusive. The tenant is
  QDESK_TENANT_ID unless --tenant names one.`;

const timeOf = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new UsageError(`${flag} ${JSON.stringify(value)}: use ISO 8601, such as 2026-11-01T09:00:00Z.`);
  return at;
};

class UsageError extends Error {}

/** The CEF header's product version: the audit trail's own package. */
const { version } = createRequire(import.meta.url)('@qdesk/store-postgres/package.json') as {
  version: string;
};

function describe(report: AuditChainReport): string {
  if (report.ok) {
    return `tenant ${report.tenantId}: ${report.records} records, chain intact. Head hash ${report.headHash} (write it down: a later verify with it proves nothing before it was rewritten).`;
  }
  return `tenant ${report.tenantId}: CHAIN BROKEN after ${report.records} good records. ${report.firstProblem!.message}`;
}

export async function audit(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      customer: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (sub !== 'verify' && sub !== 'export') {
    console.error(AUDIT_USAGE);
    return 2;
  }
  let since: number | undefined;
  let until: number | undefined;
  try {
    since = timeOf('--since', values.since);
    until = timeOf('--until', values.until);
    if (sub === 'export' && values.format !== 'jsonl' && values.format !== 'cef') {
      throw new UsageError('--format must be jsonl or cef.');
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const env = readStoreEnv();
  const tenantId = values.tenant ?? env.QDESK_TENANT_ID;
  const stores = await openStores(storeChoiceOf(env), { migrations: 'skip' });
  try {
    const database = stores.database!;
    if (sub === 'verify') {
      const started = Date.now();
      const reports = values.all
        ? await verifyAllAuditChains(database)
        : [await verifyAuditChain(database, { tenantId })];
      for (const report of reports) console.log(describe(report));
      const records = reports.reduce((n, r) => n + r.records, 0);
      console.log(
        `Checked ${records} records in ${((Date.now() - started) / 1000).toFixed(1)} s (${stores.where}).`,
      );
      return reports.every((r) => r.ok) ? 0 : 1;
    }
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    };
    const summary = await exportAudit(database, {
      tenantId,
      format: values.format as 'jsonl' | 'cef',
      write,
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(values.customer ? { customerId: values.customer } : {}),
      deviceVersion: version,
    });
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    console.error(
      `Exported ${summary.records} records of tenant ${tenantId} as ${values.format}${values.out ? ` to ${values.out}` : ''}.`,
    );
    return 0;
  } finally {
    await stores.close();
  }
}
