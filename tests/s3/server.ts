/**
 * A real S3 API server for tests: s3proxy (installed by tests/s3/setup.sh into /var/cache/skiff-s3)
 * on Java, keeping objects in memory (jclouds' transient provider), with SigV4 authentication, on
 * a free port of 127.0.0.1. Each call starts its own server; `stop()` ends it.
 */

/** A running S3 server. */
export interface S3Server {
  /** host:port (plain http). */
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

const SETUP = new URL("./setup.sh", import.meta.url).pathname;

let installed: Promise<string | Error> | undefined;

/** Where s3proxy's jars are (installing them if needed), or why it cannot be had. */
function jars(): Promise<string | Error> {
  installed ??= (async () => {
    const out = await new Deno.Command("bash", { args: [SETUP], stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    if (!out.success) return new Error(`tests/s3/setup.sh failed: ${dec.decode(out.stderr).trim()}`);
    return dec.decode(out.stdout).trim().split("\n").pop()!;
  })();
  return installed;
}

/** Why an S3 server cannot be started here (undefined: it can). */
export async function s3SkipReason(): Promise<string | undefined> {
  const dir = await jars();
  return dir instanceof Error ? dir.message : undefined;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts s3proxy and waits until it answers. */
export async function startS3Server(
  opts: { accessKey?: string; secretKey?: string; hostname?: string } = {},
): Promise<S3Server> {
  const dir = await jars();
  if (dir instanceof Error) throw dir;
  const accessKey = opts.accessKey ?? "skiff-test-access";
  const secretKey = opts.secretKey ?? "skiff-test-secret";
  const hostname = opts.hostname ?? "127.0.0.1";
  const work = await Deno.makeTempDir({ prefix: "skiff-s3-" });
  for (let tries = 0;; tries++) {
    const port = freePort();
    const props = `${work}/s3proxy.properties`;
    await Deno.writeTextFile(
      props,
      [
        `s3proxy.endpoint=http://${hostname}:${port}`,
        "s3proxy.authorization=aws-v2-or-v4",
        `s3proxy.identity=${accessKey}`,
        `s3proxy.credential=${secretKey}`,
        "jclouds.provider=transient",
        "jclouds.identity=unused",
        "jclouds.credential=unused",
        "",
      ].join("\n"),
    );
    const child = new Deno.Command("java", {
      args: [
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        `${dir}/*`,
        "org.gaul.s3proxy.Main",
        "--properties",
        props,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) {
      try {
        const res = await fetch(`http://${hostname}:${port}/`);
        await res.body?.cancel();
        const server: S3Server = {
          endpoint: `${hostname}:${port}`,
          port,
          accessKey,
          secretKey,
          async stop() {
            if (!exited) child.kill("SIGTERM");
            await status;
            await stderr;
            await Deno.remove(work, { recursive: true }).catch(() => {});
          },
        };
        return server;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!exited) child.kill("SIGKILL");
    await status;
    const err = await stderr;
    // The port may have been taken between finding it free and s3proxy binding it: try another.
    if (tries < 2 && /Address already in use|BindException/.test(err)) continue;
    await Deno.remove(work, { recursive: true }).catch(() => {});
    throw new Error(`s3proxy did not start on port ${port}: ${err.slice(-2000)}`);
  }
}
