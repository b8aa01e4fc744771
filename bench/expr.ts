/**
 * expr-wasm against the plain TypeScript baseline, measured in the same run: per `when`, per
 * single-tag substitution and per whole-template substitution (scope reused).
 *
 * @module
 */
import { exprCore } from "../expr-wasm/mod.ts";
import { baselineEvalWhen, baselineSubstitute } from "./expr_baseline.ts";

/** Microseconds per operation of `fn` (which performs `opsPerCall` operations) over `ms`. */
function timeOnce(fn: () => void, opsPerCall: number, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 20; i++) fn();
    calls += 20;
    now = performance.now();
  }
  return ((now - start) * 1000) / (calls * opsPerCall);
}

/**
 * Measures `wasm` and `base` in alternating rounds (the machine is shared and its load drifts,
 * so each side gets the same mix of quiet and busy moments) and keeps each side's fastest round.
 */
function measurePair(
  wasm: () => void,
  base: () => void,
  opsPerCall: number,
  rounds = 5,
  ms = 80,
): [number, number] {
  for (let i = 0; i < 200; i++) { // warm up
    wasm();
    base();
  }
  let w = Infinity;
  let b = Infinity;
  for (let r = 0; r < rounds; r++) {
    w = Math.min(w, timeOnce(wasm, opsPerCall, ms));
    b = Math.min(b, timeOnce(base, opsPerCall, ms));
  }
  return [w, b];
}

function line(name: string, [wasm, base]: [number, number]): string {
  return `${name}: wasm ${wasm.toFixed(2)} µs/op, baseline ${base.toFixed(2)} µs/op, ratio ${
    (wasm / base).toFixed(2)
  }x`;
}

/** A scope of ~50 variables like a DAG task's. */
export function benchScope(): Record<string, string> {
  const vars: Record<string, string> = {
    "workflow.name": "data-pipeline-x7k2p",
    "workflow.namespace": "argo",
    "workflow.uid": "4f0c0c4e-6a57-4c1e-9f55-0a8f1f3c1d2e",
    "workflow.creationTimestamp": "2024-01-02T03:04:05Z",
    "inputs.parameters.message": 'hello "world"\nsecond line',
    "inputs.parameters.image": "python:3.12-alpine",
    "item": '{"shard":3,"region":"eu-west-1"}',
    "item.shard": "3",
    "item.region": "eu-west-1",
  };
  for (let i = 0; i < 20; i++) vars[`inputs.parameters.p${i}`] = `value-${i}`;
  for (let i = 0; i < 10; i++) vars[`tasks.step-${i}.outputs.result`] = i % 2 === 0 ? "heads" : "tails";
  for (let i = 0; i < 11; i++) vars[`tasks.step-${i}.outputs.parameters.count`] = String(i * 7);
  return vars;
}

/** A realistic ~3 KB container template with ~30 tags. */
export function benchTemplate(): string {
  const env = [];
  for (let i = 0; i < 14; i++) env.push({ name: `P${i}`, value: `{{inputs.parameters.p${i}}}` });
  for (let i = 0; i < 8; i++) env.push({ name: `R${i}`, value: `{{tasks.step-${i}.outputs.result}}` });
  return JSON.stringify({
    name: "process-shard",
    metadata: {
      labels: { workflow: "{{workflow.name}}", shard: "{{item.shard}}" },
      annotations: { uid: "{{workflow.uid}}" },
    },
    inputs: { parameters: [{ name: "message" }, { name: "image" }] },
    container: {
      image: "{{inputs.parameters.image}}",
      command: ["sh", "-c"],
      args: [
        "echo '{{inputs.parameters.message}}' && python /app/process.py --region {{item.region}} --shard {{item.shard}} " +
        "--created {{workflow.creationTimestamp}} --namespace {{workflow.namespace}} --count {{tasks.step-3.outputs.parameters.count}}",
      ],
      env,
      resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "64Mi" } },
      volumeMounts: [{ name: "work", mountPath: "/work" }, { name: "cache", mountPath: "/cache" }],
    },
    retryStrategy: {
      limit: 3,
      retryPolicy: "OnFailure",
      backoff: { duration: "5s", factor: 2, maxDuration: "1m" },
    },
    podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"1"}}}]}',
    outputs: { parameters: [{ name: "result", valueFrom: { path: "/work/result.json" } }] },
    activeDeadlineSeconds: 3600,
    nodeSelector: { "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "m5.large" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }],
  });
}

