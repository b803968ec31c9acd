import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/docs/reference.js';

// The README shows what a browser test saw: every screenshot it links is one a browser test saves with
// `shot(page, name, { readme: true })` (rewritten by `pnpm screenshots`), and nothing in docs/screenshots is left
// over from a screen that no longer exists.

const pages = ['README.md', 'examples/insight-app/README.md'];
const linked = new Set(
  pages.flatMap((p) =>
    [...readFileSync(join(ROOT, p), 'utf8').matchAll(/docs\/screenshots\/([\w-]+)\.png/g)].map((m) => m[1]!),
  ),
);
const e2e = join(ROOT, 'examples/insight-app/e2e');
const taken = new Set(
  readdirSync(e2e)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      [
        ...readFileSync(join(e2e, f), 'utf8').matchAll(
          /shot\(\s*\w+,\s*'([\w-]+)',\s*\{\s*readme:\s*true\s*\}/g,
        ),
      ].map((m) => m[1]!),
    ),
);
const stored = readdirSync(join(ROOT, 'docs/screenshots'))
  .filter((f) => f.endsWith('.png'))
  .map((f) => f.slice(0, -'.png'.length));

describe('README screenshots come from the browser tests', () => {
  it('links some', () => {
    expect(linked.size).toBeGreaterThan(5);
  });

  it('every linked screenshot is saved by a browser test and stored', () => {
    for (const name of linked) {
      expect(taken.has(name), `a browser test saves ${name} with { readme: true }`).toBe(true);
      expect(existsSync(join(ROOT, 'docs/screenshots', `${name}.png`)), `docs/screenshots/${name}.png`).toBe(
        true,
      );
    }
  });

  it('every stored screenshot is linked and saved by a browser test (none left over)', () => {
    expect(stored.filter((name) => !linked.has(name) || !taken.has(name))).toEqual([]);
  });
});
