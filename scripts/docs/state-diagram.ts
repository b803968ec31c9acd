/**
 * The session state diagram and table, generated from core's `TRANSITION_TABLE`: a small layered layout (ranks,
 * virtual nodes for long edges and labels, barycenter ordering, order-preserving placement) drawn as SVG, with no
 * graphviz and no network. The output is deterministic, so a test can compare it with the committed file.
 */

import { markdownTable } from './markdown.js';

/** One row of `TRANSITION_TABLE`, as the diagram reads it. */
export interface DiagramRow {
  from: string;
  event: string;
  to: readonly string[];
  when: string;
}

/** The pseudo-state that stands for "any active state" when an event leads to the same place from all of them. */
const ANY = '(any active state)';

const FONT = 12;
const CHAR = FONT * 0.6; // monospace advance
const LINE = FONT + 3;
const PAD_X = 10;
const PAD_Y = 7;
const RANK_GAP = 18;
const NODE_GAP = 22;
const LABEL_GAP = 8;
const LOOP = 22;
const MARGIN = 12;

const textWidth = (text: string) => Math.ceil(text.length * CHAR);

interface Edge {
  from: string;
  to: string;
  labels: string[];
}

interface Node {
  id: string;
  kind: 'active' | 'terminal' | 'any' | 'label' | 'bend';
  layer: number;
  width: number;
  height: number;
  /** Extra room above for a self-loop and its label. */
  topExtra: number;
  lines: string[];
  x: number;
  y: number;
}

/** The label of one `to` of a row: the event, and the matching part of `when` when it lists one per target. */
function labelFor(row: DiagramRow, index: number): string {
  const parts = row.when.split(' / ');
  return parts.length === row.to.length && row.to.length > 1 ? `${row.event}: ${parts[index]}` : row.event;
}

/** Active states in table order, terminal states in the given order, and the edges between them. */
export function diagramGraph(rows: readonly DiagramRow[], terminalOrder: readonly string[]) {
  const active = [...new Set(rows.map((r) => r.from))];
  const targets = new Set(rows.flatMap((r) => [...r.to]));
  const terminal = [
    ...terminalOrder.filter((s) => targets.has(s)),
    ...[...targets].filter((s) => !active.includes(s) && !terminalOrder.includes(s)),
  ];
  // An (event, target) reached from every active state is drawn once, from the "any active state" node.
  const fromSets = new Map<string, Set<string>>();
  rows.forEach((row) => {
    row.to.forEach((to, i) => {
      const key = `${labelFor(row, i)}\u0000${to}`;
      const set = fromSets.get(key) ?? new Set<string>();
      set.add(row.from);
      fromSets.set(key, set);
    });
  });
  const everywhere = new Set(
    [...fromSets]
      .filter(([key, set]) => set.size === active.length && !active.includes(key.split('\u0000')[1]!))
      .map(([key]) => key),
  );
  const edges: Edge[] = [];
  const loops = new Map<string, string[]>();
  const add = (from: string, to: string, label: string) => {
    if (from === to) {
      const list = loops.get(from) ?? [];
      if (!list.includes(label)) list.push(label);
      loops.set(from, list);
      return;
    }
    const edge = edges.find((e) => e.from === from && e.to === to);
    if (!edge) edges.push({ from, to, labels: [label] });
    else if (!edge.labels.includes(label)) edge.labels.push(label);
  };
  for (const row of rows) {
    row.to.forEach((to, i) => {
      const label = labelFor(row, i);
      add(everywhere.has(`${label}\u0000${to}`) ? ANY : row.from, to, label);
    });
  }
  return { active, terminal, edges, loops, hasAny: everywhere.size > 0 };
}

/**
 * Pool-adjacent-violators: positions as close as possible (least squares) to `desired`, in the same order, each at
 * least `gaps[i]` right of the previous one.
 */
