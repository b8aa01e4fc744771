/**
 * The process runtime's per-step supervisor, as a user sees it: what the Deno executor used to
 * give (result trimming, exit codes, start errors, leftovers ended) and a step that ended while no
 * host ran being collected by the next one.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { readTail } from "../../controller/local/runtime/process_collect.ts";
import { lookPath } from "../../controller/local/runtime/common.ts";
import { runSpec, wfName } from "./helpers.ts";
import { recordedExit } from "../../controller/local/runtime/process_pids.ts";

async function runtime(dataDir?: string) {
  return new ProcessRuntime({
    dataDir: dataDir ?? await Deno.makeTempDir({ prefix: "skiff-sup-" }),
    graceSeconds: 2,
    warn: () => {},
  });
}

Deno.test("result has one trailing newline trimmed; stdout keeps it; stderr is only in the log", async () => {
  const rt = await runtime();
  const run = runSpec(wfName("trim"), { main: { command: ["sh", "-c", "printf 'a\\n\\n'; echo err >&2"] } });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded");
  assert.equal(obs.stdout, "a\n\n");
  assert.equal(await rt.logs(run.workflow, run.nodeId), "a\n\nerr\n");
});

Deno.test("the log keeps stdout and stderr in order, before and after the first stderr line, partial lines held", async () => {
  const rt = await runtime();
  const script = [
    "printf 'one\\ntwo\\npart'", // stdout only so far, ending in a partial line
    "sleep 0.3; echo e1 >&2",
    "sleep 0.3; printf 'ial\\nthree\\n'",
    "sleep 0.3; echo e2 >&2",
    "sleep 0.3; echo four; printf tail",
  ].join("; ");
  const run = runSpec(wfName("order"), { main: { command: ["sh", "-c", script] } });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.stdout, "one\ntwo\npartial\nthree\nfour\ntail");
  // A partial line waits for its newline (or the end), as the executor's log did.
  assert.equal(await rt.logs(run.workflow, run.nodeId), "one\ntwo\ne1\npartial\nthree\ne2\nfour\ntail");

  // A step that writes only to stdout: its log is just that (no stderr, no main.log to make).
  const quiet = runSpec(wfName("quiet"), { main: { command: ["sh", "-c", "echo a; printf b"] } });
  await rt.start(quiet);
  await rt.wait(quiet.nodeId);
  assert.equal(await rt.logs(quiet.workflow, quiet.nodeId), "a\nb");
  assert.ok(!(await exists(`${rt.layout.nodeDir(quiet.workflow, quiet.nodeId)}/main.log`)));
  await rt.close();
});

Deno.test("a step runs in a session of its own: a Ctrl-C to the host's terminal group does not reach it", async () => {
  const rt = await runtime();
  // /proc/PID/stat: pid (comm) state ppid pgrp session ...; the command prints its supervisor's
  // pid, process group and session, then its own process group.
  const run = runSpec(wfName("session"), {
    main: {
      command: ["sh", "-c", "cut -d' ' -f1,5,6 /proc/$PPID/stat; cut -d' ' -f5 /proc/$$/stat"],
    },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded");
  const [supervisor, command] = obs.stdout!.trim().split("\n");
  const [pid, group, session] = supervisor!.split(" ");
  const host = Deno.readTextFileSync("/proc/self/stat");
  const hostSession = host.slice(host.lastIndexOf(")") + 2).split(" ")[3];
  assert.equal(group, pid, "the supervisor leads its process group");
  assert.equal(session, pid, "and its session");
  assert.notEqual(session, hostSession);
  assert.notEqual(command, pid, "the command has a group of its own, for stopping all it started");
});

Deno.test("result keeps the last 256 KiB of stdout", async () => {
  const rt = await runtime();
  const run = runSpec(wfName("tail"), {
    main: { command: ["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; echo; echo end"] },
  });
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded");
  assert.equal(obs.stdout!.length, 256 * 1024);
  assert.ok(obs.stdout!.endsWith("x\nend\n"));
});

Deno.test("reading a tail drops a UTF-8 sequence cut at its start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-sup-" });
  await Deno.writeTextFile(`${dir}/out`, "é".repeat(10));
  assert.equal(readTail(`${dir}/out`, 5), "éé");
  assert.equal(readTail(`${dir}/missing`), "");
});

Deno.test("a command ended by a signal reports 128+N; a non-zero exit is Failed", async () => {
  const rt = await runtime();
  const wf = wfName("codes");
  const killed = runSpec(wf, { main: { command: ["sh", "-c", "kill -9 $$"] } });
  const three = runSpec(wf, { main: { command: ["sh", "-c", "exit 3"] } });
  await rt.start(killed);
  await rt.start(three);
  const k = await rt.wait(killed.nodeId);
  assert.equal(k.phase, "Failed");
  assert.equal(k.exitCode, 137);
  const t = await rt.wait(three.nodeId);
  assert.equal(t.phase, "Failed");
  assert.equal(t.exitCode, 3);
});

Deno.test("an unknown or non-executable program fails as Argo's emissary does (exit code 64), and nothing runs", async () => {
  const rt = await runtime();
  const wf = wfName("start");
  const unknown = runSpec(wf, { main: { command: ["skiff-no-such-command"] } });
  await rt.start(unknown);
  const u = await rt.wait(unknown.nodeId);
  assert.equal(u.phase, "Failed");
  assert.equal(
    u.message,
    'main: Error (exit code 64): failed to find name in PATH: exec: "skiff-no-such-command": executable file not found in $PATH',
  );
  assert.equal(u.exitCode, 64);
  const dir = await Deno.makeTempDir({ prefix: "skiff-sup-" });
  await Deno.writeTextFile(`${dir}/plain`, "echo hi\n");
  const denied = runSpec(wf, { main: { command: [`${dir}/plain`] } });
  await rt.start(denied);
  const d = await rt.wait(denied.nodeId);
  assert.equal(d.phase, "Failed");
  assert.equal(
    d.message,
    `main: Error (exit code 64): failed to find name in PATH: exec: "${dir}/plain": permission denied`,
  );
  assert.equal(lookPath("sh", "/nonexistent::/bin", "/"), "/bin/sh");
  // A restarted runtime reports the same result, without trying again.
  const again = new ProcessRuntime({ dataDir: rt.layout.dataDir, warn: () => {} });
  await Deno.chmod(`${dir}/plain`, 0o755);
  assert.equal((await again.adopt(denied.workflow, denied.nodeId))?.message, d.message);
  await rt.close();
  await again.close();
});

Deno.test("something left running in the background does not keep the step open", async () => {
  const rt = await runtime();
  const run = runSpec(wfName("bg"), { main: { command: ["sh", "-c", "sleep 30 & echo started"] } });
  const t0 = performance.now();
  await rt.start(run);
  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded");
  assert.equal(obs.stdout, "started\n");
  assert.ok(performance.now() - t0 < 5000, "the step waited for its background process");
});

Deno.test("a command that ignores SIGTERM is killed when the grace period is over", async () => {
  const rt = await runtime();
  const run = runSpec(wfName("ignore"), {
    main: { command: ["sh", "-c", "trap 'echo got TERM' TERM; echo waiting; while :; do sleep 0.1; done"] },
  });
  await rt.start(run);
  for (let i = 0; i < 100 && !(await rt.logs(run.workflow, run.nodeId)).includes("waiting"); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const t0 = performance.now();
  await rt.kill(run.nodeId, "stopped by test");
  const ms = performance.now() - t0;
  const obs = await rt.wait(run.nodeId);
  assert.ok(ms >= 1900 && ms < 4500, `kill took ${ms} ms`);
  assert.equal(obs.phase, "Failed");
  assert.equal(obs.exitCode, 137);
  assert.equal(obs.message, "stopped by test");
  assert.match(await rt.logs(run.workflow, run.nodeId), /waiting\n(.*\n)*got TERM\n/);
});

Deno.test("a step that ended while no host ran is collected by the next one, with its outputs", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-sup-" });
  const first = await runtime(dataDir);
  const run = runSpec(wfName("offline"), {
    main: { command: ["sh", "-c", "sleep 0.3; echo 42 > /tmp/answer; echo done"] },
    outputs: { parameters: [{ name: "answer", path: "/tmp/answer" }], artifacts: [] },
  });
  await first.start(run);
  await first.close(); // the host goes away; the step runs on
  const dir = first.layout.nodeDir(run.workflow, run.nodeId);
  for (let i = 0; i < 200 && recordedExit(dir) === undefined; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 50)); // let the supervisor exit
  const second = await runtime(dataDir);
  const obs = await second.adopt(run.workflow, run.nodeId);
  assert.equal(obs?.phase, "Succeeded", obs?.message ?? "");
  assert.equal(obs?.stdout, "done\n");
  assert.deepEqual(obs?.parameters, { answer: "42" });
  await second.close();
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
