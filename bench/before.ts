// The figures `pnpm bench` printed before the core 1.0 reshaping (commit 7f156ac), measured on this project's machine
// kind (2 cores, Node 20) in the same quiet session as the figures the benches print now. Each bench prints the
// figure it measures and, beside it, the one recorded here under the same key, so a run shows both side by side.
import { readFileSync } from 'node:fs';

interface Recorded {
  commit: string;
  measuredAt: string;
  figures: Record<string, number>;
}

const recorded = JSON.parse(readFileSync(new URL('./before-1.0.json', import.meta.url), 'utf8')) as Recorded;

/** The recorded figure for `key` with `digits` decimals, or `-` when none was recorded. */
export function was(key: string, digits = 0): string {
  const value = recorded.figures[key];
  if (value === undefined) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `  [before: 9,027]`: the recorded figure for `key`, to print beside the live one; empty when none was recorded. */
export function before(key: string, digits = 0): string {
  return recorded.figures[key] === undefined ? '' : `  [before: ${was(key, digits)}]`;
}

/** One line naming where the "before" figures come from. */
export const beforeNote = `[before: ...] = the same figure before the core 1.0 reshaping (commit ${recorded.commit}, measured ${recorded.measuredAt})`;
