import type { AuditRecord } from '@qdesk/core';
import { cefLine } from './_audit-cef.js';
import { AUDIT_COLUMNS, type AuditRow, hex, pagesBySeq, recordOfRow } from './_audit-records.js';
import { type AuditCheckpoint, type ChainLink, ChainWalk } from './_audit-walk.js';
import { type AuditChainReport, chainEnd } from './audit-chain.js';
import type { Queryable } from './database.js';

/** Options for {@link exportAudit}. @public */
export interface ExportAuditOptions {
  /** The tenant whose trail to export. */
  tenantId: string;
  /** `jsonl`: one JSON object per line, verifiable offline; `cef`: ArcSight Common Event Format, for a SIEM. */
  format: 'jsonl' | 'cef';
  /** Receives each line, without a line break; awaited before the next (so a slow file or socket holds the export). */
  write: (line: string) => Promise<void> | void;
  /** Only records at or after this time (epoch ms, inclusive). */
  since?: number;
  /** Only records before this time (epoch ms, exclusive). */
  until?: number;
  /** Only records of sessions that ran under this customer's policy. */
  customerId?: string;
  /** The product version in the CEF header (default `unknown`); pass your QDesk version. */
  deviceVersion?: string;
  /** Records read per round trip (default 2,000). */
  batchSize?: number;
}

/** What {@link exportAudit} wrote. @public */
export interface AuditExportSummary {
  /** Lines written, one per record. */
  records: number;
  /** The chain's last record when the export started (`seq`): later appends are left for the next export. */
  upToSeq: number;
}

/** One JSON line of an export: the record as stored, with its place in the chain. @public */
export type AuditExportLine = AuditRecord & {
  /** Its position in the tenant's chain, from 1. */
  seq: number;
  /** The hash of the record before it (hex), or the tenant's genesis hash for record #1. */
  prevHash: string;
  /** Its own hash (hex): SHA-256(prevHash || UTF-8 of its canonical encoding). */
  hash: string;
};

/**
 * Writes a tenant's audit trail, oldest first (in chain order), as JSON lines or CEF lines, optionally only a time
 * range (`since` inclusive, `until` exclusive) and one customer. It streams: one batch of records in memory at a
 * time, keyset-paginated on `seq`, the same on PostgreSQL and PGlite, up to the chain's head when it started.
 *
 * JSON lines ({@link AuditExportLine}): the record with `seq`, `prevHash` and `hash` (hex), so the file can be
 * verified without the database ({@link verifyExportedLines}); a full export with the last `hash` written down
 * proves the whole trail.
 *
 * CEF lines: `CEF:0|QDesk|QDesk|<deviceVersion>|<action>|<name>|<severity>|<extension>`, the message part a syslog
 * sender prefixes with its own header. In the header `\` and `|` are escaped with `\`; in extension values `\` and
 * `=` are, and a line break is written `\n` (`\r`). Severity is 8 for a denial, a lock or a refused grant, 6 for a
 * failure, 5 for an admin change or a wrong code, 4 for an expiry, 3 otherwise. Extension keys (CEF's dictionary):
 * `rt` time (epoch ms), `externalId` record id, `deviceExternalId` tenant id, `act` action, `outcome` result, `cat`
 * actor type, `suid` / `suser` actor id / name, `duid` end-user id, `msg` a sentence, `cs1` ticketId, `cs2`
 * ticketNumber, `cs3` sessionId, `cs4` customerId, `cs5` detail (canonical JSON), `cs6` recordHash (hex), `cn1`
 * chainSeq, `flexString1` method, `flexString2` sessionStatus, each `csN` / `cnN` / `flexStringN` with its `...Label`.
 * A field the record does not have is left out with its label.
 * @example
 * ```ts
 * const out = createWriteStream('audit.jsonl');
 * await exportAudit(database, { tenantId: 'msp-1', format: 'jsonl', write: (line) => void out.write(`${line}\n`) });
 * ```
 * @public
 */
