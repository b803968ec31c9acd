import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the README example', () => {
  it('is examples/readme.ts verbatim, and prints what its comments say', async () => {
    const source = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import('../examples/readme.js');
    expect(log.mock.calls).toEqual([['approved'], [true, 4]]);
  });
});
