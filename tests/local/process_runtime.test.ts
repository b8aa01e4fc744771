/**
 * The process runtime with real host processes: what a user of `skiff run --runtime process` sees.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { overlap, runSpec, wfName } from "./helpers.ts";
import { readState } from "../../controller/local/runtime/process_pids.ts";

async function runtime(opts: { graceSeconds?: number; dataDir?: string } = {}) {
  const dataDir = opts.dataDir ?? await Deno.makeTempDir({ prefix: "skiff-process-" });
  const warnings: string[] = [];
  const rt = new ProcessRuntime({
    dataDir,
    graceSeconds: opts.graceSeconds ?? 5,
    warn: (m) => warnings.push(m),
  });
  return { rt, dataDir, warnings };
}

Deno.test("a container step runs on the host: result, exit code, log", async () => {
  const { rt } = await runtime();
  const wf = wfName("hello");
  const run = runSpec(wf, {
    main: { image: "docker/whalesay", command: ["sh", "-c"], args: ["echo hello world; echo to-stderr >&2"] },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded");
  assert.equal(obs.exitCode, 0);
  assert.equal(obs.stdout, "hello world\n");
  assert.ok(obs.startedAt && obs.finishedAt);
  assert.equal(await rt.logs(run.workflow, run.nodeId), "hello world\nto-stderr\n");
});

Deno.test("a failing step reports its exit code", async () => {
  const { rt } = await runtime();
  const run = runSpec(wfName("fail"), { main: { command: ["sh", "-c", "exit 4"] } });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.exitCode, 4);
  assert.equal(obs.message, undefined); // worded by the engine: "main: Error (exit code 4)"
});

Deno.test("parallel steps writing the same /tmp path each get their own output, and overlap in time", async () => {
  const { rt } = await runtime();
  const wf = wfName("parallel");
  const runs = ["one", "two"].map((word) =>
    runSpec(wf, {
      main: { command: ["sh", "-c", `sleep 1; echo ${word} > /tmp/hello_world.txt`] },
      outputs: { parameters: [{ name: "hello-param", path: "/tmp/hello_world.txt" }], artifacts: [] },
    })
  );
  await Promise.all(runs.map((r) => rt.start(r)));
  const [a, b] = await Promise.all(runs.map((r) => rt.wait(r.nodeId)));
  assert.deepEqual(a!.parameters, { "hello-param": "one" });
  assert.deepEqual(b!.parameters, { "hello-param": "two" });
  assert.ok(overlap(a!, b!), `not overlapping: ${JSON.stringify([a, b])}`);
});

Deno.test("a python script template with env and an output parameter", async () => {
  const { rt } = await runtime();
  const run = runSpec(wfName("script"), {
    main: { image: "python:alpine3.6", command: ["python"], env: [{ name: "WHO", value: "skiff" }] },
    script: {
      source: "import os\nprint('hi', os.environ['WHO'])\nopen('/tmp/out.txt', 'w').write('42\\n')\n",
    },
    outputs: { parameters: [{ name: "n", path: "/tmp/out.txt" }], artifacts: [] },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded", obs.message ?? "");
  assert.equal(obs.stdout, "hi skiff\n");
  assert.deepEqual(obs.parameters, { n: "42" });
});

Deno.test("images are ignored with one warning per image; entrypoints come from the table", async () => {
  const { rt, warnings } = await runtime();
  const wf = wfName("images");
  const a = runSpec(wf, { main: { image: "python:3.12", args: ["-c", "print(6*7)"] } });
  const b = runSpec(wf, { main: { image: "python:3.12", args: ["-c", "print(1)"] } });
  const c = runSpec(wf, { main: { image: "example.com/unknown:1" } });
  for (const r of [a, b, c]) await rt.start(r);
  assert.equal((await rt.wait(a.nodeId)).stdout, "42\n");
  assert.equal((await rt.wait(b.nodeId)).phase, "Succeeded");
  const unknown = await rt.wait(c.nodeId);
  assert.equal(unknown.phase, "Error");
  assert.match(
    unknown.message!,
    /image "example.com\/unknown:1": the process runtime does not know its entrypoint/,
  );
  assert.equal(warnings.filter((w) => w.includes('"python:3.12"')).length, 1);
  assert.equal(warnings.length, 2);
});

Deno.test("kill stops a long sleep within the grace period, with the given reason", async () => {
  const { rt } = await runtime({ graceSeconds: 2 });
  const run = runSpec(wfName("kill"), { main: { command: ["sleep", "60"] } });
  await rt.start(run);
  assert.equal(rt.observe(run.nodeId)?.phase, "Running");
  const t0 = performance.now();
  await rt.kill(run.nodeId, "Stopped with strategy 'Terminate'");
  const ms = performance.now() - t0;
  const obs = await rt.wait(run.nodeId);
  assert.ok(ms < 2000 + 1000, `kill took ${ms} ms`); // the grace period, plus the executor's start
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.exitCode, 143);
  assert.equal(obs.message, "Stopped with strategy 'Terminate'");
});

Deno.test("a step past its deadline is stopped", async () => {
  const { rt } = await runtime({ graceSeconds: 2 });
  const run = runSpec(wfName("deadline"), {
    main: { command: ["sleep", "60"] },
    deadline: new Date(Date.now() + 1000).toISOString(),
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.message, "Step exceeded its deadline");
});

Deno.test("a claim volume is shared by steps; output artifacts become the next step's input artifacts", async () => {
  const { rt } = await runtime();
  const wf = wfName("volumes");
  const volumes = [{ name: "workdir", source: { persistentVolumeClaim: { claimName: `${wf}-workdir` } } }];
  const volumeMounts = [{ name: "workdir", mountPath: "/mnt/vol" }];
  const write = runSpec(wf, {
    volumes,
    main: {
      command: [
        "sh",
        "-c",
        "echo from-volume > /mnt/vol/note.txt; mkdir -p /tmp/art; echo art > /tmp/art/a.txt",
      ],
      volumeMounts,
    },
    outputs: { parameters: [], artifacts: [{ name: "art", path: "/tmp/art" }] },
  });
  await rt.start(write);
  const w = await rt.wait(write.nodeId);
  assert.equal(w.phase, "Succeeded", w.message ?? "");
  const read = runSpec(wf, {
    volumes,
    main: { command: ["sh", "-c", "cat /mnt/vol/note.txt /in/art/a.txt /in/raw.txt"], volumeMounts },
    inputArtifacts: [
      { name: "art", path: "/in/art", from: { nodeId: write.nodeId, artifact: "art" } },
      { name: "raw", path: "/in/raw.txt", from: { raw: "raw text\n" } },
    ],
  });
  await rt.start(read);
  const r = await rt.wait(read.nodeId);
  assert.equal(r.phase, "Succeeded", r.message ?? "");
  assert.equal(r.stdout, "from-volume\nart\nraw text\n");
});

Deno.test("after a restart: a finished step is not run again, a running one is adopted, a lost one is an Error", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-process-" });
  const wf = wfName("restart");
  const marker = `${dataDir}/runs-count`;
  const first = (await runtime({ dataDir })).rt;
  const done = runSpec(wf, { main: { command: ["sh", "-c", `echo x >> ${marker}; echo finished`] } });
  const slow = runSpec(wf, { main: { command: ["sh", "-c", "sleep 1.5; echo slow done"] } });
  const lost = runSpec(wf, { main: { command: ["sleep", "30"] } });
  await first.start(done);
  await first.wait(done.nodeId);
  await first.start(slow);
  await first.start(lost);
  await first.close();
  // The host dies: the executor of `lost` dies with its command; `slow` goes on.
  const dir = first.layout.nodeDir(lost.workflow, lost.nodeId);
  for (let i = 0; i < 200 && readState(dir) === undefined; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const state = readState(dir)!;
  Deno.kill(state.pid, "SIGKILL");
  Deno.kill(-state.childPid!, "SIGKILL");
  await new Promise((r) => setTimeout(r, 100));

  const second = (await runtime({ dataDir })).rt;
  const listed = await second.list({ namespace: "default", name: wf });
  assert.deepEqual(
    Object.fromEntries(listed.map((s) => [s.nodeId, s.state])),
    { [done.nodeId]: "finished", [slow.nodeId]: "running", [lost.nodeId]: "lost" },
  );
  await second.start(done); // idempotent: reports the recorded result
  assert.equal((await second.wait(done.nodeId)).stdout, "finished\n");
  assert.equal(await Deno.readTextFile(marker), "x\n");
  assert.equal((await second.adopt(slow.workflow, slow.nodeId))?.phase, "Running");
  assert.equal((await second.wait(slow.nodeId)).stdout, "slow done\n");
  const l = await second.adopt(lost.workflow, lost.nodeId);
  assert.equal(l?.phase, "Error");
  assert.match(l!.message!, /pod deleted/);
});

Deno.test("sidecars and init containers are refused by the process runtime with a clear message", async () => {
  const { rt } = await runtime();
  const run = runSpec(wfName("sidecar"), {
    main: { command: ["true"] },
    sidecars: [{ name: "nginx", image: "nginx", env: [], volumeMounts: [] }],
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Error");
  assert.equal(
    obs.message,
    'sidecar "nginx": the process runtime runs only the main container; use --runtime podman',
  );
});

Deno.test("a daemon is Running at once and ready when its readinessProbe passes; kill ends it", async () => {
  const { rt } = await runtime({ graceSeconds: 2 });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const run = runSpec(wfName("daemon"), {
    daemon: true,
    main: {
      command: ["sh", "-c", `sleep 1; exec python3 -m http.server ${port} --bind 127.0.0.1`],
      extra: { readinessProbe: { httpGet: { path: "/", port } } },
    },
  });
  const seen: (boolean | undefined)[] = [];
  rt.subscribe((c) => c.nodeId === run.nodeId && seen.push(c.observation.daemonReady));
  await rt.start(run);
  assert.equal(rt.observe(run.nodeId)?.daemonReady, undefined);
  for (let i = 0; i < 300 && !rt.observe(run.nodeId)?.daemonReady; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(rt.observe(run.nodeId)?.daemonReady, true);
  assert.equal(rt.observe(run.nodeId)?.podIP, "127.0.0.1");
  await rt.kill(run.nodeId, "daemon no longer needed");
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Failed");
  assert.deepEqual(seen.slice(0, 2), [undefined, true]);
});
