/**
 * The process runtime: each step is a host process run by the executor (`executor/main.ts`, started
 * detached with `deno run`), for machines without a container engine. Images are ignored (with one
 * warning per image); their entrypoints come from the entrypoint table. Absolute paths are mapped
 * into a per-node sandbox (see sandbox.ts), volumes are directories under the data dir.
 *
 * The executor writes the node's state.json (pids, start time), main.log and result.json into the
 * node's directory, so a restarted host finds a finished step's result, adopts a step whose executor
 * still runs, and reports Error ("lost") for one that died with the host, which the engine retries
 * as Argo retries a deleted pod.
 */
import type { NodeObservation, RunSpec } from "../../engine/actions.ts";
import type { RunningState, StepDescription, StepResult } from "../../../executor/mod.ts";
import { writeJsonAtomic } from "../../../executor/mod.ts";
import { DEFAULT_ENTRYPOINTS, effectiveArgv, type ImageEntrypoint, lookupEntrypoint } from "./images.ts";
import { isFinal, NodeLayout, observationOf, Observations, readJson, safe } from "./common.ts";
import type { ObservationListener, Runtime, RuntimeStep, WorkflowRef } from "./mod.ts";
import { readinessProbe, waitReady } from "./readiness.ts";
import { sandboxFor } from "./sandbox.ts";
import { LocalResources } from "./resources.ts";
import { classifyVolume, containerEnv, projectVolume, stageInputArtifact, volumeOf } from "./volumes.ts";

/** Options of the process runtime. */
export interface ProcessRuntimeOptions {
  /** Where node directories live (`<dataDir>/runs/...`). */
  dataDir: string;
  /** Images' entrypoints, for templates without `command` (default: DEFAULT_ENTRYPOINTS). */
  entrypoints?: Record<string, ImageEntrypoint>;
  /** Seconds between SIGTERM and SIGKILL when a step is stopped (default 30, or the pod's terminationGracePeriodSeconds). */
  graceSeconds?: number;
  /** How to run the executor; the step file's path is appended. Default: this Deno running executor/main.ts. */
  executorCommand?: string[];
  /** Secrets and ConfigMaps the steps read (default: none, more can be added to `resources`). */
  resources?: LocalResources;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

const EXECUTOR_MAIN = new URL("../../../executor/main.ts", import.meta.url).pathname;

interface Tracked {
  run: RunSpec;
  dir: string;
  pid: number;
  child?: Deno.ChildProcess;
  done: Promise<void>;
  killReason?: string;
  poll?: ReturnType<typeof setInterval>;
}

/** Steps as host processes. */
export class ProcessRuntime implements Runtime {
  readonly kind = "process" as const;
  readonly layout: NodeLayout;
  readonly resources: LocalResources;
  #obs = new Observations();
  #tracked = new Map<string, Tracked>();
  #starting = new Map<string, Promise<void>>();
  #warnedImages = new Set<string>();
  #entrypoints: Record<string, ImageEntrypoint>;
  #warn: (m: string) => void;
  #closed = false;

  constructor(readonly options: ProcessRuntimeOptions) {
    this.layout = new NodeLayout(options.dataDir);
    this.resources = options.resources ?? new LocalResources();
    this.#entrypoints = { ...DEFAULT_ENTRYPOINTS, ...options.entrypoints };
    this.#warn = options.warn ?? ((m) => console.warn(m));
  }

