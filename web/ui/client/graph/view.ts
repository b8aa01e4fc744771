/// <reference lib="dom" />
/**
 * Draws a laid-out workflow graph as SVG, and keeps it current cheaply: the SVG is built once per
 * layout (one string, one parse), then a phase change only swaps the class of that node's
 * element. Pan by dragging, zoom with the wheel or the buttons; a click selects a node.
 */
import { phaseClass } from "../format.ts";
import type { NodeStatus } from "../types.ts";
import { isDot, type LayoutResult, SIZE } from "./model.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const TYPE_MARK: Record<string, string> = {
  Steps: "≡",
  DAG: "⋔",
  Retry: "↻",
  Suspend: "❚❚",
  Skipped: "↷",
  TaskGroup: "",
  StepGroup: "",
};

/** The label drawn in a box: the display name, cut to fit. */
export function boxLabel(n: NodeStatus): string {
  const name = n.displayName ?? n.name;
  const max = TYPE_MARK[n.type] ? 18 : 21;
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

function nodeClass(n: NodeStatus, selected: boolean): string {
  const suspended = n.type === "Suspend" && n.phase === "Running" ? " suspended" : "";
  return `node t-${n.type.toLowerCase()} ${phaseClass(n.phase)}${suspended}${selected ? " selected" : ""}`;
}

function nodeSvg(n: NodeStatus, x: number, y: number): string {
  const title = `<title>${esc(`${n.displayName ?? n.name} (${n.type}): ${n.phase || "Pending"}`)}</title>`;
  if (isDot(n)) {
    return `<g class="${nodeClass(n, false)}" data-id="${
      esc(n.id)
    }" transform="translate(${x},${y})">${title}` +
      `<circle r="${SIZE.dot / 2}"/></g>`;
  }
  const w = SIZE.boxW;
  const h = SIZE.boxH;
  const mark = TYPE_MARK[n.type] ?? "";
  return `<g class="${nodeClass(n, false)}" data-id="${
    esc(n.id)
  }" transform="translate(${x},${y})">${title}` +
    `<rect x="${-w / 2}" y="${-h / 2}" width="${w}" height="${h}" rx="6"/>` +
    `<circle class="status" cx="${-w / 2 + 16}" cy="0" r="7"/>` +
    `<text class="label" x="${-w / 2 + 30}" y="4">${esc(boxLabel(n))}</text>` +
    (mark ? `<text class="mark" x="${w / 2 - 10}" y="4" text-anchor="end">${esc(mark)}</text>` : "") +
    `</g>`;
}

function edgePath(points: { x: number; y: number }[]): string {
  if (points.length === 0) return "";
  let d = `M${points[0]!.x.toFixed(1)},${points[0]!.y.toFixed(1)}`;
  if (points.length === 3) {
    // dagre's usual 3 points: a smooth curve through the middle one.
    const [, m, e] = points as [unknown, { x: number; y: number }, { x: number; y: number }];
    return `${d}Q${m.x.toFixed(1)},${m.y.toFixed(1)} ${e.x.toFixed(1)},${e.y.toFixed(1)}`;
  }
  for (let i = 1; i < points.length; i++) d += `L${points[i]!.x.toFixed(1)},${points[i]!.y.toFixed(1)}`;
  return d;
}

/** The graph view of one workflow. */
export class GraphView {
  readonly svg: SVGSVGElement;
  #root: SVGGElement;
  #elements = new Map<string, { el: Element; cls: string }>();
  #selected: string | undefined;
  #k = 1;
  #tx = 0;
  #ty = 0;
  #size = { width: 0, height: 0 };
  #onSelect: (id: string) => void;
  /** The user moved or zoomed the view: a resize no longer refits it. */
  #moved = false;
  #resize: ResizeObserver;

  constructor(container: HTMLElement, onSelect: (id: string) => void) {
    this.#onSelect = onSelect;
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "graph");
    this.svg.setAttribute("role", "img");
    this.svg.setAttribute("aria-label", "workflow graph");
    this.#root = document.createElementNS(SVG_NS, "g");
    this.svg.appendChild(this.#root);
    container.appendChild(this.svg);
    this.#installPanZoom();
    this.#resize = new ResizeObserver(() => {
      if (!this.#moved) this.fit();
    });
    this.#resize.observe(container);
  }

  /** Removes the view. */
  destroy(): void {
    this.#resize.disconnect();
    this.svg.remove();
  }

  /** Draws a new layout of `nodes` (replacing what was drawn). */
  draw(nodes: Record<string, NodeStatus>, layout: LayoutResult, keepView: boolean): void {
    const parts: string[] = [
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
      `orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>`,
    ];
    for (const b of layout.blocks) {
      parts.push(
        `<g class="block"><rect x="${b.x - b.width / 2}" y="${b.y - b.height / 2}" width="${b.width}" ` +
          `height="${b.height}" rx="8"/><text x="${b.x - b.width / 2 + 10}" y="${b.y - b.height / 2 + 18}">` +
          `${esc(b.caption)}</text></g>`,
      );
    }
    parts.push(`<g class="edges">`);
    for (const e of layout.edges) parts.push(`<path d="${edgePath(e.points)}" marker-end="url(#arrow)"/>`);
    parts.push(`</g><g class="nodes">`);
    for (const [id, p] of Object.entries(layout.nodes)) {
      const n = nodes[id];
      if (n) parts.push(nodeSvg(n, Math.round(p.x), Math.round(p.y)));
    }
    parts.push(`</g>`);
    this.#root.innerHTML = parts.join("");
    this.#elements.clear();
    for (const el of this.#root.querySelectorAll("g.node")) {
      const id = el.getAttribute("data-id")!;
      this.#elements.set(id, { el, cls: el.getAttribute("class") ?? "" });
    }
    this.#size = { width: layout.width, height: layout.height };
    if (this.#selected) this.select(this.#selected);
    if (!keepView || !this.#moved) this.fit();
  }

  /** Updates the phases (classes and titles) of nodes already drawn; returns how many changed. */
  update(nodes: Record<string, NodeStatus>): number {
    let changed = 0;
    for (const [id, entry] of this.#elements) {
      const n = nodes[id];
      if (!n) continue;
      const cls = nodeClass(n, id === this.#selected);
      if (cls === entry.cls) continue;
      entry.el.setAttribute("class", cls);
      entry.cls = cls;
      const title = entry.el.firstElementChild;
      if (title?.tagName === "title") {
        title.textContent = `${n.displayName ?? n.name} (${n.type}): ${n.phase || "Pending"}`;
      }
      changed++;
    }
    return changed;
  }

  /** Marks a node as selected (and scrolls it into view when it is off screen). */
  select(id: string | undefined, nodes?: Record<string, NodeStatus>): void {
    const old = this.#selected && this.#elements.get(this.#selected);
    if (old) {
      old.cls = old.cls.replace(/ selected$/, "");
      old.el.setAttribute("class", old.cls);
    }
    this.#selected = id;
    const cur = id && this.#elements.get(id);
    if (cur) {
      if (!cur.cls.endsWith(" selected")) cur.cls += " selected";
      cur.el.setAttribute("class", cur.cls);
      if (nodes) this.#reveal(cur.el);
    }
  }

  /** Number of node elements drawn. */
  get drawn(): number {
    return this.#elements.size;
  }

  /** Scales the whole graph into view (never above 100%). */
  fit(): void {
    this.#moved = false;
    const box = this.svg.getBoundingClientRect();
    if (box.width === 0 || this.#size.width === 0) return;
    const k = Math.min(1, box.width / this.#size.width, box.height / this.#size.height);
    this.#k = Math.max(k, 0.02);
    this.#tx = (box.width - this.#size.width * this.#k) / 2;
    this.#ty = Math.max(0, (box.height - this.#size.height * this.#k) / 2);
    this.#apply();
  }

  /** Zooms by `factor` around the view's center (or a point of it). */
  zoom(factor: number, at?: { x: number; y: number }): void {
    this.#moved = true;
    const box = this.svg.getBoundingClientRect();
    const cx = at?.x ?? box.width / 2;
    const cy = at?.y ?? box.height / 2;
    const k = Math.min(4, Math.max(0.02, this.#k * factor));
    this.#tx = cx - ((cx - this.#tx) * k) / this.#k;
    this.#ty = cy - ((cy - this.#ty) * k) / this.#k;
    this.#k = k;
    this.#apply();
  }

  /** Shows the node at 100% in the middle of the view. */
  focus(id: string): void {
    const entry = this.#elements.get(id);
    if (!entry) return;
    const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(entry.el.getAttribute("transform") ?? "");
    if (!m) return;
    const box = this.svg.getBoundingClientRect();
    this.#moved = true;
    this.#k = Math.max(this.#k, 0.8);
    this.#tx = box.width / 2 - Number(m[1]) * this.#k;
    this.#ty = box.height / 2 - Number(m[2]) * this.#k;
    this.#apply();
  }

  #reveal(el: Element): void {
    const r = el.getBoundingClientRect();
    const box = this.svg.getBoundingClientRect();
    if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) {
      this.focus(el.getAttribute("data-id") ?? "");
    }
  }

  #apply(): void {
    this.#root.setAttribute(
      "transform",
      `translate(${this.#tx.toFixed(1)},${this.#ty.toFixed(1)}) scale(${this.#k})`,
    );
    this.svg.classList.toggle("far", this.#k < 0.45);
  }

  #installPanZoom(): void {
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const box = this.svg.getBoundingClientRect();
      this.zoom(Math.exp(-e.deltaY * 0.0015), { x: e.clientX - box.left, y: e.clientY - box.top });
    }, { passive: false });
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, tx: this.#tx, ty: this.#ty, moved: false };
    });
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) this.svg.setPointerCapture(e.pointerId);
      drag.moved = true;
      this.#moved = true;
      this.#tx = drag.tx + dx;
      this.#ty = drag.ty + dy;
      this.#apply();
    });
    const end = (e: PointerEvent) => {
      const d = drag;
      drag = undefined;
      if (!d || d.moved || e.type !== "pointerup") return;
      const node = (e.target as Element | null)?.closest?.("g.node");
      const id = node?.getAttribute("data-id");
      if (id) this.#onSelect(id);
    };
    this.svg.addEventListener("pointerup", end);
    this.svg.addEventListener("pointercancel", end);
  }
}