export async function exportAudit(
  database: Queryable,
  options: ExportAuditOptions,
): Promise<AuditExportSummary> {
  const { tenantId, format, write } = options;
  const batchSize = options.batchSize ?? 2_000;
  const deviceVersion = options.deviceVersion ?? 'unknown';
  const { head, lastSeq } = await chainEnd(database, tenantId);
  const upToSeq = Math.max(head.seq, lastSeq);
  const params: unknown[] = [tenantId, 0, upToSeq];
  const clauses: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(` AND ${sql(`$${params.length}`)}`);
  };
  if (options.since !== undefined) add((n) => `at >= ${n}`, options.since);
  if (options.until !== undefined) add((n) => `at < ${n}`, options.until);
  if (options.customerId !== undefined) add((n) => `customer_id = ${n}`, options.customerId);
  params.push(batchSize);
  const sql = `SELECT ${AUDIT_COLUMNS} FROM qdesk_audit
    WHERE tenant_id = $1 AND seq > $2 AND seq <= $3${clauses.join('')} ORDER BY seq LIMIT $${params.length}`;
  let records = 0;
  const fetch = async (after: number) => {
    params[1] = after;
    return (await database.query<AuditRow>(sql, [...params])).rows;
  };
  for await (const rows of pagesBySeq(fetch, batchSize)) {
    for (const row of rows) {
      const record = recordOfRow(row);
      const hash = hex(row.hash);
      await write(
        format === 'cef'
          ? cefLine(record, { seq: row.seq, hash }, deviceVersion)
          : JSON.stringify({ ...record, seq: row.seq, prevHash: hex(row.prev_hash), hash }),
      );
      records++;
    }
  }
  return { records, upToSeq };
}

/** Options for {@link verifyExportedLines}. @public */
export interface VerifyExportedLinesOptions {
  /** The tenant the lines must belong to (default: the first line's). */
  tenantId?: string;
  /**
   * True for an export made with a time range or a customer: positions may skip, and each record is checked against
   * its own hash and linked to the one before only where they are consecutive. Default false: the lines must be the
   * whole chain from record #1, each linked to the one before.
   */
  filtered?: boolean;
  /** Hashes written down earlier (such as the last line's `hash` of an earlier export) the lines must still match. */
  checkpoints?: readonly AuditCheckpoint[];
}

const HASH_HEX = /^[0-9a-f]{64}$/;
// Enough lines ahead to tell a moved record from a removed one without holding the file.
const LOOKAHEAD = 64;

function linkOfLine(line: string): ChainLink | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'is not a JSON object';
  const { seq, prevHash, hash, ...record } = parsed as Partial<AuditExportLine>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return 'has no seq (a whole number from 1)';
  if (typeof prevHash !== 'string' || !HASH_HEX.test(prevHash)) return 'has no prevHash (64 hex digits)';
  if (typeof hash !== 'string' || !HASH_HEX.test(hash)) return 'has no hash (64 hex digits)';
  if (
    typeof record.id !== 'string' ||
    typeof record.tenantId !== 'string' ||
    typeof record.actor !== 'object'
  ) {
    return 'is not an audit record (id, tenantId and actor are required)';
  }
  return {
    seq: seq as number,
    record: record as AuditRecord,
    prevHash: Buffer.from(prevHash, 'hex'),
    hash: Buffer.from(hash, 'hex'),
  };
}

/**
 * Verifies a JSON-lines export ({@link exportAudit} with `format: 'jsonl'`) without the database: each record against
 * its hash, each against the one before, in order, and the chain from the tenant's genesis hash. It reads the lines
 * as they come (a file through `readline`, an array), so memory stays flat; blank lines are skipped. The report is
 * {@link verifyAuditChain}'s, without the database head: records removed from the end of a file show only against
 * a checkpoint (`records` and `headHash` of an earlier verification).
 * @example
 * ```ts
 * const lines = createInterface({ input: createReadStream('audit.jsonl') });
 * const report = await verifyExportedLines(lines);
 * ```
 * @public
 */
export async function verifyExportedLines(
  lines: Iterable<string> | AsyncIterable<string>,
  options: VerifyExportedLinesOptions = {},
): Promise<AuditChainReport> {
  type Item = ChainLink | { lineNumber: number; problem: string };
  const isLink = (item: Item): item is ChainLink => !('problem' in item);
  const window: Item[] = [];
  let walk = null as ChainWalk | null;
  // The tenant is the one asked for, else the first record's (a few unreadable lines before it do not matter).
  const walkOf = () =>
    (walk ??= new ChainWalk(options.tenantId ?? window.find(isLink)?.record.tenantId ?? '', {
      gaps: options.filtered ?? false,
      ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
    }));
  const drainOne = () => {
    const active = walkOf();
    const item = window.shift()!;
    if (isLink(item)) active.step(item, () => window.filter(isLink));
    else {
      active.fail(
        'malformed',
        active.expected,
        null,
        `line ${item.lineNumber} ${item.problem}; a line of an export must be an audit record with seq, prevHash and hash.`,
      );
    }
  };
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    const link = linkOfLine(line);
    window.push(typeof link === 'string' ? { lineNumber, problem: link } : link);
    if (window.length > LOOKAHEAD) drainOne();
    if (walk?.problem) break;
  }
  walk = walkOf();
  while (window.length && !walk.problem) drainOne();
  const firstProblem = walk.finish();
  return {
    ok: firstProblem === null,
    tenantId: walk.tenantId,
    records: walk.records,
    headHash: walk.headHash,
    firstProblem,
  };
}
