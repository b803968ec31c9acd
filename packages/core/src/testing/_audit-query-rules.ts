/** The query rules of the audit-log kit (they need `capabilities.query`). */
import type { AuditLog, AuditQuery, AuditRecord } from '../ports/audit-log.js';
import { firstDifference, show, unique } from './_helpers.js';
import { appendAll, recordIds, sampleRecord } from './_samples.js';
import type { AuditLogSubject } from './audit-log-conformance.js';
import { type KitRule, must } from './kit.js';

/** The log's `query`, or a violation saying it is missing. */
function queryOf(log: AuditLog) {
  must(log.query, 'capabilities.query is expected, but the log has no query(); implement it.');
  return log.query.bind(log);
}

/** The query rules of the audit-log kit. */
export const auditQueryRules: readonly KitRule<AuditLogSubject>[] = [
  {
    name: 'query returns the records newest first, each equal to what was appended',
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      // The last two share a millisecond, as the verifier's records of one operation often do.
      const records = [
        sampleRecord(tenant, 0),
        sampleRecord(tenant, 5),
        sampleRecord(tenant, 9, { action: 'approve' }),
        sampleRecord(tenant, 9),
      ];
      await appendAll(log, records);
      const read = await query(tenant, {});
      const difference = firstDifference([...records].reverse(), read);
      must(
        difference === null,
        `query() must return every record, newest first (by at, then by append order), each equal to what was appended; ${difference}.`,
      );
    },
  },
  {
    name: "query never returns another tenant's records",
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const [a, b] = [unique('tenant-a'), unique('tenant-b')];
      await appendAll(log, [sampleRecord(a, 0), sampleRecord(b, 1), sampleRecord(a, 2)]);
      const read = await query(b, {});
      must(
        read.length === 1 && read[0]!.tenantId === b,
        `query(tenant B) returned ${read.length} records of tenants ${show([...new Set(read.map((r) => r.tenantId))])}; scope it by tenant.`,
      );
    },
  },
  {
    name: 'query applies every filter, and all given filters must match',
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      const device = { type: 'device' as const, id: 'tech-1' };
      const records = [
        sampleRecord(tenant, 0, { ticketId: 't1', endUserId: 'e1', sessionId: 's1' }),
        sampleRecord(tenant, 1, {
          ticketId: 't1',
          endUserId: 'e2',
          sessionId: 's2',
          actor: { type: 'technician', id: 'tech-2' },
        }),
        sampleRecord(tenant, 2, { ticketId: 't2', endUserId: 'e1', sessionId: 's3', actor: device }),
        sampleRecord(tenant, 3, { ticketId: 't2', endUserId: 'e2', sessionId: 's1' }),
        sampleRecord(tenant, 4, {
          ticketId: null,
          endUserId: 'e1',
          sessionId: 's1',
          actor: { type: 'system', id: 'tech-1' },
        }),
      ];
      await appendAll(log, records);
      const matches = (r: AuditRecord, f: AuditQuery) =>
        (f.ticketId === undefined || r.ticketId === f.ticketId) &&
        (f.endUserId === undefined || r.endUserId === f.endUserId) &&
        (f.sessionId === undefined || r.sessionId === f.sessionId) &&
        (f.technicianId === undefined || (r.actor.type === 'technician' && r.actor.id === f.technicianId));
      const filters: AuditQuery[] = [
        { ticketId: 't1' },
        { endUserId: 'e1' },
        { technicianId: 'tech-1' },
        { sessionId: 's1' },
        { ticketId: 't2', endUserId: 'e2' },
        { sessionId: 's1', technicianId: 'tech-1', endUserId: 'e1' },
      ];
      for (const filter of filters) {
        const expected = recordIds(records.filter((r) => matches(r, filter)).reverse());
        const got = recordIds(await query(tenant, filter));
        must(
          firstDifference(expected, got) === null,
          `query(${show(filter)}) returned records ${show(got.map((id) => recordIds(records).indexOf(id)))} (by append index); expected ${show(expected.map((id) => recordIds(records).indexOf(id)))}. Every given filter must match; technicianId matches only records a technician caused.`,
        );
      }
    },
  },
  {
    name: 'query filters by customer and by any of several actions',
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      const records = [
        sampleRecord(tenant, 0, { action: 'start', customerId: 'cust-a' }),
        sampleRecord(tenant, 1, { action: 'check_code', customerId: 'cust-b' }),
        sampleRecord(tenant, 2, { action: 'approve', customerId: 'cust-a' }),
        sampleRecord(tenant, 3, { action: 'outcome', customerId: null }),
        sampleRecord(tenant, 4, { action: 'link_contact' }),
        sampleRecord(tenant, 5, { action: 'deny', customerId: 'cust-a' }),
      ];
      await appendAll(log, records);
      const indexes = (found: readonly AuditRecord[]) => found.map((r) => recordIds(records).indexOf(r.id));
      const cases: [AuditQuery, number[]][] = [
        [{ customerId: 'cust-a' }, [5, 2, 0]],
        [{ actions: ['approve', 'deny', 'link_contact'] }, [5, 4, 2]],
        [{ actions: [] }, []],
        [{ customerId: 'cust-a', actions: ['start', 'check_code'] }, [0]],
      ];
      for (const [filter, expected] of cases) {
        const got = indexes(await query(tenant, filter));
        must(
          firstDifference(expected, got) === null,
          `query(${show(filter)}) returned records ${show(got)} (by append index); expected ${show(expected)}. customerId matches records of that customer only (never one without a customer); actions matches a record whose action is any of the list, and an empty list matches none.`,
        );
      }
    },
  },
  {
    name: 'query keeps the time range since (inclusive) to until (exclusive)',
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      const records = [0, 10, 20, 30, 40].map((offset) => sampleRecord(tenant, offset));
      await appendAll(log, records);
      const t0 = records[0]!.at;
      const indexes = (found: readonly AuditRecord[]) => found.map((r) => recordIds(records).indexOf(r.id));
      const relative = (t: number | undefined) => (t === undefined ? undefined : `t0+${t - t0}`);
      const cases: [AuditQuery, number[]][] = [
        [{ since: t0 + 10 }, [4, 3, 2, 1]],
        [{ until: t0 + 30 }, [2, 1, 0]],
        [{ since: t0 + 10, until: t0 + 30 }, [2, 1]],
        [{ since: t0 + 11, until: t0 + 30, limit: 1 }, [2]],
        [{ since: t0 + 20, until: t0 + 20 }, []],
      ];
      for (const [filter, expected] of cases) {
        const got = indexes(await query(tenant, filter));
        const shown = { ...filter, since: relative(filter.since), until: relative(filter.until) };
        must(
          firstDifference(expected, got) === null,
          `query(${show(shown)}) returned records ${show(got)} (by append index, record i at t0+10i); expected ${show(expected)}. Keep records with since <= at < until: since is inclusive, until exclusive.`,
        );
      }
    },
  },
  {
    name: 'query returns at most limit records, the newest, and 100 when no limit is given',
    needs: 'query',
    async check({ log }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      const records = Array.from({ length: 105 }, (_, i) => sampleRecord(tenant, i));
      await appendAll(log, records);
      const newest = recordIds(records).reverse();
      const three = recordIds(await query(tenant, { limit: 3 }));
      must(
        firstDifference(newest.slice(0, 3), three) === null,
        `query({ limit: 3 }) returned ${three.length} records${three.length ? ` starting at append index ${recordIds(records).indexOf(three[0]!)}` : ''}; return the 3 newest.`,
      );
      const unlimited = await query(tenant, {});
      must(
        unlimited.length === 100 && unlimited[0]!.id === newest[0],
        `query() without a limit returned ${unlimited.length} records; return the 100 newest.`,
      );
    },
  },
  {
    name: 'a query result is a copy: mutating it does not change the log',
    needs: 'query',
    async check({ log, inspect }) {
      const query = queryOf(log);
      const tenant = unique('tenant');
      const record = sampleRecord(tenant, 0);
      await log.append(structuredClone(record));
      const [read] = await query(tenant, {});
      must(read, 'query() found no record after one append.');
      try {
        read.result = 'changed';
        read.actor.id = 'changed';
      } catch {
        // A frozen value refuses the writes: allowed.
      }
      const [stored] = await inspect.records(tenant);
      must(
        stored?.result === record.result && stored.actor.id === record.actor.id,
        'mutating what query() returned changed the stored record; return copies or frozen values.',
      );
    },
  },
];
