import { type AuditRecord, createVerifier, InputError } from '@qdesk/core';
import {
  createDemoData,
  createManualClock,
  createMemoryDirectory,
  createMemoryPsa,
  createMemorySessionStore,
  createOutboxChannel,
} from '@qdesk/core/memory';
import { runAuditLogConformance } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { chainRecord, freshTenant, storedRecords } from './_audit-samples.test-helpers.js';
import { testDatabases } from './_databases.test-helpers.js';
import { verifyAuditChain } from './audit-chain.js';
import { createPostgresAuditLog } from './audit-log.js';

for (const db of testDatabases()) {
  runAuditLogConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresAuditLog(await db.database()),
    capabilities: { query: true },
    inspect: { records: async (tenantId) => storedRecords(await db.database(), tenantId) },
  });

  describe(`PostgreSQL audit log on ${db.name}`, () => {
    it('keeps a record without a customer apart from one whose session had no customer', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const tenant = freshTenant();
      const { customerId: _, ...without } = chainRecord(tenant, 0);
      const records: AuditRecord[] = [
        without,
        chainRecord(tenant, 1, { customerId: null }),
        chainRecord(tenant, 2),
      ];
      for (const record of records) await log.append(record);
      const stored = await storedRecords(database, tenant);
      expect(stored).toEqual(records);
      expect('customerId' in stored[0]!).toBe(false);
      expect((await verifyAuditChain(database, { tenantId: tenant })).ok).toBe(true);
    });

    it('keeps detail numbers and unusual text exactly, so the chain still verifies after a read back', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const tenant = freshTenant();
      const detail = {
        sum: 0.1 + 0.2,
        big: 1e21,
        tiny: 5e-324,
        negative: -12.5,
        text: 'emoji 🔐, quotes "x", backslash \\, line\nbreak, \u2028 and tab\t',
        ünïcode: 'Ελληνικά',
      };
      await log.append(chainRecord(tenant, 0, { detail }));
      expect((await storedRecords(database, tenant))[0]!.detail).toEqual(detail);
      expect(await verifyAuditChain(database, { tenantId: tenant })).toMatchObject({ ok: true, records: 1 });
    });

    it('refuses a NUL character, a lone surrogate or a fractional time with an InputError naming the field', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const tenant = freshTenant();
      const bad: [Partial<AuditRecord>, string][] = [
        [{ result: 'ok\u0000' }, 'result'],
        [{ actor: { type: 'technician', id: 'tech-1', name: 'Sam\u0000' } }, 'actor.name'],
        [{ detail: { reason: 'x\u0000y' } }, 'detail.reason'],
        [{ detail: { 'bad\u0000key': 1 } }, 'detail.bad'],
        [{ ticketNumber: 'T\ud800' }, 'ticketNumber'],
        [{ at: 1.5 }, 'at'],
        [{ detail: { attempts: Number.NaN } }, 'detail.attempts'],
      ];
      for (const [overrides, field] of bad) {
        const attempt = log.append(chainRecord(tenant, 0, overrides));
        await expect(attempt).rejects.toBeInstanceOf(InputError);
        await expect(attempt).rejects.toThrow(field);
      }
      expect(await storedRecords(database, tenant)).toEqual([]);
    });

    it('treats a retried append of the same record as done, and refuses another record under a used id', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const tenant = freshTenant();
      const first = chainRecord(tenant, 0);
      await log.append(first);
      await log.append(structuredClone(first));
      await log.append(chainRecord(tenant, 1));
      const reused = log.append(chainRecord(tenant, 2, { id: first.id }));
      await expect(reused).rejects.toBeInstanceOf(InputError);
      await expect(reused).rejects.toThrow(/already has a different audit record with id/);
      expect((await storedRecords(database, tenant)).map((r) => r.id)).toEqual([first.id, `au-${tenant}-1`]);
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: true, records: 2 });
    });

    it('keeps one valid chain under many appends at once on one database', async () => {
      const database = await db.database();
      const log = createPostgresAuditLog(database);
      const tenant = freshTenant();
      const records = Array.from({ length: 60 }, (_, i) => chainRecord(tenant, i));
      await Promise.all(records.map((record) => log.append(record)));
      const report = await verifyAuditChain(database, { tenantId: tenant });
      expect(report).toMatchObject({ ok: true, records: 60, firstProblem: null });
      expect(new Set((await storedRecords(database, tenant)).map((r) => r.id)).size).toBe(60);
    });

    it("records a verification's operations with the customer, in one chain that verifies", async () => {
      const database = await db.database();
      const audit = createPostgresAuditLog(database);
      const demo = createDemoData();
      const clock = createManualClock();
      const sms = createOutboxChannel('sms', { now: clock.now });
      const verifier = createVerifier({
        secret: 'store-postgres-audit-test-secret-0123456789',
        directory: createMemoryDirectory(demo.endUsers),
        psa: createMemoryPsa(demo),
        store: createMemorySessionStore({ now: clock.now }),
        channels: { sms },
        audit,
        clock,
      });
      const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam from IT' };
      const { session } = await verifier.startFromTicket({ actor, ticketId: '1001' });
      await verifier.send({ actor, sessionId: session.id, method: 'sms' });
      const sent = sms.last()?.message;
      const code = sent?.route === 'sms' && 'code' in sent.context ? sent.context.code : '';
      await verifier.checkCode({
        actor,
        sessionId: session.id,
        code: code === '000000' ? '111111' : '000000',
      });
      await verifier.checkCode({ actor, sessionId: session.id, code });

      const records = await audit.query(demo.tenantId, { sessionId: session.id });
      expect(records.length).toBeGreaterThanOrEqual(4);
      expect(new Set(records.map((r) => r.customerId))).toEqual(new Set([session.customerId]));
      expect(session.customerId).toEqual(expect.any(String));
      const byCustomer = await audit.query(demo.tenantId, { customerId: session.customerId!, limit: 1000 });
      expect(byCustomer.map((r) => r.id)).toEqual(records.map((r) => r.id));
      expect(await verifyAuditChain(database, { tenantId: demo.tenantId })).toMatchObject({ ok: true });
    });
  });
}
