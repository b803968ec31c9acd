/**
 * Writes the generated parts of the docs: the session state diagram (SVG) and table from `TRANSITION_TABLE`, and
 * the error-code and event references from the type unions. `pnpm run docs` runs it before typedoc;
 * `generate.test.ts` fails when a committed file differs from what this would write.
 *
 * Usage: `pnpm exec tsx scripts/docs/generate.ts` (write) or `... --check` (exit 1 when anything is stale).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TERMINAL_STATUSES, TRANSITION_TABLE } from '../../packages/core/src/machine/index.js';
import { createWorkspaceProgram, errorReference, eventReference, ROOT } from './reference.js';
import { stateDiagramSvg, stateTable } from './state-diagram.js';

/** Where the state table goes inside the concepts guide. */
export const STATES_START =
  '<!-- generated:session-states (scripts/docs/generate.ts from TRANSITION_TABLE; do not edit) -->';
export const STATES_END = '<!-- end generated:session-states -->';

const CONCEPTS = 'docs/guides/concepts.md';

/** Replaces the text between the markers in `document`; throws when they are missing. */
export function replaceRegion(document: string, start: string, end: string, content: string): string {
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} ... ${end} not found`);
  return `${document.slice(0, from + start.length)}\n\n${content}\n\n${document.slice(to)}`;
}

/** Every generated file: repository-relative path to its full expected content. */
export function generatedFiles(): Map<string, string> {
  const program = createWorkspaceProgram();
  const concepts = readFileSync(join(ROOT, CONCEPTS), 'utf8');
  return new Map([
    ['docs/guides/session-states.svg', stateDiagramSvg(TRANSITION_TABLE, TERMINAL_STATUSES)],
    [CONCEPTS, replaceRegion(concepts, STATES_START, STATES_END, stateTable(TRANSITION_TABLE))],
    ['docs/reference/errors.md', errorReference(program)],
    ['docs/reference/events.md', eventReference(program)],
  ]);
}

/** The generated files whose committed content differs from what would be generated. */
export function staleFiles(files = generatedFiles()): string[] {
  return [...files]
    .filter(([path, content]) => {
      try {
        return readFileSync(join(ROOT, path), 'utf8') !== content;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = generatedFiles();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length) {
      console.error(`Stale generated docs: ${stale.join(', ')}. Run: pnpm exec tsx scripts/docs/generate.ts`);
      process.exit(1);
    }
  } else {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(ROOT, path)), { recursive: true });
      writeFileSync(join(ROOT, path), content);
    }
    console.log(`Generated ${[...files.keys()].join(', ')}`);
  }
}
