import type { AuditRecord } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { cefSeverity } from './_audit-cef.js';
import { appendChain, chainRecord, freshTenant } from './_audit-samples.test-helpers.js';
import { testDatabases } from './_databases.test-helpers.js';
import { verifyAuditChain } from './audit-chain.js';
import {
  type AuditExportLine,
  type ExportAuditOptions,
  exportAudit,
  verifyExportedLines,
} from './audit-export.js';
import { createPostgresAuditLog } from './audit-log.js';
import type { Queryable } from './database.js';

/** The lines an export writes. */
async function exported(database: Queryable, options: Omit<ExportAuditOptions, 'write'>): Promise<string[]> {
  const lines: string[] = [];
  await exportAudit(database, { ...options, write: (line) => void lines.push(line) });
  return lines;
}

/** A CEF line split as a receiver parses it: the seven header fields, and the extension's keys and values. */
function parseCef(line: string): { header: string[]; extension: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; header.length < 7; i++) {
    const c = line[i]!;
    if (c === '\\') field += line[++i];
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  const extension: Record<string, string> = {};
  const text = line.slice(i);
  // A key starts after a space and runs to an unescaped `=`; everything up to the next such key is its value.
  const keys = [...text.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)].filter((m) => text[m.index! - 1] !== '\\');
  keys.forEach((match, k) => {
    const start = match.index! + match[0].length;
    const end = keys[k + 1]?.index ?? text.length;
    extension[match[1]!] = text
      .slice(start, end)
      .replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return { header, extension };
}

describe('CEF severity', () => {
  it('ranks a denial above a failure above a wrong code above an ordinary step', () => {
    const r = (overrides: Partial<AuditRecord>) => chainRecord('msp', 0, { detail: {}, ...overrides });
    expect(cefSeverity(r({ action: 'deny', result: 'denied' }))).toBe(8);
    expect(cefSeverity(r({ action: 'write_note', result: 'error' }))).toBe(6);
    expect(cefSeverity(r({ action: 'check_code', detail: { error: 'wrong_code' } }))).toBe(5);
    expect(cefSeverity(r({ action: 'send' }))).toBe(3);
  });
});

for (const db of testDatabases()) {
  describe(`audit export on ${db.name}`, () => {
    it('writes JSON lines that round-trip every record and verify without the database', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 30);
      const lines = await exported(database, { tenantId: tenant, format: 'jsonl', batchSize: 7 });
      expect(lines).toHaveLength(30);
      const parsed = lines.map((line) => JSON.parse(line) as AuditExportLine);
      expect(parsed.map(({ seq: _, prevHash: __, hash: ___, ...record }) => record)).toEqual(records);
      expect(parsed.map((l) => l.seq)).toEqual(records.map((_, i) => i + 1));
      const fromDatabase = await verifyAuditChain(database, { tenantId: tenant });
      const fromLines = await verifyExportedLines(lines);
      expect(fromLines).toEqual(fromDatabase);
      expect(fromLines).toMatchObject({ ok: true, records: 30, headHash: parsed[29]!.hash });
    });

    it('shows a line altered, removed or moved in the file, naming the record', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 10);
      const lines = await exported(database, { tenantId: tenant, format: 'jsonl' });
      const altered = [...lines];
      altered[4] = altered[4]!.replace('"result":"ok"', '"result":"approved"');
      expect((await verifyExportedLines(altered)).firstProblem).toMatchObject({
        kind: 'altered',
        seq: 5,
        recordId: records[4]!.id,
      });
      const removed = lines.filter((_, i) => i !== 6);
      expect((await verifyExportedLines(removed)).firstProblem).toMatchObject({ kind: 'removed', seq: 7 });
      const swapped = [...lines];
      [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
      expect((await verifyExportedLines(swapped)).firstProblem).toMatchObject({
        kind: 'reordered',
        seq: 3,
        recordId: records[2]!.id,
      });
      const garbled = [...lines.slice(0, 2), '{"not":"a record"}', ...lines.slice(2)];
      const report = await verifyExportedLines(garbled);
      expect(report.firstProblem).toMatchObject({ kind: 'malformed', seq: 3 });
      expect(report.firstProblem!.message).toContain('line 3');
    });

    it('shows lines cut from the end only against a checkpoint', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      await appendChain(database, tenant, 8);
      const lines = await exported(database, { tenantId: tenant, format: 'jsonl' });
      const checkpoint = { seq: 8, hash: (JSON.parse(lines[7]!) as AuditExportLine).hash };
      expect((await verifyExportedLines(lines.slice(0, 6))).ok).toBe(true);
      const cut = await verifyExportedLines(lines.slice(0, 6), { checkpoints: [checkpoint] });
      expect(cut.firstProblem).toMatchObject({ kind: 'truncated', seq: 7 });
      expect((await verifyExportedLines(lines, { checkpoints: [checkpoint] })).ok).toBe(true);
    });

    it('exports a time range (since inclusive, until exclusive) and one customer, which verify as filtered', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const records = await appendChain(database, tenant, 12);
      const since = records[3]!.at;
      const until = records[9]!.at;
      const ranged = await exported(database, { tenantId: tenant, format: 'jsonl', since, until });
      const ids = (lines: string[]) => lines.map((l) => (JSON.parse(l) as AuditExportLine).id);
      expect(ids(ranged)).toEqual(records.slice(3, 9).map((r) => r.id));
      const customer = await exported(database, {
        tenantId: tenant,
        format: 'jsonl',
        customerId: 'cust-contoso',
        batchSize: 2,
      });
      expect(ids(customer)).toEqual(records.filter((r) => r.customerId === 'cust-contoso').map((r) => r.id));
      expect(await verifyExportedLines(customer, { filtered: true })).toMatchObject({ ok: true, records: 6 });
      expect((await verifyExportedLines(customer)).firstProblem?.kind).toBe('removed');
      const tampered = customer.map((l, i) =>
        i === 2 ? l.replace('"endUserId":"eu-ana"', '"endUserId":"eu-bo"') : l,
      );
      expect((await verifyExportedLines(tampered, { filtered: true })).firstProblem).toMatchObject({
        kind: 'altered',
        recordId: records[5]!.id,
      });
    });

    it('writes CEF lines with the header and the extension escaped as the CEF specification says', async () => {
      const database = await db.database();
      const tenant = freshTenant();
      const log = createPostgresAuditLog(database);
      const record = chainRecord(tenant, 0, {
        action: 'link|contact\\x',
        actor: { type: 'technician', id: 'tech-1', name: 'Sam = Tech\nOps' },
        detail: { note: 'a|b=c\\d\nline two\r', count: 2 },
        customerId: null,
      });
      await log.append(record);
      const [line] = await exported(database, { tenantId: tenant, format: 'cef', deviceVersion: '1.2|3' });
      expect(line).not.toMatch(/[\r\n]/);
      expect(line!.startsWith('CEF:0|QDesk|QDesk|1.2\\|3|link\\|contact\\\\x|link\\|contact\\\\x|3|')).toBe(
        true,
      );
      expect(line).toContain(' suser=Sam \\= Tech\\nOps ');
      expect(line).toContain('cs5={"count":2,"note":"a|b\\=c\\\\\\\\d\\\\nline two\\\\r"}');
      const { header, extension } = parseCef(line!);
      expect(header).toEqual(['CEF:0', 'QDesk', 'QDesk', '1.2|3', 'link|contact\\x', 'link|contact\\x', '3']);
      const [row] = (await exported(database, { tenantId: tenant, format: 'jsonl' })).map(
        (l) => JSON.parse(l) as AuditExportLine,
      );
      expect(extension).toEqual({
        rt: String(record.at),
        externalId: record.id,
        deviceExternalId: tenant,
        act: 'link|contact\\x',
        outcome: 'ok',
        cat: 'technician',
        suid: 'tech-1',
        suser: 'Sam = Tech\nOps',
        duid: 'eu-ana',
        msg: `link|contact\\x by technician Sam = Tech\nOps on ticket ${record.ticketNumber}: ok`,
        cs1Label: 'ticketId',
        cs1: record.ticketId,
        cs2Label: 'ticketNumber',
        cs2: record.ticketNumber,
        cs3Label: 'sessionId',
        cs3: record.sessionId,
        cs5Label: 'detail',
        cs5: JSON.stringify({ count: 2, note: 'a|b=c\\d\nline two\r' }),
        cs6Label: 'recordHash',
        cs6: row!.hash,
        cn1Label: 'chainSeq',
        cn1: '1',
        flexString1Label: 'method',
        flexString1: 'sms',
        flexString2Label: 'sessionStatus',
        flexString2: 'awaiting_code',
      });
    });
  });
}
