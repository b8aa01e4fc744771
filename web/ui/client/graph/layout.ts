/**
 * Carries out a {@link LayoutPlan} with dagre (layered, top to bottom): each block's unit once,
 * then the graph with the blocks sized to hold their grids, then the units' copies placed in the
 * grids. Runs in the layout worker (worker.ts) in the browser, and directly in Deno's tests.
 */
import { dagre } from "../../deps/dagre.ts";
import {
  blockSize,
  type LayoutPlan,
  type LayoutResult,
  type PlanGraph,
  type Point,
  SIZE,
  unitGaps,
} from "./model.ts";

interface Laid {
  nodes: Map<string, Point>;
  edges: { from: string; to: string; points: Point[] }[];
  width: number;
  height: number;
}

function runDagre(graph: PlanGraph, ranker: LayoutPlan["ranker"], margin: number): Laid {
  const g = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  g.setGraph({
    rankdir: "TB",
    nodesep: 24,
    ranksep: 36,
    edgesep: 8,
    marginx: margin,
    marginy: margin,
    ranker,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const [a, b] of graph.edges) g.setEdge(a, b);
  dagre.layout(g);
  const nodes = new Map<string, Point>();
  for (const id of g.nodes()) {
    const n = g.node(id);
    if (n?.x !== undefined && n.y !== undefined) nodes.set(id, { x: n.x, y: n.y });
  }
  const edges: Laid["edges"] = [];
  for (const e of g.edges()) {
    edges.push({
      from: e.v,
      to: e.w,
      points: (g.edge(e)?.points ?? []).map((p: Point) => ({ x: p.x, y: p.y })),
    });
  }
  const label = g.graph();
  return { nodes, edges, width: label.width ?? 0, height: label.height ?? 0 };
}

/** Lays out the plan. */
export function layout(plan: LayoutPlan): LayoutResult {
  const started = performance.now();
  const units = plan.blocks.map((b) => {
    const laid = runDagre(b.unit, b.unit.nodes.length <= 150 ? "network-simplex" : "longest-path", 0);
    return { laid, size: blockSize(b.units.length, laid.width, laid.height, b.unit.nodes.length) };
  });
  const sizes = new Map(plan.blocks.map((b, i) => [b.id, units[i]!.size]));
  const main: PlanGraph = {
    nodes: plan.main.nodes.map((n) => {
      const s = sizes.get(n.id);
      return s ? { id: n.id, width: s.width, height: s.height } : n;
    }),
    edges: plan.main.edges,
  };
  const laid = runDagre(main, plan.ranker, 24);
  const result: LayoutResult = {
    nodes: {},
    edges: laid.edges,
    blocks: [],
    width: laid.width,
    height: laid.height,
    ms: 0,
  };
  for (const [id, p] of laid.nodes) if (!sizes.has(id)) result.nodes[id] = p;
  plan.blocks.forEach((b, i) => {
    const { laid: unit, size } = units[i]!;
    const gap = unitGaps(b.unit.nodes.length);
    const center = laid.nodes.get(b.id) ?? { x: 0, y: 0 };
    const left = center.x - size.width / 2;
    const top = center.y - size.height / 2;
    result.blocks.push({
      id: b.id,
      x: center.x,
      y: center.y,
      width: size.width,
      height: size.height,
      caption: b.caption,
    });
    const template = b.unit.nodes.map((n) => unit.nodes.get(n.id) ?? { x: 0, y: 0 });
    const index = new Map(b.unit.nodes.map((n, k) => [n.id, k]));
    b.units.forEach((members, k) => {
      const dx = left + SIZE.blockPad + (k % size.cols) * (unit.width + gap.x);
      const dy = top + SIZE.blockPad + SIZE.blockCaption +
        Math.floor(k / size.cols) * (unit.height + gap.y);
      members.forEach((id, j) => {
        const p = template[j]!;
        result.nodes[id] = { x: p.x + dx, y: p.y + dy };
      });
      for (const e of unit.edges) {
        const from = members[index.get(e.from)!];
        const to = members[index.get(e.to)!];
        if (from === undefined || to === undefined) continue;
        result.edges.push({ from, to, points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) });
      }
    });
  });
  result.ms = Math.round(performance.now() - started);
  return result;
}