  start(run: RunSpec): Promise<void> {
    if (this.#obs.get(run.nodeId) !== undefined) return Promise.resolve();
    const pending = this.#starting.get(run.nodeId);
    if (pending) return pending;
    const p = this.#start(run).finally(() => this.#starting.delete(run.nodeId));
    this.#starting.set(run.nodeId, p);
    return p;
  }

  async #start(run: RunSpec): Promise<void> {
    if (await this.#resume(run.workflow, run.nodeId)) return;
    const dir = this.layout.nodeDir(run.workflow, run.nodeId);
    await Deno.mkdir(dir, { recursive: true });
    await writeJsonAtomic(`${dir}/run.json`, run);
    this.#warnImage(run.main.image);

    let desc: StepDescription;
    try {
      desc = await this.#describe(run, dir);
    } catch (e) {
      await this.#finishWith(run, dir, {
        phase: "Error",
        message: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    await writeJsonAtomic(`${dir}/step.json`, desc);
    const [program, ...pre] = this.options.executorCommand ??
      [Deno.execPath(), "run", "-A", "--no-config", EXECUTOR_MAIN];
    const child = new Deno.Command(program!, {
      args: [...pre, `${dir}/step.json`],
      cwd: dir,
      detached: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await Deno.writeTextFile(`${dir}/executor.pid`, `${child.pid}\n`);
    const tracked: Tracked = { run, dir, pid: child.pid, child, done: Promise.resolve() };
    tracked.done = child.status.then((s) => this.#collect(tracked, s.code)).catch((e) =>
      this.#failed(tracked, e)
    );
    this.#tracked.set(run.nodeId, tracked);
    this.#watchReadiness(tracked, new Date().toISOString());
  }

  /** Reports a started node Running; a daemon with a readinessProbe becomes ready once it passes. */
  #watchReadiness(t: Tracked, startedAt: string): void {
    const probe = t.run.daemon ? readinessProbe(t.run.main.extra) : undefined;
    this.#obs.set(t.run, running(startedAt, t.run.daemon, probe === undefined));
    if (!probe) return;
    const stop = new AbortController();
    t.done.finally(() => stop.abort());
    waitReady(probe, "127.0.0.1", {
      signal: stop.signal,
      ports: t.run.main.extra?.ports as { name?: string; containerPort?: number }[] | undefined,
    }).then((ok) => {
      const now = this.#obs.get(t.run.nodeId);
      if (ok && now && !isFinal(now)) this.#obs.set(t.run, running(startedAt, true, true));
    });
  }

  /** Reports a node that already ran or runs here; false when it never started. */
  async #resume(wf: WorkflowRef, nodeId: string): Promise<boolean> {
    const dir = this.layout.nodeDir(wf, nodeId);
    const run = await readJson<RunSpec>(`${dir}/run.json`);
    if (!run) return false;
    const result = await readJson<StepResult>(`${dir}/result.json`);
    if (result) {
      this.#obs.set(run, observationOf(result, LOCAL_IP));
      return true;
    }
    const pid = await executorPid(dir);
    if (pid !== undefined && isAlive(pid, dir)) {
      const state = await readJson<RunningState>(`${dir}/state.json`);
      const tracked: Tracked = { run, dir, pid, done: Promise.resolve() };
      tracked.done = new Promise<void>((resolve) => {
        tracked.poll = setInterval(() => {
          if (isAlive(pid, dir)) return;
          clearInterval(tracked.poll);
          this.#collect(tracked, undefined).catch((e) => this.#failed(tracked, e)).then(resolve);
        }, 200);
      });
      this.#tracked.set(nodeId, tracked);
      this.#watchReadiness(tracked, state?.startedAt ?? new Date().toISOString());
      return true;
    }
    await this.#finishWith(run, dir, {
      phase: "Error",
      message:
        "pod deleted: the step's process ended with skiff (restarted while the step ran) and left no result",
    });
    return true;
  }

  /** Builds the executor's step description: argv, env, sandbox paths, volumes, input artifacts. */
  async #describe(run: RunSpec, dir: string): Promise<StepDescription> {
    const extra = [
      ...run.initContainers.map((c) => `init container "${c.name}"`),
      ...run.sidecars.map((c) => `sidecar "${c.name}"`),
    ];
    if (extra.length > 0) {
      throw new Error(
        `${extra.join(", ")}: the process runtime runs only the main container; use --runtime podman`,
      );
    }
    const root = `${dir}/root`;
    const box = sandboxFor(run, root);
    await Deno.mkdir(`${root}/tmp`, { recursive: true });

    const projected = new Set<string>();
    for (const m of run.main.volumeMounts) {
      const v = volumeOf(run, m.name);
      const kind = classifyVolume(v);
      let source: string;
      if (kind.kind === "emptyDir") source = `${dir}/volumes/${safe(v.name)}`;
      else if (kind.kind === "claim") source = this.layout.volumeDir(run.workflow, kind.claim);
      else if (kind.kind === "hostPath") source = kind.path;
      else if (kind.kind === "projected") {
        source = `${dir}/volumes/${safe(v.name)}`;
        if (!projected.has(v.name)) {
          await projectVolume(v, kind.source, this.resources, run.workflow.namespace, source);
          projected.add(v.name);
        }
      } else throw new Error(kind.message);
      if (m.subPath) source = `${source}/${m.subPath}`;
      if (kind.kind !== "projected") await Deno.mkdir(source, { recursive: true });
      else await Deno.stat(source).catch(() => Deno.mkdir(source, { recursive: true }));
      const at = box.map(m.mountPath);
      await Deno.mkdir(at.slice(0, at.lastIndexOf("/")), { recursive: true });
      await Deno.remove(at, { recursive: true }).catch(() => {});
      await Deno.symlink(source, at);
    }
    for (const a of run.inputArtifacts) {
      await stageInputArtifact(this.layout, run.workflow, a, box.map(a.path));
    }

