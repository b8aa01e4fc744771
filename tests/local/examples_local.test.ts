/**
 * The examples that need pod IPs, artifacts and secrets, run by the local host as a user runs them,
 * on both runtimes: their `# Expect-` headers hold, and what a user sees besides (where an artifact
 * was kept, the daemon's IP, the message when a secret is missing).
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import type { Runtime } from "../../controller/local/runtime/mod.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { podmanSkipReason, testImages, testSetup } from "./podman_env.ts";
import { runExample } from "./example_header.ts";

const examples = new URL("../../examples/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, examples));

async function host(kind: "process" | "podman"): Promise<LocalHost> {
  const dataDir = await Deno.makeTempDir({ prefix: `skiff-ex-${kind}-` });
  const runtime: Runtime = kind === "process"
    ? new ProcessRuntime({ dataDir, graceSeconds: 2, warn: () => {} })
    : new PodmanRuntime({ dataDir, images: testImages, graceSeconds: 2, setup: await testSetup() });
  return new LocalHost({ store: Store.open(dataDir), runtime, log: () => {} });
}

async function withHost(kind: "process" | "podman", fn: (h: LocalHost) => Promise<Workflow>): Promise<void> {
  const h = await host(kind);
  let wf: Workflow | undefined;
  try {
    wf = await fn(h);
  } finally {
    if (wf?.metadata.name) await h.runtime.cleanup({ namespace: "default", name: wf.metadata.name });
    await h.close();
    h.store.close();
  }
}

function node(wf: Workflow, display: string) {
  const n = Object.values(wf.status?.nodes ?? {}).find((x) => x.displayName === display);
  assert.ok(n, `no node ${display}`);
  return n;
}

/** The daemon example on a port of its own (host processes share this machine's ports). */
function daemonExample(kind: "process" | "podman"): string {
  const text = read("daemon-step.yaml");
  if (kind === "podman") return text;
  const port = String(20000 + Math.floor(Math.random() * 20000));
  return text.replaceAll("8080", port);
}

for (const kind of ["process", "podman"] as const) {
  const ignore = kind === "podman" && podmanSkipReason !== undefined;

  Deno.test({ name: `${kind}: examples/artifacts.yaml passes a file artifact on`, ignore }, async () => {
    await withHost(kind, async (h) => {
      const wf = await runExample(h, read("artifacts.yaml"));
      const gen = node(wf, "generate-artifact");
      const [art] = (gen.outputs?.artifacts ?? []) as (
        & { name: string; path?: string }
        & { local?: { nodeId: string; artifact: string; location?: string } }
      )[];
      assert.equal(art?.name, "hello-art");
      assert.equal(art?.path, "/tmp/hello_world.txt");
      assert.equal(art?.local?.nodeId, gen.id);
      // The artifact is kept as the file it was.
      assert.equal(await Deno.readTextFile(art!.local!.location!), "hello world\n");
      assert.equal(node(wf, "consume-artifact").outputs?.result, "hello world");
      return wf;
    });
  });

  Deno.test(
    { name: `${kind}: examples/daemon-step.yaml reaches the daemon at {{steps.server.ip}}`, ignore },
    async () => {
      await withHost(kind, async (h) => {
        const wf = await runExample(h, daemonExample(kind));
        const server = node(wf, "server");
        if (kind === "process") assert.equal(server.podIP, "127.0.0.1");
        else {
          // A pod of its own, reached from the client's pod.
          assert.match(server.podIP ?? "", /^\d+\.\d+\.\d+\.\d+$/);
          assert.notEqual(server.podIP, "127.0.0.1");
        }
        assert.equal(node(wf, "client").outputs?.result, "hello from the daemon");
        return wf;
      });
    },
  );

  Deno.test(
    { name: `${kind}: examples/secrets.yaml reads its Secret document as env and file`, ignore },
    async () => {
      await withHost(kind, (h) => runExample(h, read("secrets.yaml")));
    },
  );

  Deno.test({
    name: `${kind}: without the Secret, the step errors naming the secret and how to provide it`,
    ignore,
  }, async () => {
    await withHost(kind, async (h) => {
      const wf = await runExample(h, read("secrets.yaml"), { withResources: false, check: false });
      assert.equal(wf.status?.phase, "Error");
      const root = Object.values(wf.status?.nodes ?? {})[0]!;
      assert.equal(root.phase, "Error");
      assert.match(
        root.message ?? "",
        /^MountVolume\.SetUp failed for volume "my-secret-vol" : secret "my-secret" not found; /,
      );
      assert.match(root.message ?? "", /add a "kind: Secret" manifest named my-secret .*--resources FILE/);
      return wf;
    });
  });
}
