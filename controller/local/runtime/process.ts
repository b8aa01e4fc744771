/**
 * The process runtime: each step is a host process run by a small Perl supervisor (in a session of
 * its own, see process_supervisor.ts), for machines without a container engine. The supervisors
 * are forked by one long-lived perl per runtime (process_spawner.ts), not started a perl a step.
 * Images are ignored (with one warning per image); their entrypoints come from the entrypoint
 * table. Absolute paths are mapped into a per-node sandbox (see sandbox.ts), volumes are
 * directories under the data dir.
 *
 * At most `maxSteps` steps run at once (daemons aside); the others wait, reported Pending, in a
 * first-in-first-out queue.
 *
 * A node's directory (made ahead of need when it can: spare_dirs.ts) records how far it got:
 * run.json (a step waiting for a slot: the runtime means to run it), step.json (about to spawn its
 * supervisor; it holds the run too), executor.pid (the supervisor claimed it, written by the
 * supervisor itself before the command starts, and only once; later lines say the command started
 * and, at last, that it ended, with its exit code), stdout, main.log (once there was stderr), and
 * result.json (collected by the host). So a restarted host reports a finished step's result,
 * collects one that ended while no host ran, adopts a step whose supervisor still runs (also one
 * forked just before the host died, found by its command line), starts a step whose command never
 * started, and reports Error ("lost") for one that died with the host, which the engine retries as
 * Argo retries a deleted pod. A step is never run twice: two supervisors of one step race for
 * executor.pid and the loser runs nothing.
 *
 * Stopping is the host's (process_stop.ts): SIGTERM to the command's process group, SIGKILL when
 * the grace period is over; a step's deadline is a timer (re-armed by a restarted host that adopts
 * the step).
 */
import { existsSync } from "node:fs";
import type { NodeObservation, RunSpec } from "../../engine/actions.ts";
import type { StepDescription, StepResult } from "../../../executor/mod.ts";
import {
  CLAIMED_EXIT_CODE,
  DEADLINE_MESSAGE,
  prepareArgv,
  programNotFoundResult,
  writeJsonAtomic,
} from "../../../executor/mod.ts";
import { DEFAULT_ENTRYPOINTS, type ImageEntrypoint } from "../../engine/images.ts";
import {
  isFinal,
  NodeLayout,
  observationOf,
  Observations,
  readJson,
  readJsonSync,
  writeJsonAtomicSync,
} from "./common.ts";
import type { ObservationListener, Runtime, RuntimeStep, WorkflowRef } from "./mod.ts";
import { readinessProbe, waitReady } from "./readiness.ts";
import { describeStep } from "./process_step.ts";
import { LocalResources } from "./resources.ts";
import { executorPid, findExecutor, isAlive, readState, recordedExit } from "./process_pids.ts";
import { findProgram, supervisorTools } from "./process_supervisor.ts";
import { SupervisorSpawner } from "./process_spawner.ts";
import { armDeadline, type Deadline, stopStep } from "./process_stop.ts";
import { collectStep } from "./process_collect.ts";
import { defaultMaxSteps, StepSlots } from "./slots.ts";
import { SPARE_ENTRIES, SpareNodeDirs } from "./spare_dirs.ts";

/** Options of the process runtime. */
export interface ProcessRuntimeOptions {
  /** Where node directories live (`<dataDir>/runs/...`). */
  dataDir: string;
  /** Images' entrypoints, for templates without `command` (default: DEFAULT_ENTRYPOINTS). */
  entrypoints?: Record<string, ImageEntrypoint>;
  /** Seconds between SIGTERM and SIGKILL when a step is stopped (default 30, or the pod's terminationGracePeriodSeconds). */
  graceSeconds?: number;
  /** Secrets and ConfigMaps the steps read (default: none, more can be added to `resources`). */
  resources?: LocalResources;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
  /**
   * At most this many steps run at once; more wait, Pending, first in first out (default:
   * `defaultMaxSteps()`, 4 per core). Daemons are not counted: they run as long as their
   * workflow, and steps waiting behind them could never start.
   */
  maxSteps?: number;
  /** For tests: called at the points of a start where a host may die. */
  hooks?: StartHooks;
}