    const entry = run.main.command?.length ? undefined : lookupEntrypoint(this.#entrypoints, run.main.image);
    let argv = effectiveArgv(run.main, entry);
    if (argv.length === 0 && !run.script) {
      throw new Error(
        `image "${run.main.image}": the process runtime does not know its entrypoint; give the template a \`command\`, or add the image to the entrypoint table`,
      );
    }
    argv = argv.map((a) => box.rewrite(a));
    const env: Record<string, string> = { TMPDIR: `${root}/tmp` };
    for (const e of containerEnv(run, run.main, { resources: this.resources, podIP: LOCAL_IP })) {
      env[e.name] = e.literal ? box.rewrite(e.value) : e.value;
    }

    const desc: StepDescription = {
      command: argv,
      root,
      workingDir: run.main.workingDir ? box.map(run.main.workingDir) : root,
      env,
      outputs: { parameters: run.outputs.parameters, artifacts: run.outputs.artifacts },
      artifactDir: `${dir}/artifacts`,
      logFile: `${dir}/main.log`,
      resultFile: `${dir}/result.json`,
      stateFile: `${dir}/state.json`,
      graceSeconds: this.#graceSeconds(run),
      echo: false,
    };
    if (run.script) desc.script = { source: box.rewrite(run.script.source), path: `${dir}/staging/script` };
    if (run.deadline) desc.deadline = run.deadline;
    return desc;
  }

  #graceSeconds(run: RunSpec): number {
    const fromPod = run.podSpec?.terminationGracePeriodSeconds;
    return typeof fromPod === "number" ? fromPod : this.options.graceSeconds ?? 30;
  }

