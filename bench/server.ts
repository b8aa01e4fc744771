/**
 * The API server's reads, against the same reads done directly in the same run:
 *
 * - a real `skiff server` (a subprocess, process runtime, `--auth-mode none` on loopback) over a
 *   data directory holding 1,000 finished workflows of 20 nodes each and one of 2,000 nodes;
 * - listing them all in one page (with `fields=-items.status.nodes` as the UI and CLI ask, and
 *   whole as Argo's default), and in pages of 50 (`listOptions.limit` + `continue`);
 * - getting the 2,000-node workflow (`GET /api/v1/workflows/{ns}/{name}`).
 *
 * Baseline of each: the same rows read straight from SQLite (node:sqlite) in this process, each
 * JSON.parse'd, then the response JSON.stringify'd: what any server of this data must do at least.
 * Ratios are p50 of skiff over p50 of the baseline (lower is better; 1 would be no overhead).
 *
 * Usage: `deno task bench -- server`
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { Store } from "../controller/local/store.ts";

const WORKFLOWS = 1000;
const NODES_EACH = 20;
const BIG_NODES = 2000;
const ROUNDS = 25;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** A finished workflow of `nodes` pod nodes under one steps node. */
function workflow(name: string, nodes: number, created: string) {
  const at = (i: number) => new Date(Date.parse(created) + i * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const children: Record<string, unknown> = {};
  const ids: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const id = `${name}-${1000000000 + i * 7919}`;
    ids.push(id);
    children[id] = {
      id,
      name: `${name}[0].step(${i}:item-${i})`,
      displayName: `step(${i}:item-${i})`,
      type: "Pod",
      templateName: "work",
      templateScope: "local/" + name,
      phase: "Succeeded",
      boundaryID: name,
      startedAt: at(i),
      finishedAt: at(i + 1),
      progress: "1/1",
      resourcesDuration: { cpu: 1, memory: 1 },
      outputs: { parameters: [{ name: "out", value: `value-${i}` }], exitCode: "0" },
      hostNodeName: "local",
    };
  }
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name,
      namespace: "default",
      creationTimestamp: created,
      labels: { "workflows.argoproj.io/completed": "true", app: "bench" },
    },
    spec: {
      entrypoint: "main",
      templates: [
        {
          name: "main",
          steps: [[{ name: "step", template: "work", withSequence: { count: String(nodes) } }]],
        },
        { name: "work", container: { image: "busybox", command: ["echo"], args: ["{{item}}"] } },
      ],
    },
    status: {
      phase: "Succeeded",
      startedAt: created,
      finishedAt: at(nodes + 1),
      progress: `${nodes}/${nodes}`,
      nodes: {
        [name]: {
          id: name,
          name,
          displayName: name,
          type: "Steps",
          templateName: "main",
          phase: "Succeeded",
          startedAt: created,
          finishedAt: at(nodes + 1),
          children: ids,
        },
        ...children,
      },
    },
  };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** p50 and p95 of a sample, in ms. */
function stats(ms: number[]): { p50: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95) };
}