function placeInOrder(desired: number[], gaps: number[]): number[] {
  const offsets: number[] = [];
  let sum = 0;
  for (let i = 0; i < desired.length; i++) {
    sum += i === 0 ? 0 : gaps[i]!;
    offsets.push(sum);
  }
  const blocks: { total: number; count: number }[] = [];
  for (let i = 0; i < desired.length; i++) {
    blocks.push({ total: desired[i]! - offsets[i]!, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.total / prev.count <= last.total / last.count) break;
      blocks.pop();
      prev.total += last.total;
      prev.count += last.count;
    }
  }
  const out: number[] = [];
  for (const block of blocks) for (let k = 0; k < block.count; k++) out.push(block.total / block.count);
  return out.map((base, i) => base + offsets[i]!);
}

const round = (n: number) => Math.round(n * 10) / 10;
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The label lines of an edge: each event on its own line, with the part of `when` that applies under it. */
function labelLines(labels: readonly string[]): string[] {
  return labels.flatMap((label) => {
    const [event, part] = label.split(': ');
    return part === undefined ? [event!] : [event!, `(${part})`];
  });
}

/**
 * The state diagram as an SVG document, left to right: active states by rank, terminal states in the last column,
 * each edge labelled with its events in the column after its source.
 */
export function stateDiagramSvg(rows: readonly DiagramRow[], terminalOrder: readonly string[]): string {
  const graph = diagramGraph(rows, terminalOrder);
  const nodes = new Map<string, Node>();
  const node = (id: string, kind: Node['kind'], lines: string[], layer: number): Node => {
    const text = Math.max(...lines.map(textWidth));
    const n: Node = {
      id,
      kind,
      layer,
      width: text + 2 * PAD_X,
      height: LINE + 2 * PAD_Y,
      topExtra: 0,
      lines,
      x: 0,
      y: 0,
    };
    if (kind === 'label') {
      n.width = text + 6;
      n.height = lines.length * LINE + 4;
    }
    if (kind === 'bend') {
      n.width = 2;
      n.height = 2;
    }
    nodes.set(id, n);
    return n;
  };

  // Ranks: longest path from the first state among active states; terminal states one rank after the last.
  const rank = new Map<string, number>(graph.active.map((s) => [s, 0]));
  for (let pass = 0; pass < graph.active.length; pass++) {
    for (const e of graph.edges) {
      if (rank.has(e.from) && rank.has(e.to))
        rank.set(e.to, Math.max(rank.get(e.to)!, rank.get(e.from)! + 1));
    }
  }
  const lastActive = Math.max(...rank.values());
  for (const s of graph.active) node(s, 'active', [s], 2 * rank.get(s)!);
  if (graph.hasAny) node(ANY, 'any', [ANY], 2 * lastActive);
  for (const s of graph.terminal) node(s, 'terminal', [s], 2 * (lastActive + 1));
  for (const [state, labels] of graph.loops) {
    nodes.get(state)!.topExtra = LOOP + labelLines(labels).length * LINE;
  }

  // Every edge becomes a chain through a label node (the column after its source) and bend nodes (columns after).
  const chains = graph.edges.map((e) => {
    const from = nodes.get(e.from)!;
    const to = nodes.get(e.to)!;
    const chain = [from.id];
    for (let layer = from.layer + 1; layer < to.layer; layer++) {
      const id = `${e.from}->${e.to}@${layer}`;
      node(
        id,
        layer === from.layer + 1 ? 'label' : 'bend',
        layer === from.layer + 1 ? labelLines(e.labels) : [''],
        layer,
      );
      chain.push(id);
    }
    chain.push(to.id);
    return chain;
  });

  const layerCount = Math.max(...[...nodes.values()].map((n) => n.layer)) + 1;
  const layers: Node[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes.values()) layers[n.layer]!.push(n);
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  for (const chain of chains) {
    for (let i = 1; i < chain.length; i++) {
      before.set(chain[i]!, [...(before.get(chain[i]!) ?? []), chain[i - 1]!]);
      after.set(chain[i - 1]!, [...(after.get(chain[i - 1]!) ?? []), chain[i]!]);
    }
  }

  // Order within columns: barycenter sweeps, ties kept in their current order.
  const position = new Map<string, number>();
  for (const layer of layers) {
    layer.forEach((n, i) => {
      position.set(n.id, i);
    });
  }
  const sortBy = (layer: Node[], neighbours: Map<string, string[]>) => {
    const key = (n: Node) => {
      if (n.kind === 'any') return Number.POSITIVE_INFINITY; // below the states it stands for
      const list = neighbours.get(n.id) ?? [];
      return list.length
        ? list.reduce((s, id) => s + position.get(id)!, 0) / list.length
        : position.get(n.id)!;
    };
    const keyed = layer.map((n, i) => ({ n, k: key(n), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    layer.splice(0, layer.length, ...keyed.map((entry) => entry.n));
    layer.forEach((n, i) => {
      position.set(n.id, i);
    });
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    for (let l = 1; l < layerCount; l++) sortBy(layers[l]!, before);
    for (let l = layerCount - 2; l >= 0; l--) sortBy(layers[l]!, after);
  }

  // Vertical placement: each node near the mean of its neighbours, order kept, no overlap.
  const virtual = (n: Node) => n.kind === 'label' || n.kind === 'bend';
  const gapBetween = (a: Node, b: Node) =>
    a.height / 2 + b.height / 2 + b.topExtra + (virtual(a) || virtual(b) ? LABEL_GAP : NODE_GAP);
  for (const layer of layers) {
    let y = 0;
    layer.forEach((n, i) => {
      y += i === 0 ? n.topExtra : gapBetween(layer[i - 1]!, n);
      n.y = y;
    });
  }
  for (let iteration = 0; iteration < 24; iteration++) {
    const order = iteration % 2 === 0 ? [...layers.keys()] : [...layers.keys()].reverse();
    for (const l of order) {
      const layer = layers[l]!;
      const desired = layer.map((n) => {
        const near = [...(before.get(n.id) ?? []), ...(after.get(n.id) ?? [])].map((id) => nodes.get(id)!.y);
        return near.length ? near.reduce((s, v) => s + v, 0) / near.length : n.y;
      });
      const gaps = layer.map((n, i) => (i === 0 ? 0 : gapBetween(layer[i - 1]!, n)));
      placeInOrder(desired, gaps).forEach((y, i) => {
        layer[i]!.y = y;
      });
    }
  }

  // Horizontal placement: each column as wide as its widest node.
  // Virtual nodes span their whole column, so an edge crosses a column as one straight line.
  const span = new Map<string, [number, number]>();
  let x = MARGIN;
  for (const layer of layers) {
    const width = Math.max(0, ...layer.map((n) => n.width));
    for (const n of layer) {
      n.x = x + width / 2;
      span.set(n.id, virtual(n) ? [x, x + width] : [n.x - n.width / 2, n.x + n.width / 2]);
    }
    x += width + RANK_GAP;
  }
  const all = [...nodes.values()];
  const minY = Math.min(...all.map((n) => n.y - n.height / 2 - n.topExtra));
  const edgeX = (n: Node, side: 0 | 1) => span.get(n.id)![side];
  for (const n of all) n.y += MARGIN - minY;
  const width = Math.ceil(x - RANK_GAP + MARGIN);
  const height = Math.ceil(Math.max(...all.map((n) => n.y + n.height / 2)) + MARGIN);

  // Ports: edges leave a node's right side and enter its left side spread out, in the order of where they go.
  const outPorts = new Map<string, number>();
  const inPorts = new Map<string, number>();
  const spread = (n: Node, ids: string[], map: Map<string, number>, key: (id: string) => string) => {
    const sorted = [...ids].sort((a, b) => nodes.get(a)!.y - nodes.get(b)!.y);
    const usable = virtual(n) ? 0 : n.height * 0.6;
    sorted.forEach((id, k) => {
      map.set(key(id), n.y - usable / 2 + (usable * (k + 1)) / (sorted.length + 1));
    });
  };
  for (const n of all) {
    spread(n, after.get(n.id) ?? [], outPorts, (id) => `${n.id}|${id}`);
    spread(n, before.get(n.id) ?? [], inPorts, (id) => `${id}|${n.id}`);
  }

  const out: string[] = [];
  const p = (px: number, py: number) => `${round(px)},${round(py)}`;
  for (const chain of chains) {
    let d = '';
    for (let i = 1; i < chain.length; i++) {
      const a = nodes.get(chain[i - 1]!)!;
      const b = nodes.get(chain[i]!)!;
      const ax = edgeX(a, 1);
      const ay = outPorts.get(`${a.id}|${b.id}`) ?? a.y;
      const bx = edgeX(b, 0);
      const by = inPorts.get(`${a.id}|${b.id}`) ?? b.y;
      const mid = (ax + bx) / 2;
      d += `${i === 1 ? 'M' : 'L'}${p(ax, ay)}C${p(mid, ay)} ${p(mid, by)} ${p(bx, by)}`;
    }
    const dashed = chain[0] === ANY ? ' stroke-dasharray="5 4"' : '';
    out.push(`<path class="edge" d="${d}"${dashed} marker-end="url(#arrow)"/>`);
  }
  for (const [state, labels] of graph.loops) {
    const n = nodes.get(state)!;
    const top = n.y - n.height / 2;
    const x0 = n.x - n.width / 4;
    const x1 = n.x + n.width / 4;
    out.push(
      `<path class="edge" d="M${p(x0, top)}C${p(x0 - 6, top - LOOP)} ${p(x1 + 6, top - LOOP)} ${p(x1, top - 1)}" marker-end="url(#arrow)"/>`,
    );
    const lines = labelLines(labels);
    lines.forEach((line, i) => {
      const ty = top - LOOP * 0.75 - (lines.length - 1 - i) * LINE;
      out.push(
        `<text class="label" x="${round(n.x)}" y="${round(ty)}" text-anchor="middle">${escapeXml(line)}</text>`,
      );
    });
  }
  for (const n of all) {
    if (n.kind === 'bend') continue;
    const left = n.x - n.width / 2;
    const top = n.y - n.height / 2;
    if (n.kind === 'label') {
      out.push(
        `<rect class="label-bg" x="${round(left)}" y="${round(top)}" width="${round(n.width)}" height="${round(n.height)}"/>`,
      );
      n.lines.forEach((line, i) => {
        out.push(
          `<text class="label" x="${round(n.x)}" y="${round(top + 2 + i * LINE + FONT)}" text-anchor="middle">${escapeXml(line)}</text>`,
        );
      });
      continue;
    }
    out.push(
      `<rect class="${n.kind}" x="${round(left)}" y="${round(top)}" width="${round(n.width)}" height="${round(n.height)}" rx="${n.kind === 'terminal' ? 3 : 10}"/>`,
    );
    out.push(
      `<text class="state ${n.kind}" x="${round(n.x)}" y="${round(n.y + FONT / 3)}" text-anchor="middle">${escapeXml(n.id)}</text>`,
    );
  }

  const states = [...graph.active, ...graph.terminal].join(', ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="title">`,
    `<title id="title">Verification session states: ${escapeXml(states)}. Generated from TRANSITION_TABLE.</title>`,
    '<style>',
    `  text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: ${FONT}px; fill: #1f2328; }`,
    '  .label { fill: #424a53; }',
    '  .state.terminal { font-weight: bold; }',
    '  .state.any { font-style: italic; }',
    '  rect.active { fill: #eaf2fc; stroke: #2f6db3; stroke-width: 1.5; }',
    '  rect.terminal { fill: #f6f8fa; stroke: #1f2328; stroke-width: 2.5; }',
    '  rect.any { fill: #ffffff; stroke: #6e7781; stroke-width: 1.2; stroke-dasharray: 5 4; }',
    '  rect.label-bg { fill: #ffffff; fill-opacity: 0.92; }',
    '  .edge { fill: none; stroke: #6e7781; stroke-width: 1.3; }',
    '</style>',
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#6e7781"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}

/** The transition table as Markdown: one row per move, the same move from several states on one row. */
export function stateTable(rows: readonly DiagramRow[]): string {
  const merged: { from: string[]; row: DiagramRow }[] = [];
  for (const row of rows) {
    const same = merged.find(
      (m) => m.row.event === row.event && m.row.when === row.when && m.row.to.join() === row.to.join(),
    );
    if (same) same.from.push(row.from);
    else merged.push({ from: [row.from], row });
  }
  const code = (s: string) => `\`${s}\``;
  return markdownTable(
    ['from', 'event', 'to', 'when'],
    merged.map(({ from, row }) => [
      from.map(code).join(', '),
      code(row.event),
      row.to.map(code).join(' / '),
      row.when.replace(/\|/g, '\\|'),
    ]),
  );
}
