import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractBlocks } from '../scripts/docs/code-blocks.js';
import { ROOT } from '../scripts/docs/reference.js';

// The reset-gate guide shows the example's files in full, as `// file:` blocks, so readers see the code that runs.
// guides.test.ts compiles and runs those blocks; this test keeps them identical to the files in examples/reset-gate
// (which its own test runs), so the guide can never show code that differs from the tested script.

const guide = 'docs/guides/reset-gate.md';
const blocks = extractBlocks(readFileSync(join(ROOT, guide), 'utf8'), guide);

describe('the reset-gate guide shows the example as it is', () => {
  for (const name of ['reset-password.ts', 'file-stores.ts']) {
    it(`its ${name} block is examples/reset-gate/${name}, verbatim`, () => {
      const block = blocks.find((b) => b.fileName === name);
      expect(block, `${guide} has a \`// file: ${name}\` block`).toBeTruthy();
      const shown = block!.code.split('\n').slice(1).join('\n');
      expect(shown.trimEnd()).toBe(readFileSync(join(ROOT, 'examples/reset-gate', name), 'utf8').trimEnd());
    });
  }
});
