import { describe, expect, it } from 'vitest';
import { hex } from './_audit-records.js';
import {
  appendChain,
  chainRecord,
  chainRows,
  freshTenant,
  storedRecords,
} from './_audit-samples.test-helpers.js';
import { testDatabases } from './_databases.test-helpers.js';
import { auditGenesisHash, canonicalAuditRecord, canonicalJson, hashAuditRecord } from './audit-canonical.js';
import { verifyAllAuditChains, verifyAuditChain } from './audit-chain.js';
import { createPostgresAuditLog } from './audit-log.js';
import type { Queryable } from './database.js';

/** Sets one column of record #seq of a tenant, in SQL, as someone with database access would. */
const tamper = (database: Queryable, tenantId: string, seq: number, set: string, params: unknown[] = []) =>
  database.query(`UPDATE qdesk_audit SET ${set} WHERE tenant_id = $1 AND seq = $2`, [
    tenantId,
    seq,
    ...params,
  ]);

describe('canonicalAuditRecord', () => {
  it('writes sorted keys without whitespace, leaving out missing fields, starting from the version tag', () => {
    const record = chainRecord('msp-1', 0, { detail: { b: 1, a: 'x"y', c: null } });
    const { customerId: _, ...withoutCustomer } = record;
    expect(canonicalAuditRecord(record)).toBe(
      '{"action":"start","actor":{"id":"tech-1","name":"Sam Tech","type":"technician"},"at":1767259800000,' +
        '"customerId":"cust-northwind","detail":{"a":"x\\"y","b":1,"c":null},"endUserId":"eu-ana","id":"au-msp-1-0",' +
        '"method":"sms","result":"ok","sessionId":"sess-0","status":"awaiting_code","tenantId":"msp-1",' +
        '"ticketId":"1000","ticketNumber":"T20260101.1000","v":1}',
    );
    expect(canonicalAuditRecord(withoutCustomer)).not.toContain('customerId');
    expect(canonicalAuditRecord({ ...record, customerId: null })).toContain('"customerId":null');
  });

  it('equals the generic canonical JSON of the record, whatever fields it leaves out', () => {
    const full = chainRecord('msp-1', 3, { detail: { z: 'ü', é: 1.5, A: true, '10': null, '9': 'x' } });
    const { customerId: _, detail: __, ...bare } = full;
    const odd = { ...bare, actor: { type: 'system' as const, id: 'qdesk' }, sessionId: undefined } as never;
    for (const record of [full, bare, odd, { ...full, customerId: null }]) {
      expect(canonicalAuditRecord(record)).toBe(canonicalJson({ v: 1, ...(record as object) }));
    }
  });
});