/** Runs `fn` `rounds` times (after two warm-up runs) and returns the times in ms. */
async function time(rounds: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < 2; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Runs the benchmark; returns the table's lines. */
export async function runServerBench(): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-server-" });
  const base = Date.parse("2026-01-01T00:00:00Z");
  const store = Store.open(dir);
  store.transaction(() => {
    for (let i = 0; i < WORKFLOWS; i++) {
      const created = new Date(base + i * 1000).toISOString().replace(/\.\d+Z$/, "Z");
      store.createWorkflow(workflow(`wf-${String(i).padStart(4, "0")}`, NODES_EACH, created));
    }
    store.createWorkflow(workflow("big", BIG_NODES, "2025-12-31T00:00:00Z"));
  });
  store.close();

  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "server",
      "--port",
      String(port),
      "--data-dir",
      dir,
      "--runtime",
      "process",
      "--auth-mode",
      "none",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const db = new DatabaseSync(`${dir}/skiff.db`, { readOnly: true });
  try {
    for (let i = 0;; i++) {
      try {
        const r = await fetch(`${url}/api/v1/version`);
        await r.body?.cancel();
        if (r.ok) break;
      } catch {
        // not up yet
      }
      if (i > 300) throw new Error("skiff server did not start within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    /** The response's text (timed: what a client waits for; its own JSON.parse is not skiff's). */
    const fetchText = async (path: string) => {
      const r = await fetch(url + path);
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return await r.text();
    };
    type List = { metadata: { continue?: string }; items: unknown[] };
    /** Checks once, untimed, that a list answers all `total` workflows. */
    const check = async (path: string) => {
      const l = JSON.parse(await fetchText(path)) as List;
      if (l.items.length !== total) throw new Error(`${path} listed ${l.items.length}, not ${total}`);
    };

    // ---- baselines: the same rows straight from SQLite, parsed, and the response stringified
    const all = db.prepare(
      "SELECT object FROM workflows WHERE namespace = 'default' ORDER BY created DESC, rowid DESC LIMIT ?",
    );
    const page = db.prepare(
      "SELECT object FROM workflows WHERE namespace = 'default' ORDER BY created DESC, rowid DESC LIMIT 50 OFFSET ?",
    );
    const one = db.prepare("SELECT object FROM workflows WHERE namespace = 'default' AND name = 'big'");
    const parseRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.parse(String(r.object)));
    const total = WORKFLOWS + 1;
    const baseAll = await time(ROUNDS, () => JSON.stringify({ items: parseRows(all.all(total)) }));
    const basePage = await time(ROUNDS, () => {
      for (let off = 0; off < total; off += 50) JSON.stringify({ items: parseRows(page.all(off)) });
    });
    const baseOne = await time(ROUNDS, () => JSON.stringify(JSON.parse(String(one.get()!.object))));

    // ---- skiff server
    const lean = `/api/v1/workflows/default?listOptions.limit=${total}&fields=-items.status.nodes`;
    const whole = `/api/v1/workflows/default?listOptions.limit=${total}`;
    await check(lean);
    await check(whole);
    const leanAll = await time(ROUNDS, () => fetchText(lean));
    const wholeAll = await time(ROUNDS, () => fetchText(whole));
    const perPage: number[] = [];
    const walks = await time(ROUNDS, async () => {
      let token = "";
      let n = 0;
      do {
        const t0 = performance.now();
        const text = await fetchText(
          `/api/v1/workflows/default?listOptions.limit=50&fields=-items.status.nodes${
            token ? `&listOptions.continue=${token}` : ""
          }`,
        );
        perPage.push(performance.now() - t0);
        // Only the token is needed to go on (read without parsing the page).
        token = /"continue":"([^"]+)"/.exec(text)?.[1] ?? "";
        n++;
      } while (token);
      if (n !== Math.ceil(total / 50)) throw new Error(`walked ${n} pages`);
    });
    const getBig = await time(ROUNDS, () => fetchText("/api/v1/workflows/default/big"));

    const pages = Math.ceil(total / 50);
    const row = (what: string, skiff: number[], baseline: number[], baseWhat: string, per = 1) => {
      const a = stats(skiff);
      const b = stats(baseline);
      return `| ${what.padEnd(46)} | ${a.p50.toFixed(1).padStart(7)} | ${a.p95.toFixed(1).padStart(7)} | ${
        (b.p50 / per).toFixed(1).padStart(8)
      } | ${(a.p50 / (b.p50 / per)).toFixed(2).padStart(5)} | ${baseWhat}`;
    };
    lines.push(
      `${total} workflows (${NODES_EACH} nodes each, one of ${BIG_NODES}); ${ROUNDS} rounds; times in ms`,
      `| ${"request".padEnd(46)} | ${"p50".padStart(7)} | ${"p95".padStart(7)} | ${
        "baseline".padStart(8)
      } | ratio | baseline is`,
      `|${"-".repeat(48)}|${"-".repeat(9)}|${"-".repeat(9)}|${"-".repeat(10)}|-------|-------------`,
      row(
        `list all ${total}, fields=-items.status.nodes`,
        leanAll,
        baseAll,
        "SQLite rows + JSON.parse + stringify, whole",
      ),
      row(`list all ${total}, whole (no fields)`, wholeAll, baseAll, "same"),
      row(
        `one page of 50 (walking ${pages} pages)`,
        perPage,
        basePage,
        "same, per page of 50 (OFFSET)",
        pages,
      ),
      row(`walk all ${pages} pages of 50`, walks, basePage, "same, all pages"),
      row(`get one workflow of ${BIG_NODES} nodes`, getBig, baseOne, "SQLite row + JSON.parse + stringify"),
    );
  } finally {
    db.close();
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return lines;
}

if (import.meta.main) {
  for (const l of await runServerBench()) console.log(l);
}
