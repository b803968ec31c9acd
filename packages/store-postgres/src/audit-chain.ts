import { AUDIT_COLUMNS, type AuditRow, pagesBySeq, recordOfRow } from './_audit-records.js';
import {
  type AuditChainProblem,
  type AuditCheckpoint,
  type ChainHead,
  type ChainLink,
  ChainWalk,
} from './_audit-walk.js';
import { auditGenesisHash } from './audit-canonical.js';
import type { Queryable } from './database.js';

export type { AuditChainProblem, AuditChainProblemKind, AuditCheckpoint } from './_audit-walk.js';

/** What {@link verifyAuditChain} found. @public */
export interface AuditChainReport {
  /** True when every record is in place and unchanged, and the chain ends where its head says. */
  ok: boolean;
  /** The tenant whose chain this is. */
  tenantId: string;
  /** Records checked and found good (all of them when `ok`; those before the problem otherwise). */
  records: number;
  /**
   * The hash (hex) of the last good record, or the tenant's genesis hash when there is none. When `ok`, write it down
   * with `records` as a checkpoint (or keep the export): it proves later that the chain up to here was not recomputed.
   */
  headHash: string;
  /** The first problem, or `null` when `ok`. */
  firstProblem: AuditChainProblem | null;
}

/** Progress of a verification, after each batch. @public */
export interface AuditVerifyProgress {
  /** The tenant being verified. */
  tenantId: string;
  /** Records checked so far. */
  records: number;
  /** Records in the chain when the verification started. */
  total: number;
}

/** Options for {@link verifyAuditChain}. @public */
export interface VerifyAuditChainOptions {
  /** The tenant whose chain to walk. */
  tenantId: string;
  /** Records read per round trip (default 2,000): memory holds one batch at a time. */
  batchSize?: number;
  /** Hashes written down earlier: each record named must still have its hash (so a recomputed chain shows). */
  checkpoints?: readonly AuditCheckpoint[];
  /** Called after each batch. */
  onProgress?: (progress: AuditVerifyProgress) => void;
}

/** Options for {@link verifyAllAuditChains}: those of {@link verifyAuditChain} but the tenant. @public */
export type VerifyAllAuditChainsOptions = Omit<VerifyAuditChainOptions, 'tenantId' | 'checkpoints'>;

const DEFAULT_BATCH = 2_000;

/** A row as a link of the walk. */
export const linkOfRow = (row: AuditRow): ChainLink => ({
  seq: row.seq,
  record: recordOfRow(row),
  prevHash: row.prev_hash,
  hash: row.hash,
});

/**
 * The head of a tenant's chain and the last seq stored, read in one statement (one snapshot): the walk stops there,
 * so records appended while it runs are left for the next verification instead of looking like tampering.
 */
export async function chainEnd(
  database: Queryable,
  tenantId: string,
): Promise<{ head: ChainHead; lastSeq: number }> {
  const { rows } = await database.query<{ seq: number | null; hash: Uint8Array | null; last: number | null }>(
    `SELECT h.seq, h.hash, (SELECT max(seq) FROM qdesk_audit WHERE tenant_id = $1) AS last
     FROM (SELECT 1) AS one LEFT JOIN qdesk_audit_heads h ON h.tenant_id = $1`,
    [tenantId],
  );
  const row = rows[0];
  const head: ChainHead =
    row?.seq != null && row.hash
      ? { seq: row.seq, hash: row.hash, present: true }
      : { seq: 0, hash: auditGenesisHash(tenantId), present: false };
  return { head, lastSeq: row?.last ?? 0 };
}

/**
 * Walks one tenant's audit chain from its first record to its head and reports the first record that was altered,
 * removed or reordered, in words an auditor can act on ("record #5 (id ..., 2026-01-01 09:30:00.000 UTC, approve
 * by technician Sam) was altered: ...").
 *
 * Every hash is recomputed from the stored columns (never from a stored copy of the encoding), so a change to any
 * field shows; a gap in `seq` shows a removed record; a record that links to a later one shows a reorder; the head
 * row shows records removed from the end. Records appended while it runs are not part of this verification.
 *
 * Note: it streams the chain by keyset pagination (`seq > last LIMIT batchSize`), identically on PostgreSQL and
 * PGlite, holding one batch at a time: memory stays flat at any length. It stops at the first problem.
 *
 * Note: the chain shows tampering by anyone who cannot recompute every hash after the change. Someone with write
 * access to the database can rewrite the whole chain consistently; to catch that, keep what a verification reports
 * (`records`, `headHash`) or an export outside the database, and pass it back as a `checkpoint`.
 * @example
 * ```ts
 * const report = await verifyAuditChain(database, { tenantId: 'msp-1' });
 * if (!report.ok) console.error(report.firstProblem?.message);
 * ```
 * @public
 */
export async function verifyAuditChain(
  database: Queryable,
  options: VerifyAuditChainOptions,
): Promise<AuditChainReport> {
  const { tenantId } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const { head, lastSeq } = await chainEnd(database, tenantId);
  const upTo = Math.max(head.seq, lastSeq);
  const walk = new ChainWalk(tenantId, {
    head,
    ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
  });
  const pages = pagesBySeq(
    async (after) =>
      (
        await database.query<AuditRow>(
          `SELECT ${AUDIT_COLUMNS} FROM qdesk_audit
           WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
          [tenantId, after, upTo, batchSize],
        )
      ).rows,
    batchSize,
  );
  for await (const rows of pages) {
    const links = rows.map(linkOfRow);
    for (let i = 0; i < links.length; i++) if (!walk.step(links[i]!, () => links.slice(i + 1))) break;
    options.onProgress?.({ tenantId, records: walk.records, total: upTo });
    if (walk.problem) break;
  }
  const firstProblem = walk.finish();
  return {
    ok: firstProblem === null,
    tenantId,
    records: walk.records,
    headHash: walk.headHash,
    firstProblem,
  };
}

/**
 * {@link verifyAuditChain} for every tenant that has an audit chain (a head row or a record), one after the other,
 * in order of tenant id; one report each. Tenants are found one at a time by index, so memory holds one report per
 * tenant and one batch of records.
 * @example
 * ```ts
 * const broken = (await verifyAllAuditChains(database)).filter((report) => !report.ok);
 * ```
 * @public
 */
export async function verifyAllAuditChains(
  database: Queryable,
  options: VerifyAllAuditChainsOptions = {},
): Promise<AuditChainReport[]> {
  const reports: AuditChainReport[] = [];
  let previous: string | null = null;
  for (;;) {
    const above: string = previous === null ? '' : 'WHERE tenant_id > $1';
    const found: { rows: { next: string | null }[] } = await database.query<{ next: string | null }>(
      `SELECT least((SELECT min(tenant_id) FROM qdesk_audit_heads ${above}),
                    (SELECT min(tenant_id) FROM qdesk_audit ${above})) AS next`,
      previous === null ? [] : [previous],
    );
    const next: string | null = found.rows[0]?.next ?? null;
    if (next === null) return reports;
    reports.push(await verifyAuditChain(database, { ...options, tenantId: next }));
    previous = next;
  }
}