/** Points in starting a step (for tests that kill or pause a host exactly there). */
export interface StartHooks {
  /** step.json is written; the supervisor is not forked yet. */
  beforeSpawn?(dir: string): void | Promise<void>;
  /** The supervisor is forked (`pid`); the runtime has recorded nothing of it yet. */
  afterSpawn?(dir: string, pid: number): void | Promise<void>;
}

interface Tracked {
  run: RunSpec;
  dir: string;
  /** The supervisor's pid (it leads its own process group). */
  pid: number;
  done: Promise<void>;
  killReason?: string;
  poll?: ReturnType<typeof setInterval>;
  deadline?: Deadline;
  /** The step as described at spawn (read from step.json when adopted). */
  desc?: StepDescription;
  startedAt?: string;
  /** Holds one of the runtime's slots (every step but daemons). */
  slot: boolean;
}

/** A step waiting for a slot. */
interface Waiting {
  run: RunSpec;
  dir: string;
}

/** The step itself cannot run (e.g. a volume it mounts is missing): its message is the user's. */
class StepProblem extends Error {}

/** What a restarted runtime found of a node. */
type Found = "absent" | "reported" | "unstarted";

/** Steps as host processes. */
export class ProcessRuntime implements Runtime {
  readonly kind = "process" as const;
  readonly layout: NodeLayout;
  readonly resources: LocalResources;
  #obs = new Observations();
  #tracked = new Map<string, Tracked>();
  #starting = new Map<string, Promise<void>>();
  /** Steps leaving the queue: being described and spawned. */
  #launching = new Map<string, Promise<void>>();
  #slots: StepSlots<Waiting>;
  #warnedImages = new Set<string>();
  #entrypoints: Record<string, ImageEntrypoint>;
  #warn: (m: string) => void;
  #closed = false;
  #spawner?: SupervisorSpawner;
  #spares?: SpareNodeDirs;

  constructor(readonly options: ProcessRuntimeOptions) {
    this.layout = new NodeLayout(options.dataDir);
    this.resources = options.resources ?? new LocalResources();
    this.#entrypoints = { ...DEFAULT_ENTRYPOINTS, ...options.entrypoints };
    this.#warn = options.warn ?? ((m) => console.warn(m));
    this.#slots = new StepSlots(options.maxSteps ?? defaultMaxSteps());
  }

  /** How many steps may run at once. */
  get maxSteps(): number {
    return this.#slots.max;
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
    const found = await this.#resume(run.workflow, run.nodeId);
    if (found === "reported") return;
    const dir = this.layout.nodeDir(run.workflow, run.nodeId);
    if (found === "absent") {
      this.#spares ??= new SpareNodeDirs(
        this.options.dataDir,
        Math.min(this.#slots.max, SPARES_AT_MOST),
        (building, ready) => this.#supervisors().makeSpare(building, ready, SPARE_ENTRIES),
      );
      if (!this.#spares.takeAs(dir)) Deno.mkdirSync(dir, { recursive: true });
    }
    this.#warnImage(run.main.image);
    if (run.daemon) return await this.#launch(run, dir, false);
    if (this.#slots.acquire(run.nodeId, { run, dir })) return await this.#launch(run, dir, true);
    // A step that starts at once has its run in step.json; one that waits says here that it is to run.
    writeJsonAtomicSync(`${dir}/run.json`, run);
    this.#obs.set(run, {
      phase: "Pending",
      message: `waiting for a free slot: ${this.#slots.used} steps run, at most ${this.#slots.max} at once ` +
        `(--max-steps)`,
    });
  }

