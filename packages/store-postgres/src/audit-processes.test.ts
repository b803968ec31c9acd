import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chainRows, freshTenant } from './_audit-samples.test-helpers.js';
import { createScratchDatabase } from './_databases.test-helpers.js';
import { verifyAuditChain } from './audit-chain.js';
import { migrate } from './migrate.js';
import { createPgDatabase } from './pg/database.js';

describe('concurrent appends from two OS processes on one PostgreSQL database', () => {
  const tsx = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
  const worker = new URL('./_audit-append-worker.test-helpers.ts', import.meta.url).pathname;

  /** Starts a worker; resolves `ready` once it is connected and `done` when it exits cleanly. */
  function startWorker(url: string, tenantId: string, writer: string, count: number) {
    const child = spawn(tsx, ['--conditions=qdesk-source', worker, url, tenantId, writer, String(count)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('ready')) resolve();
      });
      child.once('exit', () => reject(new Error(`worker ${writer} exited before it was ready: ${stderr}`)));
    });
    const done = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) =>
        code === 0 && stdout.includes('done')
          ? resolve()
          : reject(new Error(`worker ${writer} exited with ${code}: ${stderr}`)),
      );
    });
    return { ready, done, go: () => child.stdin.end('go\n'), kill: () => child.kill() };
  }

  it('leaves one valid chain: 600 records, contiguous, every append of both processes in it', async () => {
    const scratch = await createScratchDatabase();
    const database = createPgDatabase({ connectionString: scratch.url });
    const workers: ReturnType<typeof startWorker>[] = [];
    try {
      await migrate(database);
      const tenant = freshTenant();
      workers.push(startWorker(scratch.url, tenant, 'A', 300), startWorker(scratch.url, tenant, 'B', 300));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      await Promise.all(workers.map((w) => w.done));

      const report = await verifyAuditChain(database, { tenantId: tenant, batchSize: 100 });
      expect(report).toMatchObject({ ok: true, records: 600, firstProblem: null });
      const rows = await chainRows(database, tenant);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
      const ids = rows.map((r) => r.id);
      for (const writer of ['A', 'B']) {
        expect(ids.filter((id) => id.startsWith(`${writer}-`)).sort()).toEqual(
          Array.from({ length: 300 }, (_, i) => `${writer}-${i}`).sort(),
        );
      }
      // The two processes really appended at the same time: the chain alternates between them many times.
      const switches = ids.filter((id, i) => i > 0 && id[0] !== ids[i - 1]![0]).length;
      expect(switches).toBeGreaterThan(20);
      const head = await database.query<{ seq: number }>(
        'SELECT seq FROM qdesk_audit_heads WHERE tenant_id = $1',
        [tenant],
      );
      expect(head.rows[0]?.seq).toBe(600);
    } finally {
      for (const w of workers) w.kill();
      await database.close();
      await scratch.drop();
    }
  }, 60_000);
});
