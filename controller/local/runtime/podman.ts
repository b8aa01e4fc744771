/**
 * The podman runtime: each step node is a podman pod holding its containers (main, sidecars, init
 * containers), so they share localhost as in a Kubernetes Pod.
 *
 * The user's command runs directly as the main container's command (no executor inside the image).
 * The host drives it with the executor's own `superviseStep`: the container's stdout/stderr and
 * exit code come from `podman start --attach` (podman_attach.ts; from `podman logs -f` and `podman
 * wait` for a container a restarted host adopts), stop signals go through `podman kill`, and output
 * files are read out of the stopped container (podman_files.ts). So output capture has ONE
 * implementation (executor/capture.ts) for host processes, containers and Pods alike. A pod that
 * holds its main container alone has no infra container (see `alone`).
 *
 * Names are deterministic: the pod is the RunSpec's podName (`<namespace>.<podName>` outside the
 * default namespace), its main container `<pod>-main`. A restarted host adopts a running container by
 * that name (re-reading its whole log), and collects one that ended meanwhile.
 */
import { existsSync } from "node:fs";
import type { NodeObservation, RunContainer, RunSpec } from "../../engine/actions.ts";
import {
  errorText,
  type StepDescription,
  type StepResult,
  superviseStep,
  writeJsonAtomic,
} from "../../../executor/mod.ts";
import {
  DEFAULT_ENTRYPOINTS,
  type ImageEntrypoint,
  ImageMap,
  lookupEntrypoint,
} from "../../engine/images.ts";
import { isFinal, NodeLayout, observationOf, Observations, readJson, safe } from "./common.ts";
import type { ObservationListener, Runtime, RuntimeStep, WorkflowRef } from "./mod.ts";
import {
  type ContainerState,
  containerStatus,
  podman,
  podmanOk,
  type PodmanSetup,
  probePodman,
} from "./podman_cli.ts";
import { LocalResources } from "./resources.ts";
import { classifyVolume, containerEnv, projectVolume, stageInputArtifact, volumeOf } from "./volumes.ts";
import { readinessProbe, waitReady } from "./readiness.ts";
import { containerFiles } from "./podman_files.ts";
import { defaultMaxSteps, StepSlots } from "./slots.ts";
import { attachContainer, type ContainerChild, podIPOf } from "./podman_container.ts";

/** Options of the podman runtime. */
export interface PodmanRuntimeOptions {
  dataDir: string;
  /** Replaces workflow images by local ones (e.g. `*=localhost/skiff-test` where nothing can be pulled). */
  images?: ImageMap;
  /** Entrypoints of images replaced through the image map (default: DEFAULT_ENTRYPOINTS). */
  entrypoints?: Record<string, ImageEntrypoint>;
  /** Seconds between SIGTERM and SIGKILL when a step is stopped (default 30, or the pod's terminationGracePeriodSeconds). */
  graceSeconds?: number;
  /** The pods' network (`podman pod create --network`); podman's default when absent. */
  network?: string;
  /** Keep pods after their step ended (for debugging); they are removed by default. */
  keepPods?: boolean;
  /** The podman binary. */
  bin?: string;
  /** Flags already probed (skips probing). */
  setup?: PodmanSetup;
  /** Secrets and ConfigMaps the steps read (default: none, more can be added to `resources`). */
  resources?: LocalResources;
  warn?: (message: string) => void;
  /**
   * At most this many steps run at once (daemons aside); the others wait, Pending, first in first
   * out, as in the process runtime (default: `defaultMaxSteps()`).
   */
  maxSteps?: number;
}

/** Where a script's source is mounted in the main container, as Argo does. */
export const SCRIPT_DIR = "/argo/staging";

interface Tracked {
  run: RunSpec;
  stop: AbortController;
  done: Promise<void>;
  /** Stops following the container without stopping it. */
  detach?: () => void;
}

/** Steps as podman pods. */
export class PodmanRuntime implements Runtime {
  readonly kind = "podman" as const;
  readonly layout: NodeLayout;
  readonly images: ImageMap;
  readonly resources: LocalResources;
  #obs = new Observations();
  #tracked = new Map<string, Tracked>();
  #starting = new Map<string, Promise<void>>();
  #entrypoints: Record<string, ImageEntrypoint>;
  #setup: PodmanSetup | undefined;
  /** Secret/ConfigMap volume directories written for pods being created. */
  #projected = new Set<string>();
  #closed = false;
  /** Pods of ended steps being removed; `close()` waits for them. */
  #removals = new Set<Promise<void>>();
  #slots: StepSlots<RunSpec>;

