/**
 * The walk along one tenant's chain that {@link verifyAuditChain} (over the table) and `verifyExportedLines` (over an
 * export) share: fed one link at a time in seq order, it keeps only the last hash, so memory stays constant however
 * long the chain, and stops at the first problem with a message an auditor can act on.
 */
import type { AuditRecord } from '@qdesk/core';
import { hex } from './_audit-records.js';
import { auditGenesisHash, hashAuditRecord } from './audit-canonical.js';

/**
 * What went wrong at the first bad place of a chain:
 * - `altered`: a record's stored fields (or its hash) no longer match its hash;
 * - `removed`: a record is missing (a gap in `seq`, or a record that does not link to the one before it);
 * - `reordered`: a record is not where it was appended (it links to a record that now comes after it);
 * - `truncated`: records are missing from the end (the chain's head, or a checkpoint, names a later record);
 * - `inserted`: a record the chain's head does not account for (written around the append function);
 * - `rewritten`: a record's hash differs from a checkpoint recorded earlier (the chain was recomputed);
 * - `malformed`: an export line that is not a record of this chain.
 * @public
 */
export type AuditChainProblemKind =
  | 'altered'
  | 'removed'
  | 'reordered'
  | 'truncated'
  | 'inserted'
  | 'rewritten'
  | 'malformed';

/** The first problem a verification found. @public */
export interface AuditChainProblem {
  /** What kind of tampering (or damage) it shows. */
  kind: AuditChainProblemKind;
  /** Where: the record's position in the tenant's chain (for `removed` and `truncated`, the first one missing). */
  seq: number;
  /** The record's id, or `null` when it is gone (`removed`, `truncated`) or unreadable. */
  recordId: string | null;
  /** What is wrong, naming the record (position, id, time, action) and its neighbours in words. */
  message: string;
}

/** A hash an auditor wrote down earlier: the record at `seq` must still have this hash (hex). @public */
export interface AuditCheckpoint {
  /** The record's position in the chain. */
  seq: number;
  /** Its hash then, as hex (a report's `headHash`, or an export line's `hash`). */
  hash: string;
}

/** One record with its place in the chain. */
export interface ChainLink {
  seq: number;
  record: AuditRecord;
  prevHash: Uint8Array;
  hash: Uint8Array;
}

/** The head a chain must end at: its last seq and hash (seq 0 and the genesis hash for an empty chain). */
export interface ChainHead {
  seq: number;
  hash: Uint8Array;
  /** False when the head row itself is missing. */
  present: boolean;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** `record #5 (id au_1, 2026-01-01 00:00:00.005 UTC, check_code by technician tech-1)`. */
export function describeLink(link: Pick<ChainLink, 'seq' | 'record'>): string {
  const { record } = link;
  const time = Number.isFinite(record.at)
    ? `${new Date(record.at).toISOString().replace('T', ' ').replace('Z', ' UTC')}`
    : `time ${String(record.at)}`;
  const actor = record.actor ? ` by ${record.actor.type} ${record.actor.name ?? record.actor.id}` : '';
  return `record #${link.seq} (id ${record.id}, ${time}, ${record.action}${actor})`;
}

/** Walks one chain link by link; `problem` holds the first problem once found, and the walk stops there. */
export class ChainWalk {
  /** Links checked and found good. */
  records = 0;
  /** The hash of the last good link (the genesis hash before the first). */
  running: Uint8Array;
  /** The seq the next link must have. */
  expected = 1;
  problem: AuditChainProblem | null = null;
  private last: ChainLink | null = null;
  private readonly checkpoints: Map<number, string>;

  constructor(
    readonly tenantId: string,
    private readonly options: {
      head?: ChainHead;
      checkpoints?: readonly AuditCheckpoint[];
      gaps?: boolean;
    } = {},
  ) {
    this.running = auditGenesisHash(tenantId);
    this.checkpoints = new Map((options.checkpoints ?? []).map((c) => [c.seq, c.hash.toLowerCase()]));
  }

  /** Records the first problem (a caller's own, such as an unreadable line) and stops the walk. */
  fail(kind: AuditChainProblemKind, seq: number, recordId: string | null, message: string): false {
    if (this.problem) return false;
    this.problem = { kind, seq, recordId, message };
    return false;
  }

  private after(): string {
    return this.last ? `after ${describeLink(this.last)}` : 'at the start of the chain';
  }

