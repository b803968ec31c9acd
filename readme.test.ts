import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';

// The README's quick-start block is run as written: extracted, saved next to the examples (so `@qdesk/core`
// resolves from the workspace), imported, and its output checked.
const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const block = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const dir = mkdtempSync(join(new URL('./examples/quick-start/', import.meta.url).pathname, '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the README quick-start runs and verifies the caller', async () => {
  expect(block, 'README has a ```ts block under "## Quick start"').toBeTruthy();
  const example = readFileSync(new URL('./examples/quick-start/main.ts', import.meta.url), 'utf8');
  expect(example).toContain(block!.trim());
  const file = join(dir, 'quick-start.ts');
  writeFileSync(file, block!);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(file);
  expect(log).toHaveBeenCalledWith('Ana Silva: User Identity Successfully Verified');
  log.mockRestore();
});
