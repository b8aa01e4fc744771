/**
 * The podman runtime with real containers (each step a podman pod) from the local test image.
 */
import assert from "node:assert/strict";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import { createRuntime } from "../../controller/local/runtime/select.ts";
import { ensureTestImage, podmanSkipReason, TEST_IMAGE, testImages, testSetup } from "./podman_env.ts";
import { overlap, runSpec, wfName } from "./helpers.ts";

const ignore = podmanSkipReason !== undefined;

async function runtime(
  opts: { graceSeconds?: number; dataDir?: string; noInit?: boolean; init?: boolean; maxSteps?: number } = {},
) {
  const probed = await testSetup();
  // Without --init the main program is the container's first process: podman itself starts it.
  const withoutInit = probed.containerArgs.filter((a) => a !== "--init");
  const setup = opts.noInit
    ? { ...probed, containerArgs: withoutInit }
    : opts.init
    ? { ...probed, containerArgs: [...withoutInit, "--init"] }
    : probed;
  const dataDir = opts.dataDir ?? await Deno.makeTempDir({ prefix: "skiff-podman-" });
  return new PodmanRuntime({
    dataDir,
    images: testImages,
    graceSeconds: opts.graceSeconds ?? 5,
    setup,
    ...(opts.maxSteps ? { maxSteps: opts.maxSteps } : {}),
  });
}

/** Runs `fn` with a runtime and removes the workflow's pods and volumes afterwards. */
function podmanTest(name: string, fn: (t: { wf: string }) => Promise<void>) {
  Deno.test({ name, ignore }, async () => {
    const wf = wfName("pt");
    try {
      await fn({ wf });
    } finally {
      const rt = await runtime();
      await rt.cleanup({ namespace: "default", name: wf });
    }
  });
}

