/**
 * What `skiff run` shows while a workflow runs in-process: each step's main log, line by line,
 * prefixed with its pod name as `argo logs` prints it (`hello-world-x7k2p: hello world`), and the
 * workflow as `argo watch` shows it.
 *
 * - On a terminal the `argo get` view (header and node tree) stays at the bottom and is redrawn in
 *   place; log lines scroll above it.
 * - Otherwise (a pipe, a file, CI) nothing is redrawn: each change of a step's phase is one line
 *   (`✔ hello1 (print-message) Succeeded 1s`), and the whole tree is printed once at the end.
 */
import type { NodeStatus, Workflow } from "../controller/spec/types.ts";
import type { LocalHost } from "../controller/local/host.ts";
import { podName } from "../controller/engine/names.ts";
import { relativeShort } from "./humanize.ts";
import { printWorkflow } from "./tree.ts";
import { visibleWidth } from "./tabwriter.ts";

/** Where and how to show a run. */
export interface RunViewOptions {
  /** Where progress goes (stdout, or stderr when stdout carries `-o json`). */
  out: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  /** ANSI colors (default: on a terminal unless NO_COLOR). */
  color?: boolean;
  /** Redraw in place (default: when `out` is a terminal). */
  tty?: boolean;
}

const FINAL = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);
const SHOWN_TYPES = new Set(["Pod", "Suspend", "Skipped", "HTTP", "Plugin", "Container"]);
const GLYPH: Record<string, string> = {
  Pending: "◷",
  Running: "●",
  Succeeded: "✔",
  Skipped: "○",
  Omitted: "○",
  Failed: "✖",
  Error: "⚠",
};
const LOG_COLORS = [32, 33, 34, 35, 36, 37];
const encoder = new TextEncoder();

interface LogCursor {
  /** Characters of the log already printed (whole lines only, until the node ends). */
  printed: number;
  done: boolean;
}

/** Follows one workflow of an in-process host and prints it. */
export class RunView {
  readonly #host: LocalHost;
  readonly #namespace: string;
  readonly #name: string;
  readonly #out: RunViewOptions["out"];
  readonly #tty: boolean;
  readonly #color: boolean;
  #logs = new Map<string, LogCursor>();
  #phases = new Map<string, string>();
  #workflowPhase = "";
  #treeLines = 0;
  #version = -1;
  #last: Workflow | undefined;
  #busy: Promise<void> = Promise.resolve();

  constructor(host: LocalHost, namespace: string, name: string, opts: RunViewOptions) {
    this.#host = host;
    this.#namespace = namespace;
    this.#name = name;
    this.#out = opts.out;
    this.#tty = opts.tty ?? opts.out.isTerminal();
    this.#color = opts.color ?? (this.#tty && !Deno.env.get("NO_COLOR") && Deno.env.get("TERM") !== "dumb");
  }

  /** Prints what changed since the last call (calls never overlap). */
  update(): Promise<void> {
    this.#busy = this.#busy.then(() => this.#update(false));
    return this.#busy;
  }

  /** Prints the rest of every log and the final view. */
  finish(): Promise<void> {
    this.#busy = this.#busy.then(() => this.#update(true));
    return this.#busy;
  }

