import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../examples/quick-start.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the examples', () => {
  it('README: the snippet is examples/readme.ts verbatim, and it prints what its comments say', async () => {
    const source = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
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
