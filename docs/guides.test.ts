import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { format } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type CodeBlock, expectedOutput, extractBlocks } from '../scripts/docs/code-blocks.js';
import { ROOT, workspaceCompilerOptions } from '../scripts/docs/reference.js';

// Every ```ts block of the docs (and of the root and package READMEs) is type-checked against the workspace
// sources, and the blocks marked `run` or `suite` are executed: a guide's code cannot rot. The conventions are in
// scripts/docs/code-blocks.ts. Blocks are written into scratch folders whose node_modules resolve `@qdesk/*` to the
// packages' sources (the `qdesk-source` condition), as readme.test.ts does.

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'api' ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const docs = [
  ...markdownFiles(join(ROOT, 'docs')),
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'packages')).map((pkg) => join(ROOT, 'packages', pkg, 'README.md')),
].sort();
const blocks = docs.flatMap((path) => extractBlocks(readFileSync(path, 'utf8'), relative(ROOT, path)));
const checked = blocks.filter((b) => b.noCheck === null);

/**
 * A scratch folder whose imports resolve the way the block's reader would resolve them: a package README's blocks
 * inside that package (its optional peers, such as `web-push`, are there), every other block next to the examples.
 */
const scratch = new Map<string, string>();
const scratchFor = (doc: string) => {
  const home = /^packages\/[^/]+\//.exec(doc)?.[0] ?? 'examples/quick-start/';
  if (!scratch.has(home)) scratch.set(home, mkdtempSync(join(ROOT, home, '.readme-docs-')));
  return scratch.get(home)!;
};
afterAll(() => {
  for (const dir of scratch.values()) rmSync(dir, { recursive: true, force: true });
});

/** Where a block is written: its document's folder, under its own name or `block-<n>.ts`. */
const fileOf = new Map<CodeBlock, string>();
for (const block of checked) {
  const folder = join(scratchFor(block.doc), block.doc.replace(/[^\w]+/g, '_'));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, block.fileName ?? `block-${block.index}.ts`);
  // `export {}` makes every block a module, so top-level await and local names never clash across blocks.
  writeFileSync(file, `${block.code}\nexport {};\n`);
  fileOf.set(block, file);
}

const where = (b: CodeBlock) => `${b.doc} block ${b.index} (line ${b.line})`;

/** Type errors of every block at once, by block. */
const problems = (() => {
  const program = ts.createProgram({
    rootNames: [...fileOf.values()],
    options: { ...workspaceCompilerOptions(), noEmit: true },
  });
  const byFile = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName ?? '(global)';
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    byFile.set(file, [...(byFile.get(file) ?? []), `line ${at} of the block: ${text}`]);
  }
  return byFile;
})();

describe('every TypeScript block in the docs', () => {
  it('finds the blocks and knows their documents', () => {
    expect(checked.length).toBeGreaterThan(20);
    expect(problems.get('(global)') ?? []).toEqual([]);
  });

  it('skips only fragments that say why', () => {
    const skipped = blocks.filter((b) => b.noCheck !== null).map((b) => `${where(b)}: ${b.noCheck}`);
    expect(skipped.length, skipped.join('\n')).toBeLessThanOrEqual(Math.ceil(blocks.length / 10));
  });

  for (const block of checked) {
    it(`${where(block)} compiles`, () => {
      expect(problems.get(fileOf.get(block)!) ?? [], `type errors in ${where(block)}`).toEqual([]);
    });
  }

  for (const block of checked.filter((b) => b.mode === 'run')) {
    it(`${where(block)} runs`, async () => {
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(format(...args));
      });
      try {
        await import(fileOf.get(block)!);
      } finally {
        log.mockRestore();
      }
      const expected = expectedOutput(block.code);
      if (expected.length) expect(printed, `what ${where(block)} prints`).toEqual(expected);
    });
  }
});

describe('links between the docs', () => {
  for (const path of docs) {
    it(`${relative(ROOT, path)}: every relative link points to a file that exists`, () => {
      const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!);
      const missing = targets
        .filter((t) => t !== '' && !/^[a-z]+:/i.test(t))
        .filter((t) => !existsSync(join(dirname(path), t)));
      expect(missing).toEqual([]);
    });
  }
});

// A `suite` block is a vitest file (a conformance kit): importing it registers its tests here.
for (const block of checked.filter((b) => b.mode === 'suite')) {
  describe(where(block), async () => {
    await import(fileOf.get(block)!);
  });
}
