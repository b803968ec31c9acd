// The directory benchmark (issue 14): 20,000 people read and synced from Active Directory over LDAP (a real
// OpenLDAP slapd on 127.0.0.1) and from Microsoft Entra ID (the Microsoft Graph fake), then incremental reads and
// syncs after 0, 10, 100 and 1,000 changes, side by side with what a user would do instead: a plain full read with
// ldapts or fetch, and a full re-sync each time. One table, then a check per source that the incremental cost follows
// the number of changes and not the directory's size (the process exits with 1 when it does not).
// Bounded: fixed sizes, every loop capped, a 240 s overall deadline, and slapd killed at the end.
// Run: pnpm --filter @qdesk/directory bench   (or: cd packages/directory && npx tsx --conditions=qdesk-source bench/run.ts)
import { deadlineIn } from './_measure.js';
import { followsChanges, type Row, runScenario, type ScenarioResult } from './_scenario.js';
import { startEntraBench } from './entra.js';
import { hasSlapd, startLdapBench } from './ldap.js';

const PEOPLE = 20_000;
const ROUNDS = [0, 10, 100, 1_000] as const;
const SHOWN = 100;
const deadline = deadlineIn(240_000);

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kib = (bytes: number) => fmt(Math.round(bytes / 1024));
const pct = (share: number) => `${fmt(share * 100, 1)}%`;

const notes: string[] = [];
const results: ScenarioResult[] = [];
const options = { rounds: ROUNDS, shown: SHOWN, deadline };

if (hasSlapd) {
  const ldap = await startLdapBench(PEOPLE, deadline);
  try {
    results.push(await runScenario(ldap.subject, options));
  } finally {
    await ldap.close();
  }
  notes.push(
    `LDAP: ${fmt(PEOPLE)} people in a local OpenLDAP (loaded offline with slapadd in ${fmt(ldap.seedMs)} ms), pages of ${ldap.pageSize}; ` +
      'requests are a bind, one search request per page and an unbind; KiB is what the server sent (counted by a proxy).',
  );
} else {
  notes.push('LDAP: SKIPPED, no OpenLDAP here (see the message above).');
}

const entra = startEntraBench(PEOPLE, deadline);
results.push(await runScenario(entra, options));
notes.push(
  `Entra: ${fmt(PEOPLE)} users in the Microsoft Graph fake, answering in this process (no network, no Graph latency: ` +
    'time is the client and the fake together; peak RSS includes the fake tenant). The source reads /users/delta in ' +
    'pages of 999 and each user’s MFA phone methods through $batch, 20 per request ("in $batch" counts those ' +
    'sub-requests, which Graph throttles like requests). The alternative reads users only, no MFA phones.',
);

// ---- the table
const header = [
  'source',
  'run',
  'changes',
  'people',
  'time ms',
  'requests',
  'in $batch',
  'pages',
  'KiB recv',
  'peak RSS MiB',
  'peak heap MiB',
  'heap kept MiB',
  'result',
];
const cells = (row: Row) => [
  row.source,
  row.run,
  row.changes === null ? '-' : fmt(row.changes),
  fmt(row.people),
  fmt(row.ms),
  fmt(row.requests),
  row.subRequests === 0 ? '-' : fmt(row.subRequests),
  fmt(row.pages),
  kib(row.bytes),
  fmt(row.peakRssMiB, 1),
  fmt(row.peakHeapMiB, 1),
  fmt(row.keptHeapMiB, 1),
  row.result,
];
const lines = [header, ...results.flatMap((result) => result.rows.map(cells))];
const widths = header.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
const leftAligned = new Set([0, 1, header.length - 1]);
const print = (line: string[]) =>
  console.log(
    `   ${line
      .map((cell, i) => (leftAligned.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()}`,
  );

console.log(
  `\nQDesk directory benchmark (Node ${process.version}, ${process.arch}): ${fmt(PEOPLE)} people per source, ` +
    `incremental rows after ${SHOWN} changes\n`,
);
print(header);
let previous = '';
for (const line of lines.slice(1)) {
  if (previous !== '' && line[0] !== previous) console.log('');
  previous = line[0]!;
  print(line);
}
console.log(
  '\n   people: people the read reported (for a sync, the changes it applied; for the alternative, the entries read).',
);
console.log('   A sync writes an in-memory end-user directory (a Map), so its heap includes that directory.');
for (const note of notes) console.log(`   ${note}`);

// ---- the checks
let failed = false;
console.log('');
for (const result of results) {
  const check = followsChanges(result, SHOWN);
  const source = result.fullRead.source;
  const each = (value: (row: Row) => string, rows: Row[]) => rows.map(value).join(' / ');
  const reads = result.rounds.map((r) => r.read);
  const syncs = result.rounds.map((r) => r.sync);
  const inBatch = reads.some((r) => r.subRequests > 0)
    ? ` (+ ${each((r) => fmt(r.subRequests), reads)} in $batch)`
    : '';
  const full = result.fullRead;
  const fullBatch = full.subRequests > 0 ? ` (+ ${fmt(full.subRequests)} in $batch)` : '';
  console.log(
    `   ${source}: incremental read after ${each((r) => fmt(r.changes ?? 0), reads)} changes: ` +
      `${each((r) => fmt(r.requests), reads)} requests${inBatch}, ${each((r) => kib(r.bytes), reads)} KiB, ` +
      `${each((r) => fmt(r.ms), reads)} ms; incremental sync ${each((r) => fmt(r.ms), syncs)} ms. ` +
      `Full read of ${fmt(PEOPLE)}: ${fmt(full.requests)} requests${fullBatch}, ${kib(full.bytes)} KiB, ${fmt(full.ms)} ms.`,
  );
  const { sync: incSync, resync: reSync } = result.shown;
  const all = (row: Row) => row.requests + row.subRequests;
  console.log(
    `   ${source}: after ${SHOWN} changes the incremental sync took ${fmt(incSync.ms)} ms and ${fmt(all(incSync))} requests, ` +
      `the full re-sync ${fmt(reSync.ms)} ms and ${fmt(all(reSync))} requests (${fmt(reSync.ms / Math.max(1, incSync.ms), 0)}x the time, ` +
      `${fmt(all(reSync) / Math.max(1, all(incSync)), 0)}x the requests); both left the same end-users: ${result.sameDirectory ? 'yes' : 'NO'}.`,
  );
  console.log(
    `   check ${source}: at ${SHOWN} changes the incremental read moved ${pct(check.byteShare)} of the full read's bytes ` +
      `and ${pct(check.requestShare)} of its requests (counting $batch sub-requests); ${fmt(SHOWN * 10)} changes cost ` +
      `${fmt(check.growth, 1)}x the bytes of ${SHOWN}: incremental cost follows the changes, not the directory's size: ` +
      `${check.ok ? 'YES' : 'NO'}\n`,
  );
  if (!check.ok || !result.sameDirectory) failed = true;
}
if (results.some((r) => r.fullRead.source === 'LDAP')) {
  console.log(
    '   LDAP note: the server still evaluates (whenChanged>=...) over its index; what crosses the network and what the sync applies follow the changes.',
  );
}
if (failed) process.exitCode = 1;
