/**
 * The CLI against a running `skiff server` (a subprocess with the process runtime): what a user
 * types and what they see, exit codes included.
 */
import assert from "node:assert/strict";
import { type ServerProcess, startServerProcess, until } from "./client_helpers.ts";

const examples = new URL("../../examples/", import.meta.url).pathname;

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/wf.yaml`, text);
    await fn(`${dir}/wf.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const lines = (text: string) => text.split("\n").map((l) => l.trimEnd());

Deno.test("skiff CLI against a running server", async (t) => {
  const server: ServerProcess = await startServerProcess();
  const skiff = server.skiff;
  try {
    let hello = "";
    await t.step(
      "submit --wait runs hello-world and prints Argo's header, then NAME Succeeded at TIME",
      async () => {
        const run = await skiff("submit", `${examples}hello-world.yaml`, "--wait");
        assert.equal(run.code, 0, run.stderr);
        const out = lines(run.stdout);
        hello = /^Name:\s+(hello-world-\w{5})$/.exec(out[0]!)?.[1] ?? "";
        assert.ok(hello, run.stdout);
        assert.equal(out[1], "Namespace:           default");
        assert.equal(out[3], "Status:              Pending");
        assert.match(
          out.at(-2)!,
          new RegExp(`^${hello} Succeeded at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0000 UTC$`),
        );
      },
    );

    await t.step("get @latest prints the status and the node tree", async () => {
      const run = await skiff("get", "@latest");
      assert.equal(run.code, 0, run.stderr);
      const out = lines(run.stdout);
      assert.equal(out[0], `Name:                ${hello}`);
      assert.ok(out.includes("Status:              Succeeded"));
      assert.ok(out.includes("Progress:            1/1"));
      const header = out.findIndex((l) => l.startsWith("STEP"));
      assert.match(out[header]!, /^STEP\s+TEMPLATE\s+PODNAME\s+DURATION\s+MESSAGE$/);
      assert.match(out[header + 1]!, new RegExp(`^ ✔ ${hello}  whalesay  ${hello}  \\d+s$`));
      const json = JSON.parse((await skiff("get", hello, "-o", "json")).stdout);
      assert.equal(json.status.phase, "Succeeded");
      assert.equal((await skiff("get", hello, "-o", "name")).stdout, `${hello}\n`);
    });

    await t.step("logs prints pod: line", async () => {
      const run = await skiff("logs", hello);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${hello}: hello world\n`);
      assert.equal((await skiff("logs", hello, "--grep", "nothing")).stdout, "");
    });

    await t.step("list shows the workflow with Argo's columns", async () => {
      const run = await skiff("list");
      const out = lines(run.stdout);
      assert.match(out[0]!, /^NAME\s+STATUS\s+AGE\s+DURATION\s+PRIORITY\s+MESSAGE$/);
      assert.match(out[1]!, new RegExp(`^${hello}\\s+Succeeded\\s+\\d+s\\s+\\d+s\\s+0$`));
      assert.equal((await skiff("list", "--running")).stdout, "No workflows found\n");
      assert.equal((await skiff("list", "--completed", "-o", "name")).stdout, `${hello}\n`);
    });

    await t.step("suspend.yaml waits at approve; resume lets it finish", async () => {
      const sub = await skiff("submit", `${examples}suspend.yaml`, "-o", "name");
      assert.equal(sub.code, 0, sub.stderr);
      const name = sub.stdout.trim();
      const waiting = await until(
        async () => {
          const r = await skiff("get", name);
          return r.stdout.includes("ǁ approve") ? r.stdout : undefined;
        },
        20000,
        "the approve step",
      );
      assert.ok(lines(waiting).includes("Status:              Running (Suspended)"));
      assert.match(waiting, /├───✔ build {2,}hello-world {2,}suspend-template-\w+-hello-world-\d+ /);
      const resume = await skiff("resume", name);
      assert.deepEqual([resume.code, resume.stdout], [0, `workflow ${name} resumed\n`]);
      const wait = await skiff("wait", name);
      assert.equal(wait.code, 0, wait.stderr);
      assert.match(wait.stdout, new RegExp(`^${name} Succeeded at `));
      const done = lines((await skiff("get", name)).stdout);
      assert.ok(done.some((l) => /^ ├───✔ approve\s+approve$/.test(l)), done.join("\n"));
      assert.ok(done.some((l) => /^ └───✔ release\s+hello-world\s+\S+\s+\d+s$/.test(l)), done.join("\n"));
      assert.match(
        (await skiff("logs", name)).stdout,
        /-hello-world-\d+: hello world\n.*-hello-world-\d+: hello world\n/,
      );
    });

    await t.step("node set approves a waiting suspend node; watch shows the finished workflow", async () => {
      const name = (await skiff("submit", `${examples}suspend.yaml`, "-o", "name")).stdout.trim();
      await until(async () => (await skiff("get", name)).stdout.includes("ǁ approve") ? true : undefined);
      const set = await skiff(
        "node",
        "set",
        name,
        "--node-field-selector",
        "displayName=approve",
        "--phase",
        "Succeeded",
        "--message",
        "approved by test",
      );
      assert.deepEqual([set.code, set.stdout], [0, "workflow values updated\n"]);
      const watch = await skiff("watch", name);
      assert.equal(watch.code, 0, watch.stderr);
      const last = watch.stdout.slice(watch.stdout.lastIndexOf("Name:"));
      assert.ok(lines(last).includes("Status:              Succeeded"), watch.stdout);
      assert.match(last, / ├───✔ approve\s+approve\s+approved by test\n/);
      const noNode = await skiff(
        "node",
        "set",
        name,
        "--node-field-selector",
        "displayName=nothing",
        "--phase",
        "Failed",
      );
      assert.equal(noNode.code, 1);
      assert.match(
        noNode.stderr,
        /^skiff: cannot set workflow .*: it has already Succeeded|no suspend nodes matching/,
      );
    });

    await t.step("submit --wait of a failing workflow exits 1 with NAME Failed at", async () => {
      await withFile(
        `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: fails-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: busybox
        command: [sh, -c, "exit 3"]
`,
        async (file) => {
          const run = await skiff("submit", file, "--wait", "-o", "name");
          assert.equal(run.code, 1);
          assert.match(run.stdout, /^fails-\w{5}\n$/, "with -o name, wait prints nothing more");
          const get = await skiff("get", "@latest");
          assert.ok(lines(get.stdout).includes("Status:              Failed"));
          assert.match(
            get.stdout,
            / ✖ fails-\w{5}\s+main\s+fails-\w{5}\s+\d+s\s+main: Error \(exit code 3\)\n/,
          );
        },
      );
    });

    await t.step("submit lints first: problems as file:line:col, exit 1, nothing created", async () => {
      await withFile(
        `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: broken
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: a
            template: mian
`,
        async (file) => {
          const run = await skiff("submit", file);
          assert.equal(run.code, 1);
          assert.deepEqual(lines(run.stderr).filter(Boolean), [
            `${file}:11:23: error: step "a" calls unknown template "mian"; did you mean "main"?`,
            "skiff: not submitted: 1 error(s)",
          ]);
          assert.equal((await skiff("get", "broken")).code, 1);
        },
      );
    });

    await t.step("errors from the server are one line and exit 1; usage mistakes exit 2", async () => {
      const missing = await skiff("get", "nope");
      assert.deepEqual([missing.code, missing.stderr], [
        1,
        'skiff: workflows.argoproj.io "nope" not found\n',
      ]);
      const badToken = await skiff("list", "--token", "wrong");
      assert.deepEqual([badToken.code, badToken.stderr], [
        1,
        "skiff: token not valid: the bearer token does not match this server's\n",
      ]);
      const argoToken = await server.skiffEnv(
        { SKIFF_DATA_DIR: "/nonexistent", ARGO_TOKEN: "Bearer wrong" },
        "list",
      );
      assert.equal(argoToken.code, 1, "ARGO_TOKEN is used, with its Bearer prefix");
      const noServer = await skiff("list", "--server", "http://127.0.0.1:9");
      assert.equal(noServer.code, 1);
      assert.match(noServer.stderr, /^skiff: cannot reach the skiff server at http:\/\/127\.0\.0\.1:9 /);
      const badOutput = await skiff("list", "-o", "xml");
      assert.deepEqual([badOutput.code, badOutput.stderr], [
        2,
        'skiff: unknown output format "xml"; use one of: name, wide, json, yaml\n',
      ]);
      const badParam = await skiff("submit", `${examples}hello-world.yaml`, "-p", "novalue");
      assert.deepEqual([badParam.code, badParam.stderr], [2, "skiff: -p novalue: expected NAME=VALUE\n"]);
    });

    await t.step("templates: create, list, submit --from with -p, logs", async () => {
      await withFile(
        `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greet
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: who
        value: world
  templates:
    - name: main
      container:
        image: busybox
        command: [echo]
        args: ["hello {{workflow.parameters.who}}"]
`,
        async (file) => {
          const created = await skiff("template", "create", file);
          assert.equal(created.code, 0, created.stderr);
          assert.match(created.stdout, /^Name:\s+greet\n/);
          assert.deepEqual(lines((await skiff("template", "list")).stdout), ["NAME", "greet", ""]);
          const run = await skiff(
            "submit",
            "--from",
            "workflowtemplate/greet",
            "-p",
            "who=skiff",
            "--wait",
            "-o",
            "name",
          );
          assert.equal(run.code, 0, run.stderr);
          const name = run.stdout.trim();
          assert.match(name, /^greet-\w{5}$/);
          assert.match((await skiff("logs", name)).stdout, /: hello skiff\n$/);
          const dup = await skiff("template", "create", file);
          assert.deepEqual([dup.code, dup.stderr], [
            1,
            'skiff: workflowtemplates.argoproj.io "greet" already exists\n',
          ]);
          assert.equal(
            (await skiff("template", "delete", "greet")).stdout,
            "WorkflowTemplate 'greet' deleted\n",
          );
        },
      );
    });

    await t.step("cron workflows are stored, listed and suspended", async () => {
      await withFile(
        `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        container: {image: busybox, command: [echo, hi]}
`,
        async (file) => {
          assert.equal((await skiff("cron", "create", file)).code, 0);
          const list = lines((await skiff("cron", "list")).stdout);
          assert.match(list[0]!, /^NAME\s+AGE\s+SCHEDULE\s+TIMEZONE\s+SUSPENDED$/);
          assert.match(list[1]!, /^nightly\s+\d+s\s+0 3 \* \* \*\s+false$/);
          assert.equal(
            (await skiff("cron", "suspend", "nightly")).stdout,
            "CronWorkflow 'nightly' suspended\n",
          );
          assert.ok(
            lines((await skiff("cron", "get", "nightly")).stdout).includes("Suspended:           true"),
          );
        },
      );
    });

    await t.step("terminate stops a waiting workflow; wait then exits 1", async () => {
      const name = (await skiff("submit", `${examples}suspend.yaml`, "-o", "name")).stdout.trim();
      await until(async () => (await skiff("get", name)).stdout.includes("ǁ approve") ? true : undefined);
      assert.equal((await skiff("terminate", name)).stdout, `workflow ${name} terminated\n`);
      const wait = await skiff("wait", name);
      assert.equal(wait.code, 1);
      assert.match(wait.stdout, new RegExp(`^${name} Failed at `));
      assert.ok(
        lines((await skiff("get", name)).stdout).includes("Status:              Failed (Terminated)"),
      );
    });

    await t.step("delete removes a workflow; version names client and server", async () => {
      const del = await skiff("delete", hello);
      assert.deepEqual([del.code, del.stdout], [0, `Workflow '${hello}' deleted\n`]);
      assert.equal((await skiff("get", hello)).code, 1);
      const version = lines((await skiff("version", "--short")).stdout);
      assert.deepEqual(version.filter(Boolean), ["skiff: v0.1.0", "skiff-server: v0.1.0"]);
    });
  } finally {
    await server.stop();
  }
});