  /**
   * Checks one link. `ahead` lists the links that follow it, when known (asked only on a problem): a record that
   * moved is told from one that was removed by finding it there.
   */
  step(link: ChainLink, ahead: () => readonly ChainLink[] = () => []): boolean {
    if (this.problem) return false;
    // Described only when a problem needs it: this runs once per record of the chain.
    const here = () => describeLink(link);
    const { head } = this.options;
    if (link.record.tenantId !== this.tenantId) {
      return this.fail(
        'malformed',
        link.seq,
        link.record.id,
        `${here()} belongs to tenant ${link.record.tenantId}, not ${this.tenantId}; verify each tenant's chain on its own.`,
      );
    }
    if (link.seq < this.expected) {
      return this.fail(
        'reordered',
        link.seq,
        link.record.id,
        `${here()} comes ${this.after()}, out of order: positions must increase by one.`,
      );
    }
    if (head?.present && link.seq > head.seq) {
      return this.fail(
        'inserted',
        link.seq,
        link.record.id,
        `${here()} is beyond the chain's head (#${head.seq}): it was written around qdesk_audit_append, or the head row was reset; compare it with your last export or checkpoint.`,
      );
    }
    const gap = link.seq > this.expected;
    if (gap && !this.options.gaps) {
      const moved = ahead().find((l) => l.seq === this.expected);
      if (moved) {
        return this.fail(
          'reordered',
          moved.seq,
          moved.record.id,
          `${describeLink(moved)} is out of order: it comes after ${here()}.`,
        );
      }
      const missing =
        link.seq - 1 === this.expected
          ? `record #${this.expected} is`
          : `records #${this.expected} to #${link.seq - 1} are`;
      return this.fail(
        'removed',
        this.expected,
        null,
        `${missing} missing: the chain goes from ${this.last ? describeLink(this.last) : 'its start'} straight to ${here()}. Restore the removed record(s) from a backup or an export.`,
      );
    }
    if (!same(hashAuditRecord(link.prevHash, link.record), link.hash)) {
      return this.fail(
        'altered',
        link.seq,
        link.record.id,
        `${here()} was altered: its stored fields no longer match its hash (compare it with a backup or an export to see which field changed).`,
      );
    }
    if (link.seq === 1 && !same(link.prevHash, auditGenesisHash(this.tenantId))) {
      return this.fail(
        'altered',
        1,
        link.record.id,
        `${here()} does not start tenant ${this.tenantId}'s chain: its previous hash is not the tenant's genesis hash; it was moved from another chain or rewritten.`,
      );
    }
    if (!gap && !same(link.prevHash, this.running)) {
      const moved = ahead().find((l) => same(l.hash, link.prevHash));
      if (moved) {
        return this.fail(
          'reordered',
          link.seq,
          link.record.id,
          `${here()} is out of order: it was appended right after ${describeLink(moved)}, which now comes after it.`,
        );
      }
      return this.fail(
        'removed',
        link.seq,
        link.record.id,
        `${here()} does not link to the record before it (${this.last ? describeLink(this.last) : 'the chain start'}): the record appended before it was removed or replaced, and the positions renumbered. Compare with a backup or an export.`,
      );
    }
    const checkpoint = this.checkpoints.get(link.seq);
    if (checkpoint !== undefined && checkpoint !== hex(link.hash)) {
      return this.fail(
        'rewritten',
        link.seq,
        link.record.id,
        `${here()} has hash ${hex(link.hash)}, but the checkpoint recorded ${checkpoint}: the chain was rewritten at or before this record.`,
      );
    }
    this.running = link.hash;
    this.expected = link.seq + 1;
    this.records++;
    this.last = link;
    return true;
  }

  /** After the last link: checks the head (when one was given) and the checkpoints past the end. */
  finish(): AuditChainProblem | null {
    if (this.problem) return this.problem;
    const lastSeq = this.expected - 1;
    const end = this.last ? describeLink(this.last) : 'no record';
    const { head } = this.options;
    if (head?.present && lastSeq < head.seq) {
      this.fail(
        'truncated',
        lastSeq + 1,
        null,
        `${lastSeq + 1 === head.seq ? `record #${head.seq} is` : `records #${lastSeq + 1} to #${head.seq} are`} missing from the end: the chain's head says #${head.seq}, but it ends at ${end}. Restore ${lastSeq + 1 === head.seq ? 'it' : 'them'} from a backup or an export.`,
      );
    } else if (head && !head.present && lastSeq > 0) {
      this.fail(
        'truncated',
        lastSeq + 1,
        null,
        `tenant ${this.tenantId}'s chain has records up to ${end} but no head row: the head was deleted, so records removed from the end would not show. Restore qdesk_audit_heads from a backup.`,
      );
    } else if (head?.present && !same(head.hash, this.running)) {
      this.fail(
        'altered',
        lastSeq,
        this.last?.record.id ?? null,
        `${end} does not match the chain's head hash: the last record was replaced, or the head row was changed.`,
      );
    } else {
      const beyond = [...this.checkpoints.keys()].filter((seq) => seq > lastSeq).sort((a, b) => a - b)[0];
      if (beyond !== undefined) {
        this.fail(
          'truncated',
          lastSeq + 1,
          null,
          `a checkpoint names record #${beyond}, but the chain ends at ${end}: records were removed from the end.`,
        );
      }
    }
    return this.problem;
  }

  /** The last good hash, as hex. */
  get headHash(): string {
    return hex(this.running);
  }
}
