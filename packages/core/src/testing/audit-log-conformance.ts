import type { AuditLog, AuditRecord } from '../ports/audit-log.js';
import { auditQueryRules } from './_audit-query-rules.js';
import { firstDifference, needsFrom, show, unique } from './_helpers.js';
import { appendAll, recordIds, sampleRecord } from './_samples.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Options for {@link runAuditLogConformance}. @public */
export interface AuditLogConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A ready log (called once per rule). Rules use fresh tenant ids, so a shared backend needs no wiping. */
  create: () => AuditLog | Promise<AuditLog>;
  /** Releases the log (close connections, drop the schema). */
  cleanup?: (log: AuditLog) => void | Promise<void>;
  /** What the log must declare. */
  capabilities: {
    /** Whether it has `query`; query rules run only then. */
    query: boolean;
  };
  /** Reads the backing system directly, bypassing the log's methods. */
  inspect: {
    /** Every record of that tenant as stored, in append order. */
    records(tenantId: string): Promise<AuditRecord[]>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each audit-log rule checks. @public */
export interface AuditLogSubject {
  /** The log under test. */
  log: AuditLog;
  /** What the log must declare. */
  capabilities: AuditLogConformanceOptions['capabilities'];
  /** Direct reads of the backing system. */
  inspect: AuditLogConformanceOptions['inspect'];
}

/**
 * Every rule an {@link AuditLog} must follow, as data: {@link runAuditLogConformance} registers each as a test;
 * `checkRules` runs them anywhere.
 * @public
 */
export const auditLogRules: readonly KitRule<AuditLogSubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ log }) {
      must(
        log.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(log.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'declares the expected capabilities, and has query exactly when it declares it',
    async check({ log, capabilities }) {
      const declared = log.capabilities?.query;
      must(typeof declared === 'boolean', `capabilities.query is ${show(declared)}; declare true or false.`);
      must(
        declared === capabilities.query,
        `capabilities.query is ${declared} but the kit's options expect ${capabilities.query}; declare what the log does.`,
      );
      const present = typeof log.query === 'function';
      must(
        present === declared,
        declared
          ? 'capabilities.query is true but query() is missing; implement it.'
          : 'capabilities.query is false but query() exists; declare true, or remove it.',
      );
    },
  },
  {
    name: 'append stores the record as given, every field equal',
    async check({ log, inspect }) {
      const tenant = unique('tenant');
      const full = sampleRecord(tenant, 0);
      const bare = sampleRecord(tenant, 1, {
        sessionId: null,
        ticketId: null,
        ticketNumber: null,
        method: null,
        status: null,
      });
      delete bare.detail;
      bare.actor = { type: 'system', id: 'qdesk' };
      await appendAll(log, [full, bare]);
      const stored = await inspect.records(tenant);
      const difference = firstDifference([full, bare], stored);
      must(
        difference === null,
        `the backing system must hold each appended record with every field equal (nulls, detail, actor); ${difference}.`,
      );
    },
  },
  {
    name: 'append only adds: earlier records stay, unchanged and in order',
    async check({ log, inspect }) {
      const tenant = unique('tenant');
      const actions = ['start', 'send', 'check_code', 'approve', 'write_note'] as const;
      const records = actions.map((action, i) => sampleRecord(tenant, i, { action, sessionId: 'sess-same' }));
      await appendAll(log, records);
      const stored = await inspect.records(tenant);
      must(
        firstDifference(recordIds(records), recordIds(stored)) === null,
        `after five appends of one session the log holds ${show(stored.map((r) => r.action))}; keep every record (never replace one by session, ticket or action).`,
      );
    },
  },
  {
    name: 'a record the caller mutates after append does not change the log',
    async check({ log, inspect }) {
      const tenant = unique('tenant');
      const record = sampleRecord(tenant, 0);
      const mine = structuredClone(record);
      await log.append(mine);
      mine.result = 'changed';
      mine.actor.name = 'changed';
      const [stored] = await inspect.records(tenant);
      must(stored, 'the backing system holds no record after one append.');
      must(
        stored.result === record.result && stored.actor.name === record.actor.name,
        'changing the appended object afterwards changed the stored record; the log kept a reference: copy the record when appending.',
      );
    },
  },
  {
    name: 'append keeps each record under its own tenant',
    async check({ log, inspect }) {
      const [a, b] = [unique('tenant-a'), unique('tenant-b')];
      const inA = [sampleRecord(a, 0), sampleRecord(a, 1)];
      const inB = [sampleRecord(b, 2)];
      await appendAll(log, [inA[0]!, inB[0]!, inA[1]!]);
      const [storedA, storedB] = [await inspect.records(a), await inspect.records(b)];
      must(
        firstDifference(recordIds(inA), recordIds(storedA)) === null &&
          firstDifference(recordIds(inB), recordIds(storedB)) === null,
        `tenant A holds ${storedA.length} records and tenant B ${storedB.length} after 2 and 1 appends; store each record under record.tenantId.`,
      );
    },
  },
  ...auditQueryRules,
];

/**
 * The shared test suite every {@link AuditLog} must pass, one test per rule; the query rules show as skipped when
 * `capabilities.query` is `false`. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runAuditLogConformance } from '@qdesk/core/testing';
 * runAuditLogConformance({
 *   name: 'postgres',
 *   create: () => createPgAuditLog(pool),
 *   capabilities: { query: true },
 *   inspect: { records: (tenantId) => selectAuditRows(pool, tenantId) },
 * });
 * ```
 * @public
 */
export function runAuditLogConformance(options: AuditLogConformanceOptions): void {
  registerRules(`AuditLog conformance: ${options.name}`, auditLogRules, auditLogHarness(options), {
    timeoutMs: options.timeoutMs ?? 20_000,
    has: auditLogHas(options),
  });
}

/**
 * The harness {@link runAuditLogConformance} runs the rules with: one log per rule. For `checkRules`.
 * @internal
 */
export function auditLogHarness(options: AuditLogConformanceOptions): KitHarness<AuditLogSubject> {
  return {
    create: async () => ({
      log: await options.create(),
      capabilities: options.capabilities,
      inspect: options.inspect,
    }),
    cleanup: (subject) => options.cleanup?.(subject.log),
  };
}

/**
 * What the rules may rely on, for `checkRules`' `has` argument: `query` as the options expect it.
 * @internal
 */
export function auditLogHas(
  options: Pick<AuditLogConformanceOptions, 'capabilities'>,
): (need: string) => boolean {
  return needsFrom({ query: options.capabilities.query });
}
