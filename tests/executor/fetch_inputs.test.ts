/**
 * The executor's `--fetch-inputs` mode (a Pod's `init` container): it installs the executor onto
 * the shared volume, creates the step's directories and writes raw input artifacts; a failure is
 * a message naming the artifact, on stderr and in the description's `messageFile` (where
 * Kubernetes reads why a container failed), with exit code 1. Fetching from S3 against a real
 * server: tests/s3/s3.test.ts.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { fetchInputs, type InputsDescription } from "../../executor/mod.ts";
import { fetchInputsProgram } from "./fetch_inputs_program.ts";

Deno.test("fetch inputs: installs the executor onto the shared volume and writes raw input artifacts", async () => {
  const src = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${src}/bin`);
    await Deno.writeTextFile(`${src}/bin/tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${src}/executor.js`, "// js");
    const said = await fetchInputs({
      install: { from: src, to: `${root}/skiff` },
      dirs: [root, `${root}/outputs/artifacts`],
      artifactDir: `${root}/inputs/artifacts`,
      raw: [{ name: "msg", data: "hello" }],
    });
    equal(said, `executor copied to ${root}/skiff, 1 input artifact(s) placed`);
    equal(await Deno.readTextFile(`${root}/skiff/executor.js`), "// js");
    ok(((await Deno.stat(`${root}/skiff/bin/tool`)).mode! & 0o111) !== 0, "executables stay executable");
    equal(await Deno.readTextFile(`${root}/inputs/artifacts/msg`), "hello");
    for (const d of [root, `${root}/outputs/artifacts`, `${root}/inputs/artifacts`]) {
      equal((await Deno.stat(d)).mode! & 0o777, 0o777, `${d} is writable by the step's user`);
    }
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fetch inputs: as a program, SKIFF_INPUTS says what to do; a failure names the artifact, in messageFile too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ok1 = await fetchInputsProgram({
      artifactDir: `${dir}/in`,
      raw: [{ name: "a", data: "x" }],
    });
    equal(ok1.code, 0, ok1.stderr);
    match(ok1.stdout, /fetch-inputs: 1 input artifact\(s\) placed/);
    equal(await Deno.readTextFile(`${dir}/in/a`), "x");

    // the credentials the object names are not in the environment
    const failed = await fetchInputsProgram({
      artifactDir: `${dir}/in`,
      downloads: [{
        name: "message",
        s3: {
          bucket: "b",
          endpoint: "127.0.0.1:9",
          key: "k.tgz",
          credentials: { accessKey: "MY_ACCESS", secretKey: "MY_SECRET" },
        },
      }],
      messageFile: `${dir}/termination-log`,
    });
    equal(failed.code, 1);
    const message = await Deno.readTextFile(`${dir}/termination-log`);
    match(
      message,
      /^failed to load input artifact "message": S3 credentials: MY_ACCESS and MY_SECRET must be set/,
    );
    match(failed.stderr, /fetch-inputs: failed to load input artifact "message"/);

    const bad = await fetchInputsProgram({} as InputsDescription);
    equal(bad.code, 1);
    match(bad.stderr, /`artifactDir` \(a path\) is required/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetch inputs: without a description it says how it is used", async () => {
  const out = await fetchInputsProgram("");
  equal(out.code, 1);
  deepEqual(
    out.stderr.trim(),
    "fetch-inputs: usage: executor/main.ts --fetch-inputs <inputs.json> (or SKIFF_INPUTS='<json>')",
  );
});
