import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { isQdeskError } from '@qdesk/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from './database.js';

describe('createPgliteDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps what was written in its folder after it is closed and opened again', async () => {
    const dataDir = join(dir, 'kept');
    const first = await createPgliteDatabase({ dataDir });
    await first.query('CREATE TABLE t (v text)');
    await first.query('INSERT INTO t VALUES ($1)', ['written before the restart']);
    await first.close();
    const second = await createPgliteDatabase({ dataDir });
    expect((await second.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([
      { v: 'written before the restart' },
    ]);
    await second.close();
  });

  it('refuses a folder another live process holds, and takes over a lock its dead holder left', async () => {
    const dataDir = join(dir, 'locked');
    writeFileSync(`${dataDir}.lock`, String(process.ppid)); // a live process that is not this one
    const refused = await createPgliteDatabase({ dataDir }).catch((error: unknown) => error);
    expect(isQdeskError(refused) && refused.code).toBe('config_invalid');
    expect((refused as Error).message).toMatch(
      /Another process \(pid \d+\) has the PGlite data folder .*(DATABASE_URL)/,
    );
    writeFileSync(`${dataDir}.lock`, '999999999'); // no such process
    const database = await createPgliteDatabase({ dataDir });
    await database.close();
  });

  it('rolls a failed transaction back and surfaces the failure as an AdapterError', async () => {
    const database = await createPgliteDatabase();
    await database.query('CREATE TABLE t (v int PRIMARY KEY)');
    const failed = await database
      .transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await tx.query('INSERT INTO t VALUES (1)');
      })
      .catch((error: unknown) => error);
    expect(isQdeskError(failed) && failed.code).toBe('adapter_failed');
    expect((await database.query('SELECT * FROM t')).rows).toEqual([]);
    await database.close();
  });

  it('runs on a PGlite instance it is given, and leaves it open when closed', async () => {
    const pglite = new PGlite();
    const database = await createPgliteDatabase({ pglite });
    expect((await database.query<{ n: number }>('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
    await database.close();
    expect((await pglite.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await pglite.close();
  });
});