  constructor(readonly options: PodmanRuntimeOptions) {
    this.layout = new NodeLayout(options.dataDir);
    this.images = options.images ?? new ImageMap();
    this.resources = options.resources ?? new LocalResources();
    this.#entrypoints = { ...DEFAULT_ENTRYPOINTS, ...options.entrypoints };
    this.#setup = options.setup;
    this.#slots = new StepSlots(options.maxSteps ?? defaultMaxSteps());
  }

  /** How many steps may run at once. */
  get maxSteps(): number {
    return this.#slots.max;
  }

  /** Probes podman once (with `image`) unless already done. */
  async setup(image: string): Promise<PodmanSetup> {
    if (this.#setup) return this.#setup;
    const s = await probePodman({
      ...(this.options.bin ? { bin: this.options.bin } : {}),
      image,
      dataDir: this.options.dataDir,
    });
    this.#setup ??= s;
    return this.#setup;
  }

  /** The podman pod name of a node. */
  podNameOf(run: { workflow: WorkflowRef; podName: string }): string {
    return run.workflow.namespace === "default" ? run.podName : `${run.workflow.namespace}.${run.podName}`;
  }

  start(run: RunSpec): Promise<void> {
    if (this.#obs.get(run.nodeId) !== undefined) return Promise.resolve();
    const pending = this.#starting.get(run.nodeId);
    if (pending) return pending;
    return this.#begin(this.#start(run), run.nodeId);
  }

  /** Keeps `starting`, a start of node `nodeId`, for whoever asks about the node meanwhile. */
  #begin(starting: Promise<void>, nodeId: string): Promise<void> {
    const p = starting.finally(() => this.#starting.delete(nodeId));
    this.#starting.set(nodeId, p);
    return p;
  }

  /**
   * Starts (or, `adopting`, finds again) a node's pod. A step takes one of the slots first, or
   * waits for one (Pending; `waiting` in its directory, with run.json, says so to a restarted host);
   * `fromQueue`: it waited and now holds a slot.
   */
  async #start(run: RunSpec, adopting = false, fromQueue = false): Promise<void> {
    const dir = this.layout.nodeDir(run.workflow, run.nodeId);
    await Deno.mkdir(dir, { recursive: true });
    const recorded = await readJson<StepResult>(`${dir}/result.json`);
    if (recorded) {
      this.#obs.set(run, observationOf(recorded));
      if (!this.options.keepPods) await this.#removeAfterReport(run);
      return;
    }
    const waitMark = `${dir}/${WAITING}`;
    const waited = fromQueue || existsSync(waitMark);
    if (waited) adopting = false; // it never had a pod: it starts (or waits again)
    let slot = fromQueue;
    if (!run.daemon && !slot) {
      if (adopting) this.#slots.take(); // a pod that may run: it holds a slot as it did
      else if (!this.#slots.acquire(run.nodeId, run)) {
        if (!waited) {
          await writeJsonAtomic(`${dir}/run.json`, run);
          await Deno.writeTextFile(waitMark, "");
        }
        this.#obs.set(run, {
          phase: "Pending",
          message:
            `waiting for a free slot: ${this.#slots.used} steps run, at most ${this.#slots.max} at once ` +
            `(--max-steps)`,
        });
        return;
      }
      slot = true;
    }
    const release = () => {
      if (!slot) return;
      slot = false;
      this.#release();
    };
    try {
      // No run.json yet, or only that of a step that waited: no host made this node's pod.
      const fresh = waited || (!adopting && await Deno.stat(`${dir}/run.json`).then(() => false, () => true));
      if (waited) await Deno.remove(waitMark).catch(() => {});
      if (!adopting) await writeJsonAtomic(`${dir}/run.json`, run);

      let setup: PodmanSetup;
      try {
        setup = await this.setup(this.images.resolve(run.main.image));
      } catch (e) {
        await this.#finishWith(run, dir, errorText(e));
        return release();
      }
      const pod = this.podNameOf(run);
      const main = `${pod}-main`;
      const state = fresh ? undefined : (await containerStatus(setup, main))?.state;
      if (state === undefined) {
        if (adopting) {
          await this.#finishWith(run, dir, `pod deleted: container ${main} is gone and left no result`);
          return release();
        }
        try {
          await this.#createPod(setup, run, dir, fresh);
        } catch (e) {
          await this.#finishWith(run, dir, errorText(e));
          release();
          if (!this.options.keepPods) await this.#removeAfterReport(run);
          return;
        }
      }
      await this.#supervise(setup, run, dir, main, state, release);
    } catch (e) {
      release(); // a problem of the host (e.g. its data dir): the step gives its slot back
      throw e;
    }
  }

  /** Gives a slot back and starts the steps waiting for one. */
  #release(): void {
    const next = this.#slots.release();
    if (this.#closed) return;
    for (const run of next) {
      const started = this.#start(run, false, true).catch((e) =>
        this.#obs.set(run, {
          phase: "Error",
          message: `skiff: ${errorText(e)}`,
          finishedAt: new Date().toISOString(),
        })
      );
      this.#begin(started, run.nodeId);
    }
  }

  /** Runs (or re-attaches to) the main container under the executor's supervision. */
  async #supervise(
    setup: PodmanSetup,
    run: RunSpec,
    dir: string,
    main: string,
    state: ContainerState | undefined,
    release: () => void,
  ) {
    const stop = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const desc: StepDescription = {
      command: [],
      outputs: { parameters: run.outputs.parameters, artifacts: run.outputs.artifacts },
      artifactDir: `${dir}/artifacts`,
      logFile: `${dir}/main.log`,
      graceSeconds: this.#graceSeconds(run),
      ...(run.deadline ? { deadline: run.deadline } : {}),
    };
    const tracked: Tracked = { run, stop, done: Promise.resolve() };
    this.#tracked.set(run.nodeId, tracked);
    const files = containerFiles(setup, main, `${dir}/outputs`);
    const readiness = new AbortController();
    let podIP: Promise<string | undefined> = Promise.resolve(undefined);
    tracked.done = superviseStep({
      desc,
      start: () => attachContainer(setup, main, state, run.main.workingDir, run.main.command?.[0]),
      files,
      stop: stop.signal,
      truncateLog: true,
      onStarted: async (child, startedAt) => {
        const container = child as ContainerChild;
        tracked.detach = container.detach;
        if (!run.daemon) {
          // No pod IP: Argo records one for daemons only (`{{steps.x.ip}}` names a daemon).
          this.#obs.set(run, { phase: "Running", startedAt });
          started();
          return;
        }
        // A daemon: its pod IP for `{{steps.x.ip}}` (once it runs: it has its pod's address from
        // then on), and ready once its readinessProbe passes.
        podIP = (container.running ?? Promise.resolve()).then(() => podIPOf(setup, main)).catch(() =>
          undefined
        );
        const ip = await podIP;
        const base: NodeObservation = { phase: "Running", startedAt, ...(ip ? { podIP: ip } : {}) };
        const probe = readinessProbe(run.main.extra);
        this.#obs.set(run, probe ? base : { ...base, daemonReady: true });
        started();
        if (!probe) return;
        waitReady(probe, ip ?? "127.0.0.1", {
          signal: readiness.signal,
          ports: run.main.extra?.ports as { name?: string; containerPort?: number }[] | undefined,
          exec: async (command) => (await podman(setup, ["exec", main, ...command])).code === 0,
        }).then((ok) => {
          const now = this.#obs.get(run.nodeId);
          if (ok && now && !isFinal(now)) this.#obs.set(run, { ...base, daemonReady: true });
        });
      },
    }).then(async (result) => {
      readiness.abort();
      if (this.#closed) return;
      await writeJsonAtomic(`${dir}/result.json`, result);
      this.#tracked.delete(run.nodeId);
      this.#obs.set(run, observationOf(result, await podIP));
      if (!this.options.keepPods) await this.#removeAfterReport(run);
      else await files.release(); // (removing the pod undoes its mount)
    }).catch((e) => {
      // A problem of the host (e.g. the data dir), not of the step: still end the node, saying why.
      this.#tracked.delete(run.nodeId);
      this.#obs.set(run, {
        phase: "Error",
        message: `skiff: ${errorText(e)}`,
        finishedAt: new Date().toISOString(),
      });
    }).finally(() => {
      started();
      release();
    });
    await running;
  }

  /**
   * Creates the pod, its volumes, init containers (run to completion), sidecars (started) and main
   * container. A pod of a node started before (`fresh` false) may be left from a crash between its
   * creation and its main container's: it is removed first. A fresh node's pod is removed only if
   * its name turns out taken (e.g. a data dir deleted while its pods were kept), which spares a
   * podman call per step.
   */
  async #createPod(setup: PodmanSetup, run: RunSpec, dir: string, fresh: boolean): Promise<void> {
    const pod = this.podNameOf(run);
    const labels = this.#labels(run);
    if (!fresh) await podman(setup, ["pod", "rm", "-f", pod]);
    for (const d of this.#projected) if (d.startsWith(`${dir}/`)) this.#projected.delete(d);
    const create = [
      "pod",
      "create",
      "--name",
      pod,
      ...labels,
      ...(alone(run) ? ["--infra=false"] : this.options.network ? ["--network", this.options.network] : []),
    ];
    const created = await podman(setup, create);
    if (created.code !== 0) {
      if (!fresh || !/in use|already exists/.test(created.stderr)) {
        throw new Error(`podman pod: ${created.stderr || `exit code ${created.code}`}`);
      }
      await podman(setup, ["pod", "rm", "-f", pod]);
      await podmanOk(setup, create);
    }
    for (const c of run.initContainers) {
      const name = `${pod}-init-${safe(c.name)}`;
      await podmanOk(setup, [
        "create",
        ...(await this.#containerArgs(setup, run, dir, c, name, false)),
        ...this.#imageAndArgs(c, false),
      ]);
      // Run to completion: start, then wait (`start --attach` may return before a short-lived
      // container has run at all with podman 4), then keep its log.
      const started = await podman(setup, ["start", name]);
      if (started.code !== 0) {
        throw new Error(
          `init container "${c.name}" could not start: ${started.stderr.replace(/^Error: /, "")}`,
        );
      }
      const waited = await podman(setup, ["wait", name]);
      const code = Number.parseInt(waited.stdout.trim(), 10);
      const log = await podman(setup, ["logs", name]);
      await Deno.writeTextFile(`${dir}/init-${safe(c.name)}.log`, log.stdout + log.stderr);
      if (code !== 0) {
        const last = log.stderr.trim().split("\n").at(-1);
        throw new Error(
          `init container "${c.name}" failed: ${
            last || `exit code ${Number.isFinite(code) ? code : waited.stderr}`
          }`,
        );
      }
    }
    for (const c of run.sidecars) {
      const name = `${pod}-${safe(c.name)}`;
      await podmanOk(setup, [
        "create",
        ...(await this.#containerArgs(setup, run, dir, c, name, false)),
        ...this.#imageAndArgs(c, false),
      ]);
      await podmanOk(setup, ["start", name]);
    }
    if (run.script) {
      await Deno.mkdir(`${dir}/staging`, { recursive: true });
      await Deno.writeTextFile(`${dir}/staging/script`, run.script.source, { mode: 0o755 });
    }
    const mainArgs = await this.#containerArgs(setup, run, dir, run.main, `${pod}-main`, true);
    await podmanOk(setup, ["create", ...mainArgs, ...this.#imageAndArgs(run.main, !!run.script)]);
    for (const d of this.#projected) if (d.startsWith(`${dir}/`)) this.#projected.delete(d);
  }

  #labels(run: RunSpec): string[] {
    return [
      "--label",
      `skiff.namespace=${run.workflow.namespace}`,
      "--label",
      `skiff.workflow=${run.workflow.name}`,
      "--label",
      `skiff.node-id=${run.nodeId}`,
    ];
  }

  /** `podman create` flags of one container: pod, name, labels, env, working dir, mounts. */
  async #containerArgs(
    setup: PodmanSetup,
    run: RunSpec,
    dir: string,
    c: RunContainer,
    name: string,
    isMain: boolean,
  ): Promise<string[]> {
    const args = ["--pod", this.podNameOf(run), "--name", name, ...this.#labels(run), ...setup.containerArgs];
    // Volumes first, then the env, as the kubelet sets a container up.
    for (const m of c.volumeMounts) args.push(...(await this.#mount(setup, run, dir, m)));
    for (const e of containerEnv(run, c, { resources: this.resources })) {
      args.push("-e", `${e.name}=${e.value}`);
    }
    if (c.workingDir) args.push("-w", c.workingDir);
    if (isMain && alone(run)) {
      // No infra container to take the pod's name and network from: the container takes them.
      args.push("--hostname", this.podNameOf(run));
      if (this.options.network) args.push("--network", this.options.network);
    }
    if (isMain) {
      if (run.script) args.push("-v", `${dir}/staging:${SCRIPT_DIR}:ro`);
      for (const a of run.inputArtifacts) {
        const host = `${dir}/inputs/${safe(a.name)}`;
        await stageInputArtifact(this.layout, run.workflow, a, host);
        args.push("-v", `${host}:${a.path}`);
      }
    }
    return args;
  }

  /** The mount flags of one volume mount; creates the podman volume when needed. */
  async #mount(
    setup: PodmanSetup,
    run: RunSpec,
    dir: string,
    m: RunContainer["volumeMounts"][number],
  ): Promise<string[]> {
    const v = volumeOf(run, m.name);
    const kind = classifyVolume(v);
    const ro = m.readOnly ? ":ro" : "";
    if (kind.kind === "unsupported") throw new Error(kind.message);
    if (kind.kind === "hostPath") {
      return ["-v", `${kind.path}${m.subPath ? `/${m.subPath}` : ""}:${m.mountPath}${ro}`];
    }
    if (kind.kind === "projected") {
      // A Secret's or ConfigMap's keys as files, read-only as in Kubernetes.
      const files = `${dir}/volumes/${safe(v.name)}`;
      if (!this.#projected.has(files)) {
        await projectVolume(v, kind.source, this.resources, run.workflow.namespace, files);
        this.#projected.add(files);
      }
      return ["-v", `${files}${m.subPath ? `/${m.subPath}` : ""}:${m.mountPath}:ro`];
    }
    const volume = kind.kind === "emptyDir"
      ? `${this.podNameOf(run)}-${safe(v.name)}`
      : run.workflow.namespace === "default"
      ? safe(kind.claim)
      : `${run.workflow.namespace}.${safe(kind.claim)}`;
    const exists = await podman(setup, ["volume", "exists", volume]);
    if (exists.code !== 0) {
      const labels = [
        "--label",
        `skiff.namespace=${run.workflow.namespace}`,
        "--label",
        `skiff.workflow=${run.workflow.name}`,
      ];
      const r = await podman(setup, ["volume", "create", ...labels, volume]);
      if (r.code !== 0 && !/already exists/.test(r.stderr)) {
        throw new Error(`volume "${v.name}": podman volume create: ${r.stderr}`);
      }
    }
    if (!m.subPath) return ["-v", `${volume}:${m.mountPath}${ro}`];
    const mountpoint = (await podmanOk(setup, ["volume", "inspect", "--format", "{{.Mountpoint}}", volume]))
      .trim();
    await Deno.mkdir(`${mountpoint}/${m.subPath}`, { recursive: true });
    return ["-v", `${mountpoint}/${m.subPath}:${m.mountPath}${ro}`];
  }

  /**
   * The image and what follows it: `--entrypoint` and args by Kubernetes' rules. An image replaced
   * through the image map takes its entrypoint from the table (the real image's is not here).
   */
  #imageAndArgs(c: RunContainer, script: boolean): string[] {
    const image = this.images.resolve(c.image);
    const scriptArg = script ? [`${SCRIPT_DIR}/script`] : [];
    if (c.command && c.command.length > 0) {
      return ["--entrypoint", JSON.stringify(c.command), image, ...(c.args ?? []), ...scriptArg];
    }
    const entry = this.images.replaces(c.image) ? lookupEntrypoint(this.#entrypoints, c.image) : undefined;
    const args = [...(c.args ?? entry?.args ?? []), ...scriptArg];
    return entry?.command
      ? ["--entrypoint", JSON.stringify(entry.command), image, ...args]
      : [image, ...args];
  }

  #graceSeconds(run: RunSpec): number {
    const fromPod = run.podSpec?.terminationGracePeriodSeconds;
    return typeof fromPod === "number" ? fromPod : this.options.graceSeconds ?? 30;
  }

  /** Removes an ended step's pod (after its final report); tracked so that `close()` waits for it. */
  #removeAfterReport(run: RunSpec): Promise<void> {
    const p: Promise<void> = this.#removePod(run).catch(() => {}).finally(() => this.#removals.delete(p));
    this.#removals.add(p);
    return p;
  }

  async #removePod(run: RunSpec): Promise<void> {
    const setup = this.#setup;
    if (!setup) return;
    const pod = this.podNameOf(run);
    await podman(setup, ["pod", "rm", "-f", "-t", "0", pod]);
    // emptyDir volumes live as long as their pod (a step without any has none to look for).
    if (!run.volumes.some((v) => classifyVolume(v).kind === "emptyDir")) return;
    const vols = await podman(setup, ["volume", "ls", "-q", "--filter", `name=^${escapeRe(pod)}-`]);
    for (const v of vols.stdout.split("\n").filter(Boolean)) await podman(setup, ["volume", "rm", "-f", v]);
  }

  async #finishWith(
    run: RunSpec,
    dir: string,
    message: string,
    phase: "Error" | "Failed" = "Error",
  ): Promise<void> {
    const result: StepResult = {
      phase,
      message,
      result: "",
      stdout: "",
      parameters: {},
      artifacts: {},
      finishedAt: new Date().toISOString(),
    };
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
      const dir = this.layout.nodeDir(waiting.workflow, waiting.nodeId);
      await this.#finishWith(waiting, dir, reason, "Failed");
      await Deno.remove(`${dir}/${WAITING}`).catch(() => {});
      return;
    }
    const t = this.#tracked.get(nodeId);
    if (!t) return;
    t.stop.abort(reason);
    await t.done;
  }

  async adopt(workflow: WorkflowRef, nodeId: string): Promise<NodeObservation | undefined> {
    const known = this.#obs.get(nodeId);
    if (known) return known;
    const pending = this.#starting.get(nodeId);
    if (pending) {
      await pending;
      return this.#obs.get(nodeId);
    }
    const run = await readJson<RunSpec>(`${this.layout.nodeDir(workflow, nodeId)}/run.json`);
    if (!run) return undefined;
    await this.#begin(this.#start(run, true), nodeId);
    return this.#obs.get(nodeId);
  }

  async list(workflow?: WorkflowRef): Promise<RuntimeStep[]> {
    const steps = new Map<string, RuntimeStep>();
    const setup = this.#setup;
    if (setup) {
      const filters = ["--filter", "label=skiff.node-id"];
      if (workflow) {
        filters.push(
          "--filter",
          `label=skiff.workflow=${workflow.name}`,
          "--filter",
          `label=skiff.namespace=${workflow.namespace}`,
        );
      }
      const out = await podman(setup, ["ps", "-a", ...filters, "--format", "json"]);
      const rows = out.code === 0 && out.stdout.trim() ? JSON.parse(out.stdout) as PsRow[] : [];
      for (const row of rows) {
        const name = row.Names?.[0] ?? "";
        if (!name.endsWith("-main")) continue;
        const l = row.Labels ?? {};
        const wf = { namespace: l["skiff.namespace"] ?? "default", name: l["skiff.workflow"] ?? "" };
        const nodeId = l["skiff.node-id"] ?? "";
        const finished = await readJson(`${this.layout.nodeDir(wf, nodeId)}/result.json`).catch(() =>
          undefined
        );
        steps.set(nodeId, {
          workflow: wf,
          nodeId,
          podName: name.slice(0, -"-main".length).replace(/^[^.]+\./, ""),
          state: finished ? "finished" : row.State === "running" ? "running" : "lost",
        });
      }
    }
    // Finished nodes whose pods were removed.
    for (const wf of await listWorkflowsOf(this.layout, workflow)) {
      const nodesDir = `${this.layout.workflowDir(wf)}/nodes`;
      for await (const e of readDirSafe(nodesDir)) {
        const run = await readJson<RunSpec>(`${nodesDir}/${e.name}/run.json`).catch(() => undefined);
        if (!run || steps.has(run.nodeId)) continue;
        const finished = await readJson(`${nodesDir}/${e.name}/result.json`).catch(() => undefined);
        steps.set(run.nodeId, {
          workflow: wf,
          nodeId: run.nodeId,
          podName: run.podName,
          state: finished ? "finished" : existsSync(`${nodesDir}/${e.name}/${WAITING}`) ? "pending" : "lost",
        });
      }
    }
    return [...steps.values()];
  }

  async logs(workflow: WorkflowRef, nodeId: string): Promise<string> {
    return await Deno.readTextFile(`${this.layout.nodeDir(workflow, nodeId)}/main.log`).catch(() => "");
  }

  subscribe(listener: ObservationListener): () => void {
    return this.#obs.subscribe(listener);
  }

  async cleanup(workflow: WorkflowRef): Promise<void> {
    const mine = (run: RunSpec) =>
      run.workflow.namespace === workflow.namespace && run.workflow.name === workflow.name;
    for (const run of this.#slots.drop(mine)) {
      this.#obs.set(run, {
        phase: "Failed",
        message: "stopped before it started: its workflow's files were removed",
        finishedAt: new Date().toISOString(),
      });
    }
    const setup = this.#setup;
    if (setup) {
      const f = [
        "--filter",
        `label=skiff.workflow=${workflow.name}`,
        "--filter",
        `label=skiff.namespace=${workflow.namespace}`,
      ];
      const pods = await podman(setup, ["pod", "ps", "-q", ...f]);
      for (const id of pods.stdout.split("\n").filter(Boolean)) {
        await podman(setup, ["pod", "rm", "-f", "-t", "0", id]);
      }
      // `volume ls` ORs label filters (unlike `ps` and `pod ps`): filter on the workflow, check the
      // namespace here, or the volumes (and, with -f, the containers) of every other workflow go too.
      const vols = await podman(setup, [
        "volume",
        "ls",
        "--filter",
        `label=skiff.workflow=${workflow.name}`,
        "--format",
        '{{.Name}} {{index .Labels "skiff.namespace"}}',
      ]);
      for (const line of vols.stdout.split("\n").filter(Boolean)) {
        const [v, ns] = line.trim().split(/\s+/);
        if (v && ns === workflow.namespace) await podman(setup, ["volume", "rm", "-f", v]);
      }
    }
    await Deno.remove(this.layout.workflowDir(workflow), { recursive: true }).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Waiting steps stay as they are on disk (run.json and `waiting`): the next runtime's adopt()
    // queues them again.
    this.#slots.drop();
    // Stop following the containers; they keep running and are adopted by the next runtime.
    for (const t of this.#tracked.values()) t.detach?.();
    await Promise.all([...this.#tracked.values()].map((t) => t.done.catch(() => {})));
    this.#tracked.clear();
    // Pods of steps that ended are removed before close() returns, so none is left behind.
    while (this.#removals.size > 0) await Promise.all([...this.#removals]);
  }

  /** True once a node's observation is final. */
  isDone(nodeId: string): boolean {
    const o = this.#obs.get(nodeId);
    return o !== undefined && isFinal(o);
  }
}

/** The file in a node's directory that says it waits for a slot (see #start). */
const WAITING = "waiting";

/**
 * Whether a step's pod holds its main container alone (no init containers, no sidecars, not a
 * daemon that others reach): then it has no infra container, whose only use is namespaces shared
 * between containers. Creating and removing one cost ~60 and ~220 ms of podman's time a step here.
 */
function alone(run: RunSpec): boolean {
  return run.initContainers.length === 0 && run.sidecars.length === 0 && !run.daemon;
}

interface PsRow {
  Names?: string[];
  State?: string;
  Labels?: Record<string, string>;
}

async function* readDirSafe(dir: string): AsyncIterable<Deno.DirEntry> {
  try {
    for await (const e of Deno.readDir(dir)) yield e;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

async function listWorkflowsOf(layout: NodeLayout, only?: WorkflowRef): Promise<WorkflowRef[]> {
  if (only) return [only];
  const out: WorkflowRef[] = [];
  for await (const ns of readDirSafe(`${layout.dataDir}/runs`)) {
    for await (const wf of readDirSafe(`${layout.dataDir}/runs/${ns.name}`)) {
      out.push({ namespace: ns.name, name: wf.name });
    }
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
