/**
 * The executor's S3 artifact repository against a real S3 server (s3proxy, tests/s3/server.ts):
 * objects in and out, Argo's tar+gzip archives both ways, a pod's `init` fetching input artifacts
 * (`executor/main.ts --fetch-inputs`), and errors that name bucket, key and code.
 */
import assert from "node:assert/strict";
import {
  fetchArtifact,
  type InputsDescription,
  packTgz,
  PART_BYTES,
  runLocalStep,
  S3Client,
  S3Error,
  type S3Object,
  type StepDescription,
} from "../../executor/mod.ts";
import { type S3Server, s3SkipReason, startS3Server } from "./server.ts";

const skip = await s3SkipReason();
let server: S3Server | undefined;

function s3Test(name: string, fn: (s: S3Server, dir: string) => Promise<void>): void {
  Deno.test({
    name: `s3: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
    ignore: skip !== undefined,
    fn: async () => {
      server ??= await startS3Server();
      const dir = await Deno.makeTempDir({ prefix: "skiff-s3-test-" });
      try {
        await fn(server, dir);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

const clientOf = (s: S3Server, secret = s.secretKey) =>
  new S3Client({ endpoint: s.endpoint, insecure: true }, {
    accessKeyId: s.accessKey,
    secretAccessKey: secret,
  });

/** The environment the credentials come from in a pod (secretKeyRef env vars). */
const envOf = (s: S3Server, secret = s.secretKey) => (name: string) =>
  ({ SKIFF_S3_ACCESS_KEY: s.accessKey, SKIFF_S3_SECRET_KEY: secret } as Record<string, string>)[name];

s3Test("a file goes in and comes back out unchanged", async (s, dir) => {
  const c = clientOf(s);
  await c.createBucket("round-trip");
  await c.createBucket("round-trip"); // a second time is fine
  const text = "hello world\n".repeat(50_000);
  await Deno.writeTextFile(`${dir}/in.txt`, text);
  await c.putFile("round-trip", "wf/pod 1/in.txt", `${dir}/in.txt`);
  assert.equal(await c.exists("round-trip", "wf/pod 1/in.txt"), true);
  assert.equal(await c.exists("round-trip", "wf/pod 1/other"), false);
  await c.getFile("round-trip", "wf/pod 1/in.txt", `${dir}/out.txt`);
  assert.equal(await Deno.readTextFile(`${dir}/out.txt`), text);

  // larger than one part: a multipart upload, read back byte for byte
  const big = new Uint8Array(PART_BYTES * 2 + 12345).map((_, i) => (i * 31) % 251);
  await Deno.writeFile(`${dir}/big`, big);
  await c.putFile("round-trip", "big", `${dir}/big`);
  await c.getFile("round-trip", "big", `${dir}/big.out`);
  assert.deepEqual(await Deno.readFile(`${dir}/big.out`), big);
});

s3Test(
  "a step's output artifacts are stored as Argo's .tgz and unpacked where a later step wants them",
  async (s, dir) => {
    await clientOf(s).createBucket("artifacts");
    const where = { bucket: "artifacts", endpoint: s.endpoint, insecure: true };
    const desc: StepDescription = {
      command: [
        "sh",
        "-c",
        `echo hello world > ${dir}/hello.txt; mkdir -p ${dir}/d/sub; echo x > ${dir}/d/sub/x`,
      ],
      outputs: {
        artifacts: [{ name: "file", path: `${dir}/hello.txt` }, { name: "dir", path: `${dir}/d` }, {
          name: "plain",
          path: `${dir}/hello.txt`,
        }],
      },
      artifactDir: `${dir}/saved`,
      uploads: [
        { name: "file", s3: { ...where, key: "wf/pod/file.tgz" }, archive: "tgz" },
        { name: "dir", s3: { ...where, key: "wf/pod/dir.tgz" }, archive: "tgz" },
        { name: "plain", s3: { ...where, key: "wf/pod/hello.txt" }, archive: "none" },
      ],
      echo: false,
    };
    Deno.env.set("SKIFF_S3_ACCESS_KEY", s.accessKey);
    Deno.env.set("SKIFF_S3_SECRET_KEY", s.secretKey);
    const result = await runLocalStep(desc);
    assert.equal(result.phase, "Succeeded", result.message ?? "");
    assert.equal(
      Deno.env.get("SKIFF_S3_SECRET_KEY"),
      undefined,
      "the step's command must not see the secret",
    );
    assert.deepEqual(result.stored, [
      { name: "file", path: `${dir}/hello.txt`, s3: { key: "wf/pod/file.tgz" } },
      { name: "dir", path: `${dir}/d`, s3: { key: "wf/pod/dir.tgz" } },
      { name: "plain", path: `${dir}/hello.txt`, s3: { key: "wf/pod/hello.txt" } },
    ]);

    const env = envOf(s);
    const obj = (key: string): S3Object => ({ ...where, key });
    await fetchArtifact(obj("wf/pod/file.tgz"), `${dir}/in/message`, undefined, env);
    assert.equal(await Deno.readTextFile(`${dir}/in/message`), "hello world\n");
    await fetchArtifact(obj("wf/pod/dir.tgz"), `${dir}/in/tree`, undefined, env);
    assert.equal(await Deno.readTextFile(`${dir}/in/tree/sub/x`), "x\n");
    await fetchArtifact(obj("wf/pod/dir.tgz"), `${dir}/in/sub`, "sub", env);
    assert.equal(await Deno.readTextFile(`${dir}/in/sub/x`), "x\n");
    await fetchArtifact(obj("wf/pod/hello.txt"), `${dir}/in/plain`, undefined, env);
    assert.equal(await Deno.readTextFile(`${dir}/in/plain`), "hello world\n");

    // what is stored is a real tar+gzip: GNU tar lists it
    await clientOf(s).getFile("artifacts", "wf/pod/dir.tgz", `${dir}/dir.tgz`);
    const list = await new Deno.Command("tar", { args: ["-tzf", `${dir}/dir.tgz`], stdout: "piped" })
      .output();
    assert.deepEqual(new TextDecoder().decode(list.stdout).trim().split("\n").sort(), [
      "d/",
      "d/sub/",
      "d/sub/x",
    ]);
  },
);

s3Test("a wrong secret is an error naming the bucket, the key and SignatureDoesNotMatch", async (s, dir) => {
  await clientOf(s).createBucket("guarded");
  await Deno.writeTextFile(`${dir}/f`, "x");
  const err = await clientOf(s, "not-the-secret").putFile("guarded", "a/b", `${dir}/f`).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(err instanceof S3Error, String(err));
  assert.equal(err.code, "SignatureDoesNotMatch");
  assert.match(err.message, /s3:\/\/guarded\/a\/b: SignatureDoesNotMatch/);
});

s3Test("a failed upload makes the step an Error; a missing object fails its download", async (s, dir) => {
  const desc: StepDescription = {
    command: ["sh", "-c", `echo hi > ${dir}/out`],
    outputs: { artifacts: [{ name: "out", path: `${dir}/out` }] },
    artifactDir: `${dir}/saved`,
    uploads: [{
      name: "out",
      s3: { bucket: "no-such-bucket", endpoint: s.endpoint, insecure: true, key: "k.tgz" },
      archive: "tgz",
    }],
    echo: false,
  };
  Deno.env.set("SKIFF_S3_ACCESS_KEY", s.accessKey);
  Deno.env.set("SKIFF_S3_SECRET_KEY", s.secretKey);
  const result = await runLocalStep(desc);
  assert.equal(result.phase, "Error");
  assert.match(result.message ?? "", /output artifact "out".*s3:\/\/no-such-bucket\/k\.tgz: NoSuchBucket/);

  await clientOf(s).createBucket("present");
  const err = await fetchArtifact(
    { bucket: "present", endpoint: s.endpoint, insecure: true, key: "missing.tgz" },
    `${dir}/m`,
    undefined,
    envOf(s),
  ).then(() => undefined, (e) => e);
  assert.match(String(err), /s3:\/\/present\/missing\.tgz: NoSuchKey/);
});

s3Test(
  "a pod's init (the executor with --fetch-inputs) places fetched artifacts; a missing one names artifact, bucket, key and code",
  async (s, dir) => {
    const c = clientOf(s);
    await c.createBucket("inputs");
    await Deno.writeTextFile(`${dir}/m.txt`, "passed on\n");
    await packTgz(`${dir}/m.txt`, `${dir}/m.tgz`);
    await c.putFile("inputs", "wf/p1/message.tgz", `${dir}/m.tgz`);
    // the credentials under the env var names the object says (the pod chooses them)
    const obj = (key: string): S3Object => ({
      bucket: "inputs",
      endpoint: s.endpoint,
      insecure: true,
      key,
      credentials: { accessKey: "POD_S3_ACCESS", secretKey: "POD_S3_SECRET" },
    });
    const env = { POD_S3_ACCESS: s.accessKey, POD_S3_SECRET: s.secretKey };
    const desc: InputsDescription = {
      artifactDir: `${dir}/in`,
      downloads: [{ name: "message", s3: obj("wf/p1/message.tgz"), mode: 0o640 }],
      messageFile: `${dir}/termination-log`,
    };
    const run = (d: InputsDescription) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../../executor/main.ts", import.meta.url).pathname, "--fetch-inputs"],
        env: { ...env, SKIFF_INPUTS: JSON.stringify(d) },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const ok = await run(desc);
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    assert.equal(await Deno.readTextFile(`${dir}/in/message`), "passed on\n");
    assert.equal((await Deno.stat(`${dir}/in/message`)).mode! & 0o777, 0o640);

    const missing = await run({ ...desc, downloads: [{ name: "other", s3: obj("wf/p1/nothing.tgz") }] });
    assert.equal(missing.code, 1);
    assert.match(
      await Deno.readTextFile(`${dir}/termination-log`),
      /^failed to load input artifact "other": s3:\/\/inputs\/wf\/p1\/nothing\.tgz: NoSuchKey/,
    );
  },
);

s3Test(
  "with createBucketIfNotPresent an upload to a bucket that is not there creates it; without, NoSuchBucket stays",
  async (s, dir) => {
    const where = { endpoint: s.endpoint, insecure: true };
    const step = (bucket: string, create?: { objectLocking?: boolean }): StepDescription => ({
      command: ["sh", "-c", `echo made > ${dir}/out.txt`],
      outputs: { artifacts: [{ name: "out", path: `${dir}/out.txt` }] },
      artifactDir: `${dir}/saved-${bucket}`,
      uploads: [{
        name: "out",
        s3: {
          ...where,
          bucket,
          key: "wf/pod/out.txt",
          ...(create ? { createBucketIfNotPresent: create } : {}),
        },
        archive: "none",
      }],
      echo: false,
    });
    const withCredentials = async (desc: StepDescription) => {
      Deno.env.set("SKIFF_S3_ACCESS_KEY", s.accessKey);
      Deno.env.set("SKIFF_S3_SECRET_KEY", s.secretKey);
      return await runLocalStep(desc);
    };

    const made = await withCredentials(step("made-on-upload", {}));
    assert.equal(made.phase, "Succeeded", made.message ?? "");
    assert.deepEqual(made.stored, [{ name: "out", path: `${dir}/out.txt`, s3: { key: "wf/pod/out.txt" } }]);
    await clientOf(s).getFile("made-on-upload", "wf/pod/out.txt", `${dir}/back.txt`);
    assert.equal(await Deno.readTextFile(`${dir}/back.txt`), "made\n");

    // a bucket that is there already (made by the upload before) is fine, as in Argo
    const again = await withCredentials(step("made-on-upload", { objectLocking: false }));
    assert.equal(again.phase, "Succeeded", again.message ?? "");

    const missing = await withCredentials(step("never-made"));
    assert.equal(missing.phase, "Error");
    assert.match(
      missing.message ?? "",
      /failed to save output artifact "out" to bucket never-made: s3:\/\/never-made\/wf\/pod\/out\.txt: NoSuchBucket/,
    );
    assert.equal(await clientOf(s).exists("made-on-upload", "wf/pod/out.txt"), true);
  },
);

Deno.test({
  name: "s3: the test server stops",
  ignore: skip !== undefined,
  fn: async () => {
    await server?.stop();
    server = undefined;
  },
});