for (const db of testDatabases()) {
  describe(`audit chain on ${db.name}`, () => {
    it('verifies a valid chain, with the head hash an independent computation gives', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 25);
      let expected = auditGenesisHash(tenant);
      for (const record of records) expected = hashAuditRecord(expected, record);
      const progress: number[] = [];
      const report = await verifyAuditChain(database, {
        tenantId: tenant,
        batchSize: 10,
        onProgress: (p) => progress.push(p.records),
      });
      expect(report).toEqual({
        ok: true,
        tenantId: tenant,
        records: 25,
        headHash: hex(expected),
        firstProblem: null,
      });
      expect(progress).toEqual([10, 20, 25]);
      const rows = await chainRows(database, tenant);
      expect(rows.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    });

    it('reports an empty chain as valid, from the genesis hash', async () => {
      const tenant = freshTenant();
      const report = await verifyAuditChain(await db.database(), { tenantId: tenant });
      expect(report).toEqual({
        ok: true,
        tenantId: tenant,
        records: 0,
        headHash: hex(auditGenesisHash(tenant)),
        firstProblem: null,
      });
    });

    const alterations: [string, string, unknown[]][] = [
      ['the result', `result = 'approved'`, []],
      ['the detail', `detail = jsonb_set(detail, '{attemptsLeft}', '5')`, []],
      ['the time', 'at = at + 1', []],
      ['the actor', `actor_name = 'Someone Else'`, []],
      ['the actor id', `actor_id = 'tech-2'`, []],
      ['the customer', 'customer_id = NULL', []],
      ['the ticket number', `ticket_number = 'T20260101.9999'`, []],
      ['the stored hash', `hash = sha256('x'::bytea)`, []],
      ['the previous hash', `prev_hash = sha256('x'::bytea)`, []],
    ];
    for (const [what, set, params] of alterations) {
      it(`detects a change of ${what} in SQL and names that record`, async () => {
        const database = await db.database();
        const tenant = freshTenant();
        const records = await appendChain(database, tenant, 6);
        await tamper(database, tenant, 3, set, params);
        const report = await verifyAuditChain(database, { tenantId: tenant, batchSize: 4 });
        expect(report.ok).toBe(false);
        expect(report.records).toBe(2);
        expect(report.firstProblem).toMatchObject({ kind: 'altered', seq: 3, recordId: records[2]!.id });
        expect(report.firstProblem!.message).toMatch(
          new RegExp(
            `^record #3 \\(id ${records[2]!.id}, 2026-01-01 09:30:0\\d\\.\\d{3} UTC, check_code by technician .*\\) was altered`,
          ),
        );
      });
    }

    it('detects a record removed from the middle, naming the gap and its neighbours', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 6);
      await database.query('DELETE FROM qdesk_audit WHERE tenant_id = $1 AND seq = 4', [tenant]);
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: false, records: 3 });
      expect(report.firstProblem).toMatchObject({ kind: 'removed', seq: 4, recordId: null });
      expect(report.firstProblem!.message).toContain('record #4 is missing');
      expect(report.firstProblem!.message).toContain(records[2]!.id);
      expect(report.firstProblem!.message).toContain(records[4]!.id);
    });

    it('detects a record removed and the rest renumbered to close the gap', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 6);
      await database.query('DELETE FROM qdesk_audit WHERE tenant_id = $1 AND seq = 3', [tenant]);
      await database.query('UPDATE qdesk_audit SET seq = seq + 1000 WHERE tenant_id = $1 AND seq > 3', [
        tenant,
      ]);
      await database.query('UPDATE qdesk_audit SET seq = seq - 1001 WHERE tenant_id = $1 AND seq > 1000', [
        tenant,
      ]);
      await database.query('UPDATE qdesk_audit_heads SET seq = seq - 1 WHERE tenant_id = $1', [tenant]);
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report.firstProblem).toMatchObject({ kind: 'removed', seq: 3, recordId: records[3]!.id });
      expect(report.firstProblem!.message).toMatch(/does not link to the record before it/);
    });

    it('detects records removed from the end through the head', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 6);
      await database.query('DELETE FROM qdesk_audit WHERE tenant_id = $1 AND seq >= 5', [tenant]);
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: false, records: 4 });
      expect(report.firstProblem).toMatchObject({ kind: 'truncated', seq: 5, recordId: null });
      expect(report.firstProblem!.message).toContain('records #5 to #6 are missing from the end');
      expect(report.firstProblem!.message).toContain(records[3]!.id);
    });

    it('detects the last record removed', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      await appendChain(database, tenant, 6);
      await database.query('DELETE FROM qdesk_audit WHERE tenant_id = $1 AND seq = 6', [tenant]);
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report.firstProblem).toMatchObject({ kind: 'truncated', seq: 6 });
    });

    it('detects two records swapped (their seq exchanged) and names the one out of place', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 6);
      await tamper(database, tenant, 3, 'seq = 1000');
      await tamper(database, tenant, 4, 'seq = 3');
      await tamper(database, tenant, 1000, 'seq = 4');
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: false, records: 2 });
      expect(report.firstProblem).toMatchObject({ kind: 'reordered', seq: 3, recordId: records[3]!.id });
      expect(report.firstProblem!.message).toContain(`appended right after record #4 (id ${records[2]!.id}`);
    });

    it('detects a record inserted around the append function, even with a correct hash', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      await appendChain(database, tenant, 3);
      const [last] = (await chainRows(database, tenant)).slice(-1);
      // A copy of #3 under a new id, linked to #3 with a hash computed as the append function would.
      const forged = { ...(await storedRecords(database, tenant))[2]!, id: 'au-forged', at: last!.at + 1000 };
      await database.query(
        `INSERT INTO qdesk_audit SELECT tenant_id, 4, $2, $3, session_id, action, actor_type, actor_id, actor_name,
           ticket_id, ticket_number, end_user_id, customer_id, customer_id_set, method, result, status, detail, hash,
           $4 FROM qdesk_audit WHERE tenant_id = $1 AND seq = 3`,
        [tenant, forged.id, forged.at, hashAuditRecord(last!.hash, forged)],
      );
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: false, records: 3 });
      expect(report.firstProblem).toMatchObject({ kind: 'inserted', seq: 4, recordId: 'au-forged' });
    });

    it('misses a chain rewritten hash by hash, unless given a checkpoint recorded before', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      await appendChain(database, tenant, 5);
      const before = await verifyAuditChain(database, { tenantId: tenant });
      // Someone with write access changes record #2 and recomputes every hash after it, and the head.
      await tamper(database, tenant, 2, `result = 'approved'`);
      let running = auditGenesisHash(tenant);
      for (const row of await chainRows(database, tenant)) {
        const hash = hashAuditRecord(running, (await storedRecords(database, tenant))[row.seq - 1]!);
        await tamper(database, tenant, row.seq, 'prev_hash = $3, hash = $4', [running, hash]);
        running = hash;
      }
      await database.query('UPDATE qdesk_audit_heads SET hash = $2 WHERE tenant_id = $1', [tenant, running]);
      expect((await verifyAuditChain(database, { tenantId: tenant })).ok).toBe(true);
      const checked = await verifyAuditChain(database, {
        tenantId: tenant,
        checkpoints: [{ seq: before.records, hash: before.headHash }],
      });
      expect(checked.firstProblem).toMatchObject({ kind: 'rewritten', seq: 5 });
      expect(checked.firstProblem!.message).toContain(`the checkpoint recorded ${before.headHash}`);
    });

    it('keeps the chains of two tenants apart: each from 1, one tampered, the other still valid', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const [a, b] = [freshTenant('a'), freshTenant('b')];
      for (let i = 0; i < 5; i++) {
        await log.append(chainRecord(a, i));
        await log.append(chainRecord(b, i));
      }
      expect((await chainRows(database, a)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await chainRows(database, b)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      await tamper(database, a, 2, `result = 'approved'`);
      const reports = (await verifyAllAuditChains(database)).filter(
        (r) => r.tenantId === a || r.tenantId === b,
      );
      expect(reports.map((r) => [r.tenantId, r.ok])).toEqual([
        [a, false],
        [b, true],
      ]);
      // A record moved to the other tenant's chain breaks both.
      await database.query(
        `UPDATE qdesk_audit SET tenant_id = $2, seq = 6 WHERE tenant_id = $1 AND seq = 5`,
        [b, a],
      );
      expect((await verifyAuditChain(database, { tenantId: b })).firstProblem?.kind).toBe('truncated');
      expect((await verifyAuditChain(database, { tenantId: a })).firstProblem?.kind).toBe('altered');
    });

    it('leaves records appended during a verification for the next one', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      await appendChain(database, tenant, 10);
      const log = createPostgresAuditLog(database);
      let extra = 10;
      const report = await verifyAuditChain(database, {
        tenantId: tenant,
        batchSize: 3,
        onProgress: () => void log.append(chainRecord(tenant, extra++)),
      });
      expect(report).toMatchObject({ ok: true, records: 10 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await verifyAuditChain(database, { tenantId: tenant })).toMatchObject({
        ok: true,
        records: extra,
      });
    });
  });
}