  /**
   * Describes and spawns a step (holding a slot when `slot`). A step that cannot start ends as an
   * Error saying why, and gives its slot back.
   */
  #launch(run: RunSpec, dir: string, slot: boolean): Promise<void> {
    const hold = { slot };
    const p = this.#spawn(run, dir, hold).catch(async (e) => {
      if (hold.slot) {
        hold.slot = false;
        this.#release();
      }
      const message = e instanceof StepProblem
        ? e.message
        : `skiff could not start the step's supervisor: ${e instanceof Error ? e.message : e}`;
      await this.#finishWith(run, dir, { phase: "Error", message }).catch((e2) =>
        this.#obs.set(run, {
          phase: "Error",
          message: `${message}; skiff: ${e2 instanceof Error ? e2.message : e2}`,
          finishedAt: new Date().toISOString(),
        })
      );
    }).finally(() => this.#launching.delete(run.nodeId));
    this.#launching.set(run.nodeId, p);
    return p;
  }

  async #spawn(run: RunSpec, dir: string, hold: { slot: boolean }): Promise<void> {
    let desc: StepDescription;
    try {
      desc = await describeStep(run, dir, {
        layout: this.layout,
        resources: this.resources,
        entrypoints: this.#entrypoints,
        podIP: LOCAL_IP,
      });
    } catch (e) {
      throw new StepProblem(e instanceof Error ? e.message : String(e));
    }
    if (run.deadline !== undefined && Date.parse(run.deadline) <= Date.now()) {
      // Past its deadline before it started: it fails without running, as the executor's did.
      return await this.#endUnstarted(run, dir, hold, { phase: "Failed", message: DEADLINE_MESSAGE });
    }
    // What the executor did before starting the command: write the script, make the working dir.
    let argv: string[];
    try {
      argv = await prepareArgv(desc);
    } catch (e) {
      throw new StepProblem(e instanceof Error ? e.message : String(e));
    }
    const cwd = desc.workingDir ?? `${dir}/root`;
    if (cwd !== desc.root) Deno.mkdirSync(cwd, { recursive: true }); // root is made with the sandbox
    const program = findProgram(argv[0]!, desc.env ?? {}, cwd);
    if ("problem" in program) {
      // Failed with argoexec's exit code, as the emissary ends (executor/supervise.ts).
      return await this.#endUnstarted(
        run,
        dir,
        hold,
        programNotFoundResult(program.problem, new Date().toISOString()),
      );
    }
    writeJsonAtomicSync(`${dir}/step.json`, { ...desc, run } satisfies RecordedStep);
    await this.options.hooks?.beforeSpawn?.(dir);
    const startedAt = new Date().toISOString();
    // The environment Deno.Command's `env` gave a spawned supervisor: the host's, the step's on top.
    const env = desc.env ? { ...Deno.env.toObject(), ...desc.env } : Deno.env.toObject();
    const spawning = this.#supervisors().spawn({
      dir,
      workingDir: cwd,
      startedAt,
      command: argv,
      program: program.file,
      env,
    });
    this.#spares?.refill(); // after the step's request: the spawner forks its supervisor first
    const spawned = await spawning;
    const tracked: Tracked = {
      run,
      dir,
      pid: spawned.pid,
      done: Promise.resolve(),
      slot: hold.slot,
      desc,
      startedAt,
    };
    hold.slot = false; // the tracked step gives it back when it ends
    await this.options.hooks?.afterSpawn?.(dir, spawned.pid);
    tracked.done = spawned.exit.then(async (code) => {
      // Its spawner ended first (killed?): watch the supervisor as an adopted one.
      if (code === undefined && !this.#closed) await this.#exited(tracked);
      await this.#collect(tracked, code);
    }).catch((e) => this.#failed(tracked, e));
    this.#tracked.set(run.nodeId, tracked);
    this.#armDeadline(tracked);
    this.#watchReadiness(tracked, startedAt);
  }

  #supervisors(): SupervisorSpawner {
    return this.#spawner ??= new SupervisorSpawner(supervisorTools().perl);
  }

  /** Stops the step at its deadline, as the executor did. */
  #armDeadline(t: Tracked): void {
    if (t.run.deadline === undefined) return;
    t.deadline = armDeadline(t.run.deadline, () => this.kill(t.run.nodeId, DEADLINE_MESSAGE).catch(() => {}));
    t.done.finally(() => t.deadline?.disarm());
  }

  /** Gives a slot back and starts the steps waiting for one. */
  #release(): void {
    if (this.#closed) return;
    for (const next of this.#slots.release()) this.#launch(next.run, next.dir, true);
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

  /**
   * Reports a node that already ran or runs here ("reported"); "unstarted" when the runtime meant
   * to run it but its command never started (it waited for a slot, or the host died before its
   * executor claimed it); "absent" when it is unknown here.
   */
  async #resume(wf: WorkflowRef, nodeId: string): Promise<Found> {
    const dir = this.layout.nodeDir(wf, nodeId);
    const run = recordedRun(dir);
    if (!run) return "absent";
    if (this.#reportResult(run, dir)) return "reported";
    let pid = executorPid(dir);
    // Spawned just before the host died, and not claiming yet? Its command line names step.json.
    if (pid === undefined && await exists(`${dir}/step.json`)) pid = findExecutor(dir);
    if (pid !== undefined && isAlive(pid, dir)) {
      const state = readState(dir);
      const tracked: Tracked = { run, dir, pid, done: Promise.resolve(), slot: !run.daemon };
      if (state) tracked.startedAt = state.startedAt;
      if (tracked.slot) this.#slots.take();
      tracked.done = this.#exited(tracked).then(() => this.#collect(tracked, undefined)).catch((e) =>
        this.#failed(tracked, e)
      );
      this.#tracked.set(nodeId, tracked);
      this.#armDeadline(tracked);
      this.#watchReadiness(tracked, state?.startedAt ?? new Date().toISOString());
      return "reported";
    }
    // It may have ended between the looks above.
    if (this.#reportResult(run, dir)) return "reported";
    if (recordedExit(dir) !== undefined) {
      // Its command ended while no host ran (or before the host collected it): collect it now.
      const t: Tracked = { run, dir, pid: pid ?? 0, done: Promise.resolve(), slot: false };
      await this.#collect(t, undefined);
      return "reported";
    }
    if (executorPid(dir) === undefined) return "unstarted";
    await this.#finishWith(run, dir, {
      phase: "Error",
      message:
        "pod deleted: the step's process ended with skiff (restarted while the step ran) and left no result",
    });
    return "reported";
  }

  /** Reports the node's recorded result, if there is one. */
  #reportResult(run: RunSpec, dir: string): boolean {
    const result = readJsonSync<StepResult>(`${dir}/result.json`);
    if (result) this.#obs.set(run, observationOf(result, LOCAL_IP));
    return result !== undefined;
  }

  /** Resolves once the supervisor `t.pid` (not a child of this process) has ended. */
  #exited(t: Tracked): Promise<void> {
    return new Promise<void>((resolve) => {
      clearInterval(t.poll);
      t.poll = setInterval(() => {
        if (isAlive(t.pid, t.dir)) return;
        clearInterval(t.poll);
        resolve();
      }, 200);
    });
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

  /** The supervisor has ended: collect the step's result (or report that it left none). */
  async #collect(t: Tracked, code: number | undefined): Promise<void> {
    if (this.#closed) return; // a closed runtime records nothing: the next one finds the node as it is
    if (code === CLAIMED_EXIT_CODE) {
      // Another supervisor of this step claimed it first (one spawned before a restart): follow that one.
      const other = executorPid(t.dir);
      if (other !== undefined && other !== t.pid && isAlive(other, t.dir)) {
        t.pid = other;
        await this.#exited(t);
        return await this.#collect(t, undefined);
      }
    }
    this.#tracked.delete(t.run.nodeId);
    if (t.slot) {
      t.slot = false;
      this.#release();
    }
    t.deadline?.disarm();
    // Collected already (by a host that died right after, or the other claimant's host)?
    try {
      if (this.#reportResult(t.run, t.dir)) return;
    } catch {
      // an unreadable result.json is collected again
    }
    const exitCode = recordedExit(t.dir);
    let obs: NodeObservation;
    if (exitCode !== undefined) {
      const desc = t.desc ?? await readJson<StepDescription>(`${t.dir}/step.json`);
      if (!desc) throw new Error(`${t.dir}/step.json is missing`);
      const startedAt = t.startedAt ?? readState(t.dir)?.startedAt ?? new Date().toISOString();
      const result = await collectStep(t.dir, desc, { exitCode, stopReason: t.killReason, startedAt });
      writeJsonAtomicSync(`${t.dir}/result.json`, result);
      obs = observationOf(result, LOCAL_IP);
    } else {
      obs = {
        phase: t.killReason !== undefined ? "Failed" : "Error",
        finishedAt: new Date().toISOString(),
        message: t.killReason ??
          `the step's supervisor exited${
            code === undefined ? "" : ` with code ${code}`
          } without recording its command's exit code (${t.dir})`,
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
    if (t.slot) {
      t.slot = false;
      this.#release();
    }
    this.#obs.set(t.run, {
      phase: "Error",
      message: `skiff: ${e instanceof Error ? e.message : e}`,
      finishedAt: new Date().toISOString(),
    });
  }

  /** Records the result of a step that ends without running, giving back the slot it holds first. */
  #endUnstarted(
    run: RunSpec,
    dir: string,
    hold: { slot: boolean },
    r: { phase: "Error" | "Failed"; message: string } | StepResult,
  ): Promise<void> {
    if (hold.slot) {
      hold.slot = false;
      this.#release();
    }
    return this.#finishWith(run, dir, r);
  }

  async #finishWith(
    run: RunSpec,
    dir: string,
    r: { phase: "Error" | "Failed"; message: string } | StepResult,
  ): Promise<void> {
    const result: StepResult = "finishedAt" in r ? r : {
      phase: r.phase,
      message: r.message,
      result: "",
      stdout: "",
      parameters: {},
      artifacts: {},
      finishedAt: new Date().toISOString(),
    };
    await Deno.mkdir(dir, { recursive: true });
    if (!recordedRun(dir)) writeJsonAtomicSync(`${dir}/run.json`, run); // so a restart reports it
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
    const waiting = this.#slots.remove(nodeId);
    if (waiting) {
      // It never started: it ends here, as a pod deleted before it ran.
      await this.#finishWith(waiting.run, waiting.dir, { phase: "Failed", message: reason });
      return;
    }
    await this.#launching.get(nodeId);
    const t = this.#tracked.get(nodeId);
    if (!t) return;
    const first = t.killReason === undefined;
    t.killReason ??= reason;
    if (!first) return await t.done; // already being stopped
    await stopStep(t, this.#graceSeconds(t.run) * 1000);
  }

  async adopt(workflow: WorkflowRef, nodeId: string): Promise<NodeObservation | undefined> {
    const known = this.#obs.get(nodeId);
    if (known) return known;
    await this.#starting.get(nodeId);
    if (!this.#obs.get(nodeId)) {
      // A step meant to run whose command never started is started now (it may wait for a slot).
      const run = recordedRun(this.layout.nodeDir(workflow, nodeId));
      if (run) await this.start(run);
    }
    return this.#obs.get(nodeId);
  }

  async list(workflow?: WorkflowRef): Promise<RuntimeStep[]> {
    const steps: RuntimeStep[] = [];
    for (const wf of await listWorkflows(this.layout, workflow)) {
      const nodesDir = `${this.layout.workflowDir(wf)}/nodes`;
      for await (const e of readDirSafe(nodesDir)) {
        const dir = `${nodesDir}/${e.name}`;
        let run: RunSpec | undefined;
        try {
          run = recordedRun(dir);
        } catch {
          // unreadable: not listed
        }
        if (!run) continue;
        let state: RuntimeStep["state"] = "lost";
        if (await readJson(`${dir}/result.json`).catch(() => undefined)) state = "finished";
        else if (recordedExit(dir) !== undefined) state = "finished"; // collected when adopted
        else {
          let pid = executorPid(dir);
          const claimed = pid !== undefined;
          if (!claimed && await exists(`${dir}/step.json`)) pid = findExecutor(dir);
          if (pid !== undefined && isAlive(pid, dir)) state = "running";
          else if (!claimed) state = "pending";
        }
        steps.push({ workflow: wf, nodeId: run.nodeId, podName: run.podName, state });
      }
    }
    return steps;
  }

  logs(workflow: WorkflowRef, nodeId: string): Promise<string> {
    // A step that wrote nothing to stderr has no main.log: its log is its stdout (process_supervisor.ts).
    // (Looked for first: a failed read costs ten times more, building its error.)
    const dir = this.layout.nodeDir(workflow, nodeId);
    for (const file of ["main.log", "stdout"]) {
      if (!existsSync(`${dir}/${file}`)) continue;
      try {
        return Promise.resolve(Deno.readTextFileSync(`${dir}/${file}`));
      } catch {
        // the next
      }
    }
    return Promise.resolve("");
  }

  subscribe(listener: ObservationListener): () => void {
    return this.#obs.subscribe(listener);
  }

  async cleanup(workflow: WorkflowRef): Promise<void> {
    const mine = (w: Waiting) =>
      w.run.workflow.namespace === workflow.namespace && w.run.workflow.name === workflow.name;
    for (const w of this.#slots.drop(mine)) {
      this.#obs.set(w.run, {
        phase: "Failed",
        message: "stopped before it started: its workflow's files were removed",
        finishedAt: new Date().toISOString(),
      });
    }
    await Deno.remove(this.layout.workflowDir(workflow), { recursive: true }).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Waiting steps stay as they are on disk (run.json, nothing started): the next runtime's
    // adopt() queues them again. Steps being spawned are let finish spawning, then left running.
    this.#slots.drop();
    await Promise.allSettled([...this.#launching.values()]);
    for (const t of this.#tracked.values()) {
      clearInterval(t.poll);
      t.deadline?.disarm();
    }
    // The spawner exits; the supervisors it forked run on, for the next runtime to adopt.
    await this.#spawner?.close();
    await this.#spares?.close();
  }
}

/** step.json: the step as described for its supervisor, with the run it was described from. */
type RecordedStep = StepDescription & { run: RunSpec };

/** The run a node's directory records (step.json of a started step, run.json of a waiting one). */
function recordedRun(dir: string): RunSpec | undefined {
  return readJsonSync<RecordedStep>(`${dir}/step.json`)?.run ?? readJsonSync<RunSpec>(`${dir}/run.json`);
}

/** Spare node directories kept ready at most (fewer when fewer steps may run at once). */
const SPARES_AT_MOST = 8;

/** Where every step of this runtime is: this machine. */
const LOCAL_IP = "127.0.0.1";

/** A running step's observation; its pod IP is this machine's loopback address. */
function running(startedAt: string, daemon: boolean, ready = true): NodeObservation {
  if (!daemon) return { phase: "Running", startedAt, podIP: LOCAL_IP };
  return ready
    ? { phase: "Running", startedAt, podIP: LOCAL_IP, daemonReady: true }
    : { phase: "Running", startedAt, podIP: LOCAL_IP };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
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