podmanTest("docker/whalesay runs cowsay in a container: result and log", async ({ wf }) => {
  const rt = await runtime();
  const run = runSpec(wf, { main: { image: "docker/whalesay", command: ["cowsay"], args: ["hello world"] } });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded", obs.message ?? "");
  assert.equal(obs.exitCode, 0);
  assert.match(obs.stdout!, /< hello world >/);
  assert.match(await rt.logs(run.workflow, run.nodeId), /< hello world >/);
  // The pod is removed once the result is recorded.
  let exists = true;
  for (let i = 0; i < 50 && exists; i++) {
    exists = (await new Deno.Command("podman", { args: ["pod", "exists", run.podName] }).output()).success;
    if (exists) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(exists, false, "the pod was not removed");
});

podmanTest("a pod of the same name left by a deleted data dir is replaced, not a failure", async ({ wf }) => {
  const run = runSpec(wf, { main: { image: "busybox", command: ["echo", "fresh"] } });
  // Left over: a pod with this node's name, and no record of it in the (new) data dir.
  const made = await new Deno.Command("podman", {
    args: [
      ...(await testSetup()).globalArgs,
      "pod",
      "create",
      "--name",
      run.podName,
      "--label",
      `skiff.workflow=${wf}`,
    ],
  }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const rt = await runtime();
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded", obs.message ?? "");
  assert.equal(obs.stdout, "fresh\n");
});

podmanTest("exit code and stderr in the log", async ({ wf }) => {
  const rt = await runtime();
  const run = runSpec(wf, {
    main: { image: "alpine:3.7", command: ["sh", "-c"], args: ["echo out; echo err >&2; exit 3"] },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.exitCode, 3);
  assert.equal(obs.message, undefined); // worded by the engine: "main: Error (exit code 3)"
  assert.equal(obs.stdout, "out\n");
  assert.deepEqual((await rt.logs(run.workflow, run.nodeId)).split("\n").sort(), ["", "err", "out"]);
});

podmanTest(
  "a program missing or not executable fails as under Argo's emissary (exit code 64), with or without --init; podman's and catatonit's words stay out of the log",
  async ({ wf }) => {
    const missing =
      'main: Error (exit code 64): failed to find name in PATH: exec: "no-such-program": executable file not found in $PATH';
    // Without --init podman refuses to start the container; with it, catatonit cannot exec the program.
    for (const init of [false, true]) {
      const rt = await runtime(init ? { init: true } : { noInit: true });
      const run = runSpec(wf, { main: { image: "busybox", command: ["no-such-program"] } });
      await rt.start(run);
      const obs = await rt.wait(run.nodeId);
      assert.deepEqual([obs.phase, obs.exitCode, obs.message], ["Failed", 64, missing], `init: ${init}`);
      assert.equal(await rt.logs(run.workflow, run.nodeId), "", `init: ${init}`);
    }
    const rt = await runtime({ init: true });
    const plain = runSpec(wf, { main: { image: "busybox", command: ["/etc/hostname"] } });
    await rt.start(plain);
    const p = await rt.wait(plain.nodeId);
    assert.equal(p.exitCode, 64);
    assert.equal(
      p.message,
      'main: Error (exit code 64): failed to find name in PATH: exec: "/etc/hostname": permission denied',
    );
  },
);

podmanTest(
  "a step whose stderr begins as podman's start error ran: its exit code and its whole log",
  async ({ wf }) => {
    const rt = await runtime();
    const run = runSpec(wf, {
      main: {
        image: "busybox",
        command: [
          "sh",
          "-c",
          "echo 'Error: unable to start container (the step says so)' >&2; echo out; exit 4",
        ],
      },
    });
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Failed");
    assert.equal(obs.exitCode, 4);
    assert.equal(obs.stdout, "out\n");
    assert.deepEqual(
      (await rt.logs(run.workflow, run.nodeId)).split("\n").sort(),
      ["", "Error: unable to start container (the step says so)", "out"],
    );
  },
);

podmanTest("a step's hostname is its pod's name, with or without a sidecar", async ({ wf }) => {
  const rt = await runtime();
  const alone = runSpec(wf, { main: { image: "busybox", command: ["hostname"] } });
  const withSidecar = runSpec(wf, {
    main: { image: "busybox", command: ["hostname"] },
    sidecars: [{ name: "side", image: "busybox", command: ["sleep", "30"], env: [], volumeMounts: [] }],
  });
  for (const run of [alone, withSidecar]) {
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    assert.equal(obs.stdout, `${run.podName}\n`);
  }
});

podmanTest(
  "with --max-steps 2, four steps run at most two at a time, in order; a waiting step killed never runs",
  async ({ wf }) => {
    const rt = await runtime({ maxSteps: 2 });
    const runs = [1, 2, 3, 4, 5].map((i) =>
      runSpec(wf, { main: { image: "busybox", command: ["sh", "-c", `sleep 1; echo step ${i}`] } })
    );
    for (const r of runs) await rt.start(r);
    assert.deepEqual(runs.map((r) => rt.observe(r.nodeId)?.phase), [
      "Running",
      "Running",
      "Pending",
      "Pending",
      "Pending",
    ]);
    assert.match(
      rt.observe(runs[2]!.nodeId)!.message!,
      /^waiting for a free slot: 2 steps run, at most 2 at once/,
    );
    await rt.kill(runs[4]!.nodeId, "Stopped with strategy 'Stop'");
    const obs = await Promise.all(runs.map((r) => rt.wait(r.nodeId)));
    assert.deepEqual(obs.map((o) => o.phase), ["Succeeded", "Succeeded", "Succeeded", "Succeeded", "Failed"]);
    assert.equal(obs[4]!.message, "Stopped with strategy 'Stop'");
    assert.equal(obs[4]!.exitCode, undefined);
    const spans = obs.slice(0, 4).map((o) => [Date.parse(o.startedAt!), Date.parse(o.finishedAt!)] as const);
    for (const [start] of spans) {
      const running = spans.filter(([s, f]) => s <= start && start < f).length;
      assert.ok(running <= 2, `${running} steps ran at once: ${JSON.stringify(spans)}`);
    }
    assert.ok(spans[2]![0] >= Math.min(spans[0]![1], spans[1]![1]), "step 3 started before a slot was free");
  },
);

podmanTest(
  "a step waiting for a slot when its host closed is started by the next host",
  async ({ wf }) => {
    const dataDir = await Deno.makeTempDir({ prefix: "skiff-podman-" });
    const first = await runtime({ dataDir, maxSteps: 1 });
    const [busy, queued] = [1, 2].map((i) =>
      runSpec(wf, { main: { image: "busybox", command: ["sh", "-c", `sleep 1; echo step ${i}`] } })
    );
    await first.start(busy!);
    await first.start(queued!);
    assert.equal(first.observe(queued!.nodeId)?.phase, "Pending");
    await first.close();

    const second = await runtime({ dataDir, maxSteps: 1 });
    const listed = await second.list({ namespace: "default", name: wf });
    assert.equal(listed.find((s) => s.nodeId === queued!.nodeId)?.state, "pending");
    await second.adopt(busy!.workflow, busy!.nodeId);
    await second.adopt(queued!.workflow, queued!.nodeId);
    const [a, b] = await Promise.all([second.wait(busy!.nodeId), second.wait(queued!.nodeId)]);
    assert.deepEqual([a!.phase, a!.stdout, b!.phase, b!.stdout], [
      "Succeeded",
      "step 1\n",
      "Succeeded",
      "step 2\n",
    ]);
  },
);

podmanTest("two parallel steps overlap in time and each has its own /tmp/hello_world.txt", async ({ wf }) => {
  const rt = await runtime();
  const runs = ["one", "two"].map((word) =>
    runSpec(wf, {
      main: { image: "busybox", command: ["sh", "-c", `sleep 1.5; echo ${word} > /tmp/hello_world.txt`] },
      outputs: { parameters: [{ name: "hello-param", path: "/tmp/hello_world.txt" }], artifacts: [] },
    })
  );
  await Promise.all(runs.map((r) => rt.start(r)));
  const [a, b] = await Promise.all(runs.map((r) => rt.wait(r.nodeId)));
  assert.deepEqual(a!.parameters, { "hello-param": "one" });
  assert.deepEqual(b!.parameters, { "hello-param": "two" });
  assert.ok(overlap(a!, b!), `not overlapping: ${JSON.stringify([a, b])}`);
});

podmanTest(
  "a python script template: env, workingDir, output parameters (missing one defaulted)",
  async ({ wf }) => {
    const rt = await runtime();
    const run = runSpec(wf, {
      main: {
        image: "python:alpine3.6",
        command: ["python"],
        env: [{ name: "WHO", value: "pod" }],
        workingDir: "/work",
      },
      script: {
        source:
          "import os\nprint('hi', os.environ['WHO'], os.getcwd())\nopen('/tmp/n.txt','w').write('7\\n')\n",
      },
      outputs: {
        parameters: [{ name: "n", path: "/tmp/n.txt" }, { name: "m", path: "/tmp/m.txt", default: "none" }],
        artifacts: [],
      },
    });
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    assert.equal(obs.stdout, "hi pod /work\n");
    assert.deepEqual(obs.parameters, { n: "7", m: "none" });
  },
);

podmanTest(
  "outputs are the container's files: links resolved inside it (an artifact's too), volumes seen, a directory refused",
  async ({ wf }) => {
    const rt = await runtime();
    const marker = `/skiff-marker-${crypto.randomUUID()}`; // nowhere on this host
    const script = [
      `mkdir -p ${marker} /data; echo inside > ${marker}/f`,
      `ln -s ${marker}/f /tmp/absolute`, // an absolute link: the container's root, not the host's
      `ln -s ../../../../../..${marker}/f /tmp/climbing`, // '..' stops at the container's root
      "echo in-volume > /mnt/vol/v; ln -s /mnt/vol/v /tmp/into-volume",
      "echo plain > /tmp/plain",
    ].join("; ");
    const param = (name: string, path: string) => ({ name, path });
    const run = runSpec(wf, {
      main: {
        image: "busybox",
        command: ["sh", "-c", script],
        volumeMounts: [{ name: "scratch", mountPath: "/mnt/vol" }],
      },
      volumes: [{ name: "scratch", source: { emptyDir: {} } }],
      outputs: {
        parameters: [
          param("absolute", "/tmp/absolute"),
          param("climbing", "/tmp/climbing"),
          param("volume", "/mnt/vol/v"),
          param("intoVolume", "/tmp/into-volume"),
          param("plain", "/tmp/plain"),
        ],
        artifacts: [{ name: "linked", path: "/tmp/absolute" }],
      },
    });
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    assert.equal(await Deno.readTextFile(obs.artifacts!.linked!), "inside\n");
    assert.deepEqual(obs.parameters, {
      absolute: "inside",
      climbing: "inside",
      volume: "in-volume",
      intoVolume: "in-volume",
      plain: "plain",
    });

    const dirRun = runSpec(wf, {
      main: { image: "busybox", command: ["mkdir", "/tmp/d"] },
      outputs: { parameters: [param("d", "/tmp/d")], artifacts: [] },
    });
    await rt.start(dirRun);
    const dir = await rt.wait(dirRun.nodeId);
    assert.equal(dir.phase, "Error");
    assert.match(dir.message ?? "", /output parameter "d": .*\/tmp\/d is a directory/);
  },
);

podmanTest("a missing output parameter is an Error naming its path", async ({ wf }) => {
  const rt = await runtime();
  const run = runSpec(wf, {
    main: { image: "busybox", command: ["true"] },
    outputs: { parameters: [{ name: "x", path: "/tmp/nothing.txt" }], artifacts: [] },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Error");
  assert.match(obs.message!, /output parameter "x": open \/tmp\/nothing\.txt: no such file/);
});

podmanTest(
  "no command: the entrypoint table for a mapped image, or the image's own ENTRYPOINT/CMD",
  async ({ wf }) => {
    const rt = await runtime();
    const mapped = runSpec(wf, { main: { image: "python:3.12", args: ["-c", "print(6*7)"] } });
    const own = runSpec(wf, { main: { image: TEST_IMAGE, args: ["echo", "from CMD override"] } });
    await rt.start(mapped);
    await rt.start(own);
    assert.equal((await rt.wait(mapped.nodeId)).stdout, "42\n");
    assert.equal((await rt.wait(own.nodeId)).stdout, "from CMD override\n");
  },
);

podmanTest("kill stops a long sleep within the grace period", async ({ wf }) => {
  const rt = await runtime({ graceSeconds: 3 });
  const run = runSpec(wf, { main: { image: "busybox", command: ["sleep", "60"] } });
  await rt.start(run);
  assert.equal(rt.observe(run.nodeId)?.phase, "Running");
  const t0 = performance.now();
  await rt.kill(run.nodeId, "Stopped with strategy 'Stop'");
  const ms = performance.now() - t0;
  const obs = await rt.wait(run.nodeId);
  assert.ok(ms < 3000, `kill took ${ms} ms`);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.exitCode, 143);
  assert.equal(obs.message, "Stopped with strategy 'Stop'");
});

podmanTest("a step past its deadline is stopped", async ({ wf }) => {
  const rt = await runtime({ graceSeconds: 2 });
  const run = runSpec(wf, {
    main: { image: "busybox", command: ["sleep", "60"] },
    deadline: new Date(Date.now() + 2000).toISOString(),
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.message, "Step exceeded its deadline");
});

podmanTest(
  "volumes: a claim shared by steps, an init container filling an emptyDir, artifacts passed on",
  async ({ wf }) => {
    const rt = await runtime();
    const claim = { name: "workdir", source: { persistentVolumeClaim: { claimName: `${wf}-workdir` } } };
    const scratch = { name: "scratch", source: { emptyDir: {} } };
    const write = runSpec(wf, {
      volumes: [claim, scratch],
      initContainers: [{
        name: "init",
        image: "busybox",
        command: ["sh", "-c", "echo from-init > /scratch/init.txt"],
        env: [],
        volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
      }],
      main: {
        image: "busybox",
        command: [
          "sh",
          "-c",
          "cat /scratch/init.txt > /mnt/vol/note.txt; mkdir -p /tmp/art; echo art > /tmp/art/a.txt",
        ],
        volumeMounts: [{ name: "workdir", mountPath: "/mnt/vol" }, {
          name: "scratch",
          mountPath: "/scratch",
        }],
      },
      outputs: { parameters: [], artifacts: [{ name: "art", path: "/tmp/art" }] },
    });
    await rt.start(write);
    const w = await rt.wait(write.nodeId);
    assert.equal(w.phase, "Succeeded", w.message ?? "");
    const read = runSpec(wf, {
      volumes: [claim],
      main: {
        image: "busybox",
        command: ["sh", "-c", "cat /mnt/vol/note.txt /in/art/a.txt /in/raw.txt"],
        volumeMounts: [{ name: "workdir", mountPath: "/mnt/vol" }],
      },
      inputArtifacts: [
        { name: "art", path: "/in/art", from: { nodeId: write.nodeId, artifact: "art" } },
        { name: "raw", path: "/in/raw.txt", from: { raw: "raw text\n" } },
      ],
    });
    await rt.start(read);
    const r = await rt.wait(read.nodeId);
    assert.equal(r.phase, "Succeeded", r.message ?? "");
    assert.equal(r.stdout, "from-init\nart\nraw text\n");
  },
);

podmanTest("a sidecar shares the pod's localhost with the main container", async ({ wf }) => {
  const rt = await runtime({ graceSeconds: 1 });
  const run = runSpec(wf, {
    sidecars: [{
      name: "web",
      image: "python:3",
      command: ["python3", "-c"],
      args: [
        "import http.server as h\nclass H(h.BaseHTTPRequestHandler):\n  def do_GET(s):\n    s.send_response(200); s.end_headers(); s.wfile.write(b'from sidecar')\nh.HTTPServer(('127.0.0.1', 8080), H).serve_forever()",
      ],
      env: [],
      volumeMounts: [],
    }],
    main: {
      image: "python:3",
      command: ["python3", "-c"],
      args: [
        "import time, urllib.request as u\nfor i in range(50):\n  try:\n    print(u.urlopen('http://127.0.0.1:8080').read().decode()); break\n  except Exception: time.sleep(0.1)",
      ],
    },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded", obs.message ?? "");
  assert.equal(obs.stdout, "from sidecar\n");
});

podmanTest(
  "a daemon pod gets an IP, is ready when its probe passes, and serves another pod",
  async ({ wf }) => {
    const rt = await runtime({ graceSeconds: 1 });
    const server = runSpec(wf, {
      daemon: true,
      main: {
        image: "node:9.1-alpine",
        command: ["node", "-e"],
        args: [
          "setTimeout(() => require('http').createServer((q, s) => s.end('hello from the daemon')).listen(8080), 500)",
        ],
        extra: { readinessProbe: { httpGet: { path: "/", port: 8080 } } },
      },
    });
    await rt.start(server);
    for (let i = 0; i < 100 && !rt.observe(server.nodeId)?.daemonReady; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const up = rt.observe(server.nodeId) as { daemonReady?: boolean; podIP?: string };
    assert.equal(up.daemonReady, true);
    assert.match(up.podIP ?? "", /^\d+\.\d+\.\d+\.\d+$/);
    const client = runSpec(wf, {
      main: { image: "busybox", command: ["busybox", "wget", "-q", "-O", "-", `http://${up.podIP}:8080/`] },
    });
    await rt.start(client);
    const got = await rt.wait(client.nodeId);
    assert.equal(got.stdout, "hello from the daemon");
    await rt.kill(server.nodeId, "daemon no longer needed");
    assert.equal((await rt.wait(server.nodeId)).phase, "Failed");
  },
);

podmanTest(
  "after a restart: a running container is adopted, a finished one is not run again",
  async ({ wf }) => {
    const dataDir = await Deno.makeTempDir({ prefix: "skiff-podman-" });
    const first = await runtime({ dataDir });
    const done = runSpec(wf, { main: { image: "busybox", command: ["sh", "-c", "echo once"] } });
    const slow = runSpec(wf, {
      main: { image: "busybox", command: ["sh", "-c", "echo begun; sleep 2; echo slow done"] },
    });
    await first.start(done);
    await first.wait(done.nodeId);
    await first.start(slow);
    await first.close(); // the host goes away; the container does not

    const second = await runtime({ dataDir });
    const listed = await second.list({ namespace: "default", name: wf });
    assert.deepEqual(
      Object.fromEntries(listed.map((s) => [s.nodeId, s.state])),
      { [done.nodeId]: "finished", [slow.nodeId]: "running" },
    );
    assert.equal((await second.adopt(slow.workflow, slow.nodeId))?.phase, "Running");
    await second.start(done);
    assert.equal((await second.wait(done.nodeId)).stdout, "once\n");
    const s = await second.wait(slow.nodeId);
    assert.equal(s.phase, "Succeeded");
    assert.equal(s.stdout, "begun\nslow done\n");
    assert.equal(await second.logs(slow.workflow, slow.nodeId), "begun\nslow done\n");
  },
);

Deno.test({ name: "--runtime auto picks podman when a test container starts", ignore }, async () => {
  await ensureTestImage();
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-podman-" });
  const { runtime, reason } = await createRuntime({ kind: "auto", dataDir, images: testImages });
  assert.equal(runtime.kind, "podman", reason);
  assert.match(reason, /^podman \d/);
});

Deno.test("--runtime auto falls back to the process runtime, saying why", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-podman-" });
  const { runtime, reason } = await createRuntime({
    kind: "auto",
    dataDir,
    probeImage: "localhost/skiff-no-such-image:1",
  });
  assert.equal(runtime.kind, "process");
  assert.match(reason, /^process runtime: /);
});

podmanTest("cleanup removes one workflow's pods and volumes, and no other workflow's", async ({ wf }) => {
  const rt = await runtime();
  const other = wfName("pt-other");
  const step = (name: string) =>
    runSpec(name, {
      volumes: [{ name: "data", source: { persistentVolumeClaim: { claimName: `${name}-data` } } }],
      main: {
        image: "busybox",
        command: ["sh", "-c", "echo x > /data/x"],
        volumeMounts: [{ name: "data", mountPath: "/data" }],
      },
    });
  try {
    for (const name of [wf, other]) {
      const run = step(name);
      await rt.start(run);
      assert.equal((await rt.wait(run.nodeId)).phase, "Succeeded");
    }
    await rt.cleanup({ namespace: "default", name: wf });
    const exists = async (v: string) =>
      (await new Deno.Command("podman", { args: ["volume", "exists", v] }).output()).success;
    assert.equal(await exists(`${wf}-data`), false);
    assert.equal(await exists(`${other}-data`), true, "another workflow's volume was removed");
  } finally {
    await rt.cleanup({ namespace: "default", name: other });
  }
});

/**
 * The podman commands this test process started that still run, about workflow `wf` (test files
 * run side by side in one process: others' podman commands are theirs).
 */
function podmanChildren(wf: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie has ended; it is only not reaped yet (which may lag on a loaded machine).
      if (state === "Z") continue;
      const args = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").filter(Boolean);
      if (Number(ppid) !== Deno.pid || !args[0]?.endsWith("podman")) continue;
      if (args.some((a) => a.includes(wf))) out.push(args.join(" "));
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

podmanTest(
  "close() returns once the pods of ended steps are removed: none is left behind",
  async ({ wf }) => {
    const rt = await runtime();
    const runs = [1, 2, 3].map((i) =>
      runSpec(wf, {
        volumes: [{ name: "scratch", source: { emptyDir: {} } }],
        main: {
          image: "busybox",
          command: ["sh", "-c", `echo step ${i} | tee /scratch/x`],
          volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
        },
      })
    );
    await Promise.all(runs.map((r) => rt.start(r)));
    const obs = await Promise.all(runs.map((r) => rt.wait(r.nodeId)));
    assert.deepEqual(obs.map((o) => o.phase), ["Succeeded", "Succeeded", "Succeeded"]);
    await rt.close(); // what `skiff run` does right before it exits
    assert.deepEqual(podmanChildren(wf), [], "podman commands still running after close()");
    const podman = async (...args: string[]) => {
      const r = await new Deno.Command("podman", { args, stdout: "piped", stderr: "piped" }).output();
      assert.ok(r.success, new TextDecoder().decode(r.stderr));
      return new TextDecoder().decode(r.stdout).trim();
    };
    assert.equal(
      await podman("pod", "ls", "--filter", `label=skiff.workflow=${wf}`, "--format", "{{.Name}}"),
      "",
    );
    assert.equal(await podman("volume", "ls", "-q", "--filter", `name=^${wf}-`), "", "emptyDir volumes left");
  },
);
