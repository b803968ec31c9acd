import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const cli = new URL('./qdesk.ts', import.meta.url).pathname;
const env = { ...process.env, AUTOTASK_USERNAME: undefined, CI: '' } as NodeJS.ProcessEnv;

describe('pnpm qdesk match', () => {
  it('syncs the local Autotask fake with a progress bar and prints a summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdesk-cli-'));
    try {
      const out = join(dir, 'match.json');
      const { stdout, stderr } = await run(
        tsx,
        ['--conditions=qdesk-source', cli, 'match', '--contacts', '1200', '--out', out],
        { env },
      );
      expect(stderr).toMatch(/\[#{30}\] contacts\s+\d+\/\d+ 100%/);
      expect(stdout).toMatch(/Read \d+ companies and 12\d\d contacts from the local Autotask fake/);
      expect(stdout).toMatch(/companies\s+3\s/); // the three demo companies are strong name matches
      const written = JSON.parse(readFileSync(out, 'utf8')) as {
        contacts: unknown[];
        companySuggestions: unknown[];
      };
      expect(written.contacts.length).toBeGreaterThan(1200);
      expect(written.companySuggestions.length).toBeGreaterThanOrEqual(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('explains its usage and refuses bad arguments', async () => {
    await expect(run(tsx, ['--conditions=qdesk-source', cli, 'frobnicate'], { env })).rejects.toMatchObject({
      code: 2,
    });
    await expect(
      run(tsx, ['--conditions=qdesk-source', cli, 'match', '--contacts', 'lots'], { env }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--contacts must be a whole number'),
    });
  }, 60_000);
});
