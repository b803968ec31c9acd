import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QDESK_ERROR_CODES } from '../../packages/core/src/errors.js';
import { VERIFIER_EVENT_NAMES } from '../../packages/core/src/events.js';
import { TERMINAL_STATUSES, TRANSITION_TABLE } from '../../packages/core/src/machine/index.js';
import { generatedFiles, STATES_END, STATES_START } from './generate.js';
import { createWorkspaceProgram, errorClasses, errorCodes, ROOT, verifierEvents } from './reference.js';
import { diagramGraph, stateDiagramSvg } from './state-diagram.js';

const program = createWorkspaceProgram();
const files = generatedFiles();

describe('generated docs', () => {
  for (const [path, content] of files) {
    it(`${path} is up to date (else run: pnpm exec tsx scripts/docs/generate.ts)`, () => {
      expect(readFileSync(join(ROOT, path), 'utf8')).toBe(content);
    });
  }

  it('QDESK_ERROR_CODES lists the members of QdeskErrorCode, in order', () => {
    expect([...QDESK_ERROR_CODES]).toEqual(errorCodes(program).map((c) => c.code));
  });

  it('VERIFIER_EVENT_NAMES lists the keys of VerifierEventMap, in order', () => {
    expect([...VERIFIER_EVENT_NAMES]).toEqual(verifierEvents(program).map((e) => e.name));
  });

  it('documents every error code and every event', () => {
    expect(
      errorCodes(program)
        .filter((c) => !c.doc)
        .map((c) => c.code),
    ).toEqual([]);
    expect(
      verifierEvents(program)
        .filter((e) => !e.doc)
        .map((e) => e.name),
    ).toEqual([]);
    const undocumented = verifierEvents(program).flatMap((e) =>
      e.fields.filter((f) => !f.doc).map((f) => `${e.name}.${f.name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it('finds a carrier class for every code, and every code a subclass narrows to exists', () => {
    const codes = errorCodes(program).map((c) => c.code);
    const classes = errorClasses(program);
    const carried = new Set(classes.flatMap((c) => c.codes ?? []));
    expect(codes.filter((c) => !carried.has(c))).toEqual([]);
    expect([...carried].filter((c) => !codes.includes(c))).toEqual([]);
    expect(classes.find((c) => c.name === 'PreconditionError')?.codes).toContain('ticket_missing_contact');
  });
});

describe('state diagram', () => {
  it('draws every move of TRANSITION_TABLE', () => {
    const graph = diagramGraph(TRANSITION_TABLE, TERMINAL_STATUSES);
    const drawn = new Set<string>();
    for (const e of graph.edges)
      for (const label of e.labels) drawn.add(`${e.from}|${label.split(': ')[0]}|${e.to}`);
    for (const [state, labels] of graph.loops)
      for (const label of labels) drawn.add(`${state}|${label.split(': ')[0]}|${state}`);
    const expected = TRANSITION_TABLE.flatMap((row) =>
      row.to.map((to) => {
        const key = `${row.from}|${row.event}|${to}`;
        return drawn.has(key) || drawn.has(`(any active state)|${row.event}|${to}`) ? null : key;
      }),
    );
    expect(expected.filter(Boolean)).toEqual([]);
  });

  it('is deterministic and names every status', () => {
    const svg = stateDiagramSvg(TRANSITION_TABLE, TERMINAL_STATUSES);
    expect(stateDiagramSvg(TRANSITION_TABLE, TERMINAL_STATUSES)).toBe(svg);
    for (const status of ['idle', 'sent', 'awaiting_push', 'awaiting_code', ...TERMINAL_STATUSES]) {
      expect(svg).toContain(`>${status}</text>`);
    }
  });

  it('the concepts guide holds the table between its markers', () => {
    const concepts = files.get('docs/guides/concepts.md')!;
    expect(concepts.indexOf(STATES_START)).toBeGreaterThan(0);
    expect(concepts.indexOf(STATES_END)).toBeGreaterThan(concepts.indexOf(STATES_START));
  });
});
