/**
 * The TypeScript blocks of Markdown files, for `docs/guides.test.ts`, which type-checks every one against the
 * workspace sources and runs the complete programs. The conventions a block can use:
 *
 * - ` ```ts ` (or `typescript`): type-checked as its own module. Blocks of one document share a folder.
 * - ` ```ts run `: also run; what it logs must match its `// → text` comments, one per `console.log`, in order.
 * - ` ```ts suite `: a vitest file (a conformance kit): imported while the tests are collected, so its tests run.
 * - first line `// file: name.ts`: written under that name, so a later block of the same document can import it
 *   (`import { x } from './name.js'`).
 * - first line `// @noCheck: <reason>`: a fragment that cannot compile alone; skipped. Use sparingly.
 */

export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  doc: string;
  /** 1-based number among the file's TypeScript blocks. */
  index: number;
  /** 1-based line of the block's first code line in the Markdown file. */
  line: number;
  /** `check` (default), `run` or `suite`. */
  mode: 'check' | 'run' | 'suite';
  /** The file name the block asks for (`// file: name.ts`), or `null`. */
  fileName: string | null;
  /** Why the block is not checked (`// @noCheck: reason`), or `null`. */
  noCheck: string | null;
  /** The code, dedented. */
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;

/** Every TypeScript block of `markdown`, in order. */
export function extractBlocks(markdown: string, doc: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, meta] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trim().startsWith(fence!)) end++;
    const body = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l.trimStart()));
    if (lang === 'ts' || lang === 'typescript') {
      const first = body[0]?.trim() ?? '';
      const noCheck = /^\/\/\s*@noCheck:\s*(.*)$/.exec(first);
      if (noCheck && !noCheck[1]!.trim()) throw new Error(`${doc}:${i + 2}: @noCheck needs a reason`);
      const named = /^\/\/\s*file:\s*([\w.-]+\.ts)\s*$/.exec(first);
      const words = meta!.split(/\s+/);
      blocks.push({
        doc,
        index: blocks.length + 1,
        line: i + 2,
        mode: words.includes('run') ? 'run' : words.includes('suite') ? 'suite' : 'check',
        fileName: named ? named[1]! : null,
        noCheck: noCheck ? noCheck[1]!.trim() : null,
        code: `${body.join('\n')}\n`,
      });
    }
    i = end;
  }
  return blocks;
}

/**
 * What a `run` block must print: the text of each `// → text` comment, in order, one per `console.log` call (the
 * comment ends the line of the call, or of its last line when the formatter wrapped it).
 */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/\/\/\s*→\s*(.*)$/gm)].map((m) => m[1]!.trim());
}