  #warnImage(image: string): void {
    if (this.#warnedImages.has(image)) return;
    this.#warnedImages.add(image);
    this.#warn(
      `skiff: the process runtime ignores image "${image}": its steps run with this machine's programs`,
    );
  }

  /** The executor has ended: report its result (or that it left none). */
  async #collect(t: Tracked, code: number | undefined): Promise<void> {
    if (this.#closed) return; // a closed runtime records nothing: the next one finds the node as it is
    this.#tracked.delete(t.run.nodeId);
    const result = await readJson<StepResult>(`${t.dir}/result.json`).catch(() => undefined);
    let obs: NodeObservation;
    if (result) {
      obs = observationOf(result, LOCAL_IP);
      if (t.killReason !== undefined && obs.phase !== "Succeeded") obs.message = t.killReason;
    } else {
      obs = {
        phase: t.killReason !== undefined ? "Failed" : "Error",
        finishedAt: new Date().toISOString(),
        message: t.killReason ??
          `the executor exited${code === undefined ? "" : ` with code ${code}`} without a result (${t.dir})`,
      };
      await writeJsonAtomic(`${t.dir}/result.json`, {
        ...obs,
        result: "",
        stdout: "",
        parameters: {},
        artifacts: {},
      });
    }
    this.#obs.set(t.run, obs);
  }

  /** A problem of the host (e.g. the data dir), not of the step: still end the node, saying why. */
  #failed(t: Tracked, e: unknown): void {
    this.#tracked.delete(t.run.nodeId);
    this.#obs.set(t.run, {
      phase: "Error",
      message: `skiff: ${e instanceof Error ? e.message : e}`,
      finishedAt: new Date().toISOString(),
    });
  }

  async #finishWith(
    run: RunSpec,
    dir: string,
    r: { phase: "Error" | "Failed"; message: string },
  ): Promise<void> {
    const result: StepResult = {
      phase: r.phase,
      message: r.message,
      result: "",
      stdout: "",
      parameters: {},
      artifacts: {},
      finishedAt: new Date().toISOString(),
    };
    await Deno.mkdir(dir, { recursive: true });
    await writeJsonAtomic(`${dir}/result.json`, result);
    this.#obs.set(run, observationOf(result));
  }

  observe(nodeId: string): NodeObservation | undefined {
    return this.#obs.get(nodeId);
  }

  wait(nodeId: string): Promise<NodeObservation> {
    return this.#obs.wait(nodeId);
  }

  async kill(nodeId: string, reason: string): Promise<void> {
    await this.#starting.get(nodeId);
    const t = this.#tracked.get(nodeId);
    if (!t) return;
    t.killReason ??= reason;
    // Until the executor has started the command it may not be listening for SIGTERM yet.
    let exited = false;
    t.done.then(() => (exited = true));
    for (let i = 0; i < 200 && !exited; i++) {
      if (await Deno.stat(`${t.dir}/state.json`).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    signal(t.pid, "SIGTERM");
    const graceMs = this.#graceSeconds(t.run) * 1000 + 3000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      t.done.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // The executor did not end in time: end it and the command's process group.
      const state = await readJson<RunningState>(`${t.dir}/state.json`).catch(() => undefined);
      signal(t.pid, "SIGKILL");
      if (state?.childPid) signal(-state.childPid, "SIGKILL");
      await t.done;
    }
  }

  async adopt(workflow: WorkflowRef, nodeId: string): Promise<NodeObservation | undefined> {
    const known = this.#obs.get(nodeId);
    if (known) return known;
    await this.#starting.get(nodeId);
    if (!this.#obs.get(nodeId)) await this.#resume(workflow, nodeId);
    return this.#obs.get(nodeId);
  }

  async list(workflow?: WorkflowRef): Promise<RuntimeStep[]> {
    const steps: RuntimeStep[] = [];
    for (const wf of await listWorkflows(this.layout, workflow)) {
      const nodesDir = `${this.layout.workflowDir(wf)}/nodes`;
      for await (const e of readDirSafe(nodesDir)) {
        const dir = `${nodesDir}/${e.name}`;
        const run = await readJson<RunSpec>(`${dir}/run.json`).catch(() => undefined);
        if (!run) continue;
        let state: RuntimeStep["state"] = "lost";
        if (await readJson(`${dir}/result.json`).catch(() => undefined)) state = "finished";
        else {
          const pid = await executorPid(dir);
          if (pid !== undefined && isAlive(pid, dir)) state = "running";
        }
        steps.push({ workflow: wf, nodeId: run.nodeId, podName: run.podName, state });
      }
    }
    return steps;
  }

  async logs(workflow: WorkflowRef, nodeId: string): Promise<string> {
    return await Deno.readTextFile(`${this.layout.nodeDir(workflow, nodeId)}/main.log`).catch(() => "");
  }

  subscribe(listener: ObservationListener): () => void {
    return this.#obs.subscribe(listener);
  }

  async cleanup(workflow: WorkflowRef): Promise<void> {
    await Deno.remove(this.layout.workflowDir(workflow), { recursive: true }).catch(() => {});
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#tracked.values()) {
      clearInterval(t.poll);
      t.child?.unref();
    }
    return Promise.resolve();
  }
}

/** Where every step of this runtime is: this machine. */
const LOCAL_IP = "127.0.0.1";

/** A running step's observation; its pod IP is this machine's loopback address. */
function running(startedAt: string, daemon: boolean, ready = true): NodeObservation {
  if (!daemon) return { phase: "Running", startedAt, podIP: LOCAL_IP };
  return ready
    ? { phase: "Running", startedAt, podIP: LOCAL_IP, daemonReady: true }
    : { phase: "Running", startedAt, podIP: LOCAL_IP };
}

async function executorPid(dir: string): Promise<number | undefined> {
  const text = await Deno.readTextFile(`${dir}/executor.pid`).catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** Is `pid` alive and still the executor of `dir` (not a reused pid)? */
function isAlive(pid: number, dir: string): boolean {
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const st = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return cmdline.includes(`${dir}/step.json`) && st !== "Z";
  } catch {
    return false;
  }
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function* readDirSafe(dir: string): AsyncIterable<Deno.DirEntry> {
  try {
    for await (const e of Deno.readDir(dir)) yield e;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Workflows with node directories (one, when given). */
export async function listWorkflows(layout: NodeLayout, only?: WorkflowRef): Promise<WorkflowRef[]> {
  if (only) return [only];
  const out: WorkflowRef[] = [];
  for await (const ns of readDirSafe(`${layout.dataDir}/runs`)) {
    for await (const wf of readDirSafe(`${layout.dataDir}/runs/${ns.name}`)) {
      out.push({ namespace: ns.name, name: wf.name });
    }
  }
  return out;
}
