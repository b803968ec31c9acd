import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../examples/quick-start.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the examples', () => {
  it('README: every TypeScript block is a file of this package verbatim, so tsc checks it', () => {
    const readme = read('README.md');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const files = [
      ...readdirSync(new URL('../examples/', import.meta.url)).map((name) => `examples/${name}`),
      'src/conformance.test.ts',
    ].filter((path) => path.endsWith('.ts'));
    const sources = new Map(files.map((path) => [read(path), path]));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      expect(sources.has(block), `README block not found verbatim in examples/:\n${block}`).toBe(true);
    }
  });

  it('README: the first snippet runs and prints what its comments say', async () => {
    expect(read('README.md')).toContain(`\`\`\`ts\n${read('examples/readme.ts')}\`\`\``);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import('../examples/readme.js');
    expect(log.mock.calls).toEqual([
      ['T20261124.0001', ['ana.silva@northwind.example']],
      ['201', '101'],
    ]);
  });

  it('quick start: reads a ticket, finds by email, lists every contact and writes one note', async () => {
    const lines: string[] = [];
    const result = await main((line) => lines.push(line));
    expect(lines[0]).toBe('T20261124.0001 Password reset request: Ana at Northwind Traders Inc.');
    expect(lines).toContain('found contact 201 by email');
    expect(result.contacts).toBeGreaterThan(400);
    expect(lines).toContain(`listed ${result.contacts} of ${result.contacts}`);
    expect(result.note.created).toBe(true);
    expect(result.notesOnTicket).toBe(1);
  });
});
