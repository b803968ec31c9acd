import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/docs/reference.js';

// The security model maps every rule to the test that shows it, cited as `path > test name`. A renamed or deleted
// test would leave the page claiming a proof that no longer exists: each citation must name a file that exists and a
// test (or kit rule) name that occurs in it, verbatim.

const page = 'docs/security.md';
const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
const cited = [...text.matchAll(/`([\w./-]+\.ts) > ([^`]+)`/g)].map((m) => ({ file: m[1]!, name: m[2]! }));

describe(`${page}: every cited test exists`, () => {
  it('cites tests', () => {
    expect(cited.length).toBeGreaterThan(40);
  });

  for (const { file, name } of new Map(cited.map((c) => [`${c.file} > ${c.name}`, c])).values()) {
    it(`${file} > ${name}`, () => {
      const path = join(ROOT, file);
      expect(existsSync(path), `${file} exists`).toBe(true);
      const source = readFileSync(path, 'utf8');
      // The name as a test or rule declares it: a quoted string, so a fragment of a longer name does not count.
      const quoted = [`'${name}'`, `"${name}"`, `\`${name}\``].some((q) => source.includes(q));
      expect(quoted, `${file} declares a test or rule named "${name}"`).toBe(true);
    });
  }
});