  /** A line for the user (e.g. "stopping ..."): above the tree on a terminal, else on stderr. */
  note(line: string): void {
    if (this.#tty) this.#write(this.#clearTree() + line + "\n" + this.#treeText());
    else console.error(line);
  }

  async #update(final: boolean): Promise<void> {
    // The workflow is read (and parsed) again only when it was written since the last tick.
    const version = this.#host.version(this.#namespace, this.#name);
    if (version === undefined) return;
    const changed = version !== this.#version;
    let wf = this.#last;
    if (changed || !wf) {
      const stored = this.#host.get(this.#namespace, this.#name);
      if (!stored) return;
      this.#version = stored.version;
      wf = stored.object;
      this.#last = wf;
    }
    const nodes = Object.values(wf.status?.nodes ?? {}) as NodeStatus[];
    let text = await this.#newLogLines(wf, nodes, final);
    if (!this.#tty && changed) text += this.#changes(wf, nodes);
    if (this.#tty) {
      // Redraw at most when something changed, and every tick while running (durations move).
      this.#write(this.#clearTree() + text + this.#treeText());
    } else {
      if (final) text += "\n" + printWorkflow(wf, { color: this.#color });
      if (text) this.#write(text);
    }
  }

  /** One line per step whose phase changed, and the workflow's phase when it changed. */
  #changes(wf: Workflow, nodes: NodeStatus[]): string {
    let text = "";
    const sorted = [...nodes].sort((a, b) =>
      (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name)
    );
    for (const n of sorted) {
      if (!SHOWN_TYPES.has(n.type) || n.name === wf.metadata.name && n.type !== "Pod") continue;
      const p = n.phase ?? "";
      if (this.#phases.get(n.id) === p) continue;
      this.#phases.set(n.id, p);
      const template = n.templateRef
        ? `${n.templateRef.name}/${n.templateRef.template}`
        : n.templateName ?? "";
      const dur = FINAL.has(p) && n.type === "Pod" ? ` ${relativeShort(n.startedAt, n.finishedAt)}` : "";
      const msg = n.message ? `: ${n.message}` : "";
      const display = n.name === wf.metadata.name ? n.name : n.displayName ?? n.name;
      text += `${GLYPH[p] ?? "?"} ${display}${template ? ` (${template})` : ""} ${p}${dur}${msg}\n`;
    }
    const phase = wf.status?.phase ?? "";
    if (phase && phase !== this.#workflowPhase) {
      this.#workflowPhase = phase;
      const msg = wf.status?.message ? `: ${wf.status.message}` : "";
      text += `Workflow ${this.#name} ${phase}${msg}\n`;
    }
    return text;
  }

  /** New whole lines of each step's main log (all of it once the step has ended). */
  async #newLogLines(wf: Workflow, nodes: NodeStatus[], final: boolean): Promise<string> {
    let text = "";
    const pods = nodes.filter((n) => n.type === "Pod" && n.phase && n.phase !== "Pending")
      .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
    for (const n of pods) {
      const cursor = this.#logs.get(n.id) ?? { printed: 0, done: false };
      this.#logs.set(n.id, cursor);
      if (cursor.done) continue;
      const ended = FINAL.has(n.phase ?? "");
      if (!ended && final) continue; // the workflow ended without it (e.g. a stopped daemon): say nothing more
      const log = await this.#host.logs(this.#namespace, this.#name, n.id).catch(() => "");
      let fresh = log.slice(cursor.printed);
      if (!ended) fresh = fresh.slice(0, fresh.lastIndexOf("\n") + 1);
      cursor.printed += fresh.length;
      if (ended) cursor.done = true;
      if (fresh === "") continue;
      const pod = podName(wf.metadata.name ?? "", n.name, n.templateRef?.template ?? n.templateName ?? "");
      const prefix = this.#color ? `\x1b[${colorOf(pod)}m${pod}:\x1b[0m` : `${pod}:`;
      for (const line of fresh.replace(/\n$/, "").split("\n")) text += `${prefix} ${line}\n`;
    }
    return text;
  }

  #treeText(): string {
    if (!this.#tty || !this.#last) {
      this.#treeLines = 0;
      return "";
    }
    let lines = printWorkflow(this.#last, { color: this.#color }).replace(/\n$/, "").split("\n");
    let rows = 50, cols = 200;
    try {
      const size = Deno.consoleSize();
      if (size.rows >= 5) rows = size.rows;
      if (size.columns >= 20) cols = size.columns;
    } catch {
      // not a console after all: keep the defaults
    }
    lines = lines.map((l) => truncate(l, cols - 1));
    if (lines.length > rows - 1) {
      lines = [...lines.slice(0, rows - 2), `... (${lines.length - rows + 2} more)`];
    }
    this.#treeLines = lines.length;
    return "\n" + lines.join("\n") + "\n";
  }

  #clearTree(): string {
    if (!this.#tty || this.#treeLines === 0) return "";
    const up = this.#treeLines + 1;
    this.#treeLines = 0;
    return `\x1b[${up}A\r\x1b[J`;
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += this.#out.writeSync(bytes.subarray(off));
  }
}

/** Argo's color of a pod's log lines: the sum of its characters picks one. */
function colorOf(pod: string): number {
  let sum = 0;
  for (const ch of pod) sum += ch.codePointAt(0) ?? 0;
  return LOG_COLORS[sum % LOG_COLORS.length]!;
}

/** Cuts a line to `width` visible characters (keeping color codes whole). */
function truncate(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  let out = "";
  let seen = 0;
  // deno-lint-ignore no-control-regex
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith("\x1b[")) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (seen >= width) break;
      out += ch;
      seen++;
    }
  }
  return out + (line.includes("\x1b[") ? "\x1b[0m" : "");
}
