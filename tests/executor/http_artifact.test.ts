/**
 * Argo's `http` input artifacts against a real HTTP server (Deno.serve on 127.0.0.1): the executor
 * in a pod's `init` (`--fetch-inputs`) and the local host fetch them with the same function. The
 * artifact's headers are sent, basic auth comes from the env vars the pod fills from Secrets, a
 * tarball is unpacked as Argo unpacks it, and a failure names the artifact, the URL and the status.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { NodeLayout } from "../../controller/local/runtime/common.ts";
import { stageInputArtifact } from "../../controller/local/runtime/volumes.ts";
import { fetchHttpArtifact, packTgz } from "../../executor/mod.ts";
import { fetchInputsProgram } from "./fetch_inputs_program.ts";

/** What the server was asked: path and the request headers (lower-case names). */
interface Seen {
  path: string;
  headers: Record<string, string>;
}

/**
 * A server of `/report.txt` (text), `/bundle.tgz` (a directory as Argo's tar+gzip) and nothing
 * else (404), recording each request.
 */
async function withServer(fn: (base: string, seen: Seen[], dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-http-art-" });
  await Deno.mkdir(`${dir}/tree/sub`, { recursive: true });
  await Deno.writeTextFile(`${dir}/tree/sub/x.txt`, "inside the tarball\n");
  await packTgz(`${dir}/tree`, `${dir}/bundle.tgz`);
  const bundle = await Deno.readFile(`${dir}/bundle.tgz`);
  const seen: Seen[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    seen.push({ path, headers: Object.fromEntries(req.headers) });
    if (path === "/report.txt") return new Response("the report\n");
    if (path === "/bundle.tgz") return new Response(bundle);
    return new Response("nothing here", { status: 404, statusText: "Not Found" });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen, dir);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("http artifact: init fetches the url into place with the artifact's headers and basic auth from its env", async () => {
  await withServer(async (base, seen, dir) => {
    const out = await fetchInputsProgram({
      artifactDir: `${dir}/in`,
      downloads: [
        {
          name: "report",
          http: {
            url: `${base}/report.txt`,
            headers: [{ name: "X-Api-Token", value: "t0ken" }, { name: "Accept", value: "text/plain" }],
            basicAuth: { username: "POD_HTTP_USER", password: "POD_HTTP_PASSWORD" },
          },
          mode: 0o640,
        },
        // a tarball is unpacked, as Argo's executor unpacks any downloaded tar+gzip
        { name: "bundle", http: { url: `${base}/bundle.tgz` } },
      ],
    }, { POD_HTTP_USER: "alice", POD_HTTP_PASSWORD: "s3cret:pw" });
    equal(out.code, 0, out.stderr);
    match(out.stdout, /fetch-inputs: 2 input artifact\(s\) placed/);
    equal(await Deno.readTextFile(`${dir}/in/report`), "the report\n");
    equal((await Deno.stat(`${dir}/in/report`)).mode! & 0o777, 0o640);
    equal(await Deno.readTextFile(`${dir}/in/bundle/sub/x.txt`), "inside the tarball\n");

    const report = seen.find((s) => s.path === "/report.txt")!;
    equal(report.headers["x-api-token"], "t0ken");
    equal(report.headers["accept"], "text/plain");
    equal(report.headers["authorization"], `Basic ${btoa("alice:s3cret:pw")}`);
    equal(seen.find((s) => s.path === "/bundle.tgz")!.headers["authorization"], undefined);
  });
});

Deno.test("http artifact: a 404 fails init naming the artifact, the URL and the status, in messageFile too", async () => {
  await withServer(async (base, _seen, dir) => {
    const url = `${base}/gone.txt`;
    const out = await fetchInputsProgram({
      artifactDir: `${dir}/in`,
      downloads: [{ name: "gone", http: { url } }],
      messageFile: `${dir}/termination-log`,
    });
    equal(out.code, 1);
    const expected = `failed to load input artifact "gone": GET ${url}: 404 Not Found`;
    equal(await Deno.readTextFile(`${dir}/termination-log`), expected);
    match(out.stderr, new RegExp(`fetch-inputs: ${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

    // basicAuth whose env vars the pod did not set: said before any request
    const unset = await fetchInputsProgram({
      artifactDir: `${dir}/in`,
      downloads: [{
        name: "private",
        http: { url: `${base}/report.txt`, basicAuth: { username: "NO_USER", password: "NO_PASSWORD" } },
      }],
    });
    equal(unset.code, 1);
    match(
      unset.stderr,
      /failed to load input artifact "private": basicAuth: NO_USER and NO_PASSWORD must be set \(from usernameSecret and passwordSecret\)/,
    );
  });
});

Deno.test("http artifact: a server that cannot be reached is an error naming the URL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const err = await fetchHttpArtifact({ url: "http://127.0.0.1:9/x" }, `${dir}/x`).then(
      () => undefined,
      (e) => e,
    );
    ok(err instanceof Error);
    match(err.message, /^GET http:\/\/127\.0\.0\.1:9\/x: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("http artifact: the local host fetches with the same function (headers sent; its own error wording)", async () => {
  await withServer(async (base, seen, dir) => {
    const layout = new NodeLayout(`${dir}/data`);
    const wf = { namespace: "default", name: "wf" };
    await stageInputArtifact(layout, wf, {
      name: "report",
      path: "/tmp/report",
      from: {
        location: { http: { url: `${base}/report.txt`, headers: [{ name: "X-Api-Token", value: "local" }] } },
      },
    }, `${dir}/box/report`);
    equal(await Deno.readTextFile(`${dir}/box/report`), "the report\n");
    equal(seen.at(-1)?.headers["x-api-token"], "local");

    await stageInputArtifact(layout, wf, {
      name: "bundle",
      path: "/tmp/bundle",
      from: { location: { http: { url: `${base}/bundle.tgz` } } },
    }, `${dir}/box/bundle`);
    deepEqual([...Deno.readDirSync(`${dir}/box/bundle`)].map((e) => e.name), ["sub"]);

    const url = `${base}/missing`;
    await rejects(
      stageInputArtifact(
        layout,
        wf,
        { name: "m", path: "/tmp/m", from: { location: { http: { url } } } },
        `${dir}/box/m`,
      ),
      { message: `input artifact "m": GET ${url}: 404 Not Found` },
    );
    await rejects(
      stageInputArtifact(layout, wf, {
        name: "p",
        path: "/tmp/p",
        from: {
          location: {
            http: { url, auth: { basicAuth: { usernameSecret: { name: "s", key: "u" } } } },
          },
        },
      }, `${dir}/box/p`),
      {
        message:
          `input artifact "p": http auth (basicAuth) is not supported by the local runtimes (headers are)`,
      },
    );
  });
});