/** Runs the expression benchmarks and returns one line per measurement. */
export function runExprBench(): string[] {
  const vars = benchScope();
  const map = new Map(Object.entries(vars));
  const scope = exprCore().scope(vars);
  const template = benchTemplate();
  const whens = [
    "{{tasks.step-0.outputs.result}} == heads",
    "{{tasks.step-1.outputs.result}} != heads && {{item.shard}} > 2",
    "{{tasks.step-3.outputs.parameters.count}} >= 21",
    "({{item.shard}} < 10 || {{tasks.step-2.outputs.result}} == tails) && !false",
    "'{{item.region}}' == 'eu-west-1'",
  ];
  const batch: string[] = [];
  for (let i = 0; i < 4; i++) batch.push(...whens);
  // sanity: both sides agree
  const w = scope.evalWhens(batch).map((r) => ("value" in r ? r.value : r.error));
  const b = batch.map((x) => baselineEvalWhen(x, map));
  if (JSON.stringify(w) !== JSON.stringify(b)) throw new Error(`when mismatch: ${w} vs ${b}`);
  const ws = scope.substitute(template, { json: true }).text;
  const bs = baselineSubstitute(template, map, true);
  if (ws !== bs) throw new Error("template substitution mismatch");

  const lines: string[] = [];
  lines.push(
    `template: ${template.length} bytes, ${
      template.match(/\{\{/g)?.length ?? 0
    } tags, scope of ${map.size} vars`,
  );
  lines.push(line(
    "when (batched, 20 per call)",
    measurePair(
      () => scope.evalWhens(batch),
      () => batch.forEach((x) => baselineEvalWhen(x, map)),
      batch.length,
    ),
  ));
  let k = 0;
  const fresh = () => {
    k++;
    return whens.map((w, i) => `${w} && ${k * 10 + i} > 0`);
  };
  lines.push(line(
    "when (batched, every string new: no memo hits)",
    measurePair(
      () => scope.evalWhens(fresh()),
      () => fresh().forEach((x) => baselineEvalWhen(x, map)),
      whens.length,
    ),
  ));
  lines.push(line(
    "when (one per call)",
    measurePair(
      () => scope.evalWhens([whens[0]!]),
      () => baselineEvalWhen(whens[0]!, map),
      1,
    ),
  ));
  lines.push(line(
    "single tag substitution",
    measurePair(
      () => scope.substitute("{{inputs.parameters.message}}"),
      () => baselineSubstitute("{{inputs.parameters.message}}", map, false),
      1,
    ),
  ));
  lines.push(line(
    "single tag substitution (JSON, value needs escaping)",
    measurePair(
      () => scope.substitute("{{inputs.parameters.message}}", { json: true }),
      () => baselineSubstitute("{{inputs.parameters.message}}", map, true),
      1,
    ),
  ));
  lines.push(line(
    "when (one per call, every string new)",
    measurePair(
      () => scope.evalWhens([`${whens[1]!} && ${++k} > 0`]),
      () => baselineEvalWhen(`${whens[1]!} && ${++k} > 0`, map),
      1,
    ),
  ));
  lines.push(line(
    "whole-template substitution",
    measurePair(
      () => scope.substitute(template, { json: true }),
      () => baselineSubstitute(template, map, true),
      1,
    ),
  ));
  lines.push(line(
    "scope creation (50 vars) + whole template",
    measurePair(
      () => {
        const s = exprCore().scope(vars);
        s.substitute(template, { json: true });
        s.dispose();
      },
      () => baselineSubstitute(template, new Map(Object.entries(vars)), true),
      1,
    ),
  ));
  lines.push(line(
    "scope creation (50 vars) only",
    measurePair(
      () => exprCore().scope(vars).dispose(),
      () => new Map(Object.entries(vars)),
      1,
    ),
  ));
  scope.dispose();
  return lines;
}
