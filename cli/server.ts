/**
 * `skiff server`: the embedded local host (SQLite store, podman or process runtime, CronWorkflow
 * scheduler) with the Argo-compatible API on :2746. Requests need the bearer token kept in
 * `<data dir>/token` (generated and printed at first start), unless the server listens on loopback
 * with `--auth-mode none`.
 */
import type { Command } from "commander";
import { LocalHost } from "../controller/local/host.ts";
import { createRuntime, ImageMap, type RuntimeKind } from "../controller/local/runtime/mod.ts";
import { parseMaxSteps } from "./run_runtime.ts";
import { LocalResources, ResourceError } from "../controller/local/runtime/resources.ts";
import { CronScheduler } from "../controller/local/cron_scheduler.ts";
import { LocalService } from "../controller/local/service.ts";
import { defaultDataDir, Store } from "../controller/local/store.ts";
import { type AuthConfig, isLoopback, loadToken } from "../web/auth.ts";
import { createApp } from "../web/app.ts";
import { CliError } from "./errors.ts";

/** Options of {@link startServer}. */
export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  runtime: RuntimeKind;
  authMode: "token" | "none";
  /** Where the token is; default `<dataDir>/token`, created at first start. */
  tokenFile?: string;
  /** Image map rules, e.g. `python:*=localhost/skiff-test`. */
  imageMap?: string;
  /** Files of Secret/ConfigMap manifests that steps may use (`--resources`). */
  resources?: string[];
  /** At most this many steps at once (`--max-steps`; default 4 per core). */
  maxSteps?: number;
  version: string;
  /** Where the server's messages go (default stderr). */
  log?: (line: string) => void;
  /** How often CronWorkflows are looked at besides their schedules (ms; default 10 000). */
  cronSyncMs?: number;
}

/** A running server. */
export interface RunningServer {
  url: string;
  /** Undefined with `--auth-mode none`. */
  token: string | undefined;
  /** Stops serving, ends streams, stops the host (running steps keep running) and closes the store. */
  close(): Promise<void>;
  /** Resolves once the server has stopped. */
  finished: Promise<void>;
}

/** Starts the host and the API. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? ((l: string) => console.error(l));
  if (opts.authMode === "none" && !isLoopback(opts.host)) {
    throw new CliError(
      `--auth-mode none is only allowed on a loopback address (127.0.0.1, ::1), not on ${opts.host}; ` +
        `every client that can reach ${opts.host} could run commands`,
    );
  }
  let auth: AuthConfig = { mode: "none" };
  if (opts.authMode === "token") {
    const path = opts.tokenFile ?? `${opts.dataDir}/token`;
    await Deno.mkdir(opts.dataDir, { recursive: true });
    let loaded;
    try {
      loaded = await loadToken(path, opts.tokenFile === undefined);
    } catch (e) {
      throw new CliError(`--token-file ${path}: ${e instanceof Deno.errors.NotFound ? "no such file" : e}`);
    }
    auth = { mode: "token", token: loaded.token };
    if (loaded.created) {
      log(`skiff server: generated an API token and saved it in ${path} (printed this once):`);
      log(`  ${loaded.token}`);
      log(`  clients on this machine read it from there; elsewhere: export SKIFF_TOKEN=<token>`);
    }
  }

  let images: ImageMap;
  try {
    images = new ImageMap(opts.imageMap ?? "");
  } catch (e) {
    throw new CliError(`--image-map: ${e instanceof Error ? e.message : e}`);
  }
  let resources: LocalResources;
  try {
    resources = await LocalResources.load(opts.resources ?? []);
  } catch (e) {
    if (e instanceof ResourceError || e instanceof Deno.errors.NotFound) {
      throw new CliError(`--resources: ${e.message}`);
    }
    throw e;
  }
  const store = Store.open(opts.dataDir);
  const choice = await createRuntime({
    kind: opts.runtime,
    dataDir: opts.dataDir,
    images,
    resources,
    warn: (m) => log(m),
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  });
  const metrics: { service?: LocalService } = {}; // reconciles of recover() come before the service
  const host = new LocalHost({
    store,
    runtime: choice.runtime,
    log,
    onReconcile: (seconds) => metrics.service?.recordReconcile(seconds),
  });
  await host.recover();
  const cron = new CronScheduler({ host, log, ...(opts.cronSyncMs ? { syncMs: opts.cronSyncMs } : {}) });
  const service = new LocalService({ host, version: opts.version, cron });
  metrics.service = service;
  cron.start();
  const app = createApp({
    service,
    auth,
    onInternalError: (err, req) =>
      log(
        `skiff server: ${req.method} ${new URL(req.url).pathname}: ${err instanceof Error ? err.stack : err}`,
      ),
  });

  const abort = new AbortController();
  const listening = Promise.withResolvers<{ hostname: string; port: number }>();
  const server = Deno.serve({
    hostname: opts.host,
    port: opts.port,
    signal: abort.signal,
    onListen: (addr) => listening.resolve(addr),
  }, app.fetch);
  const addr = await listening.promise;
  const shownHost = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${shownHost}:${addr.port}`;
  log(
    `skiff server ${opts.version}: listening on ${url} (${choice.reason}; data in ${opts.dataDir}; auth ${auth.mode})`,
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      cron.close();
      const streamsEnded = service.close();
      abort.abort();
      await server.finished;
      await streamsEnded;
      await host.close();
      store.close();
    })();
  return { url, token: auth.mode === "token" ? auth.token : undefined, close, finished: server.finished };
}

interface ServerFlags {
  port: string;
  host: string;
  dataDir: string;
  runtime: string;
  authMode: string;
  tokenFile?: string;
  imageMap?: string;
  resources: string[];
  maxSteps?: string;
}

/** Adds `server`. */
export function addServerCommand(program: Command): void {
  program
    .command("server")
    .description("run workflows on this machine and serve the Argo-compatible API")
    .option("--port <port>", "port to listen on", "2746")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option(
      "--data-dir <dir>",
      "where workflows, logs and the token are kept (env SKIFF_DATA_DIR)",
      defaultDataDir(),
    )
    .option(
      "--runtime <kind>",
      "how steps run: auto (podman if it works, else process), podman or process",
      "auto",
    )
    .option("--auth-mode <mode>", "token (bearer token required) or none (loopback only)", "token")
    .option("--token-file <path>", "read the token from this file instead of <data dir>/token")
    .option(
      "--image-map <rules>",
      "replace images, e.g. 'docker/whalesay=localhost/cowsay,python:*=python:3.12'",
    )
    .option(
      "--resources <file>",
      "a file of Secret/ConfigMap manifests the steps may use (repeatable)",
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option(
      "--max-steps <n>",
      "at most N steps run at once, the others wait (Pending) in order; default 4 per core",
    )
    .action(async (flags: ServerFlags, cmd: Command) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) {
        throw new CliError(`--port must be 0..65535, not "${flags.port}"`);
      }
      if (!["auto", "podman", "process"].includes(flags.runtime)) {
        throw new CliError(`--runtime must be auto, podman or process, not "${flags.runtime}"`);
      }
      if (flags.authMode !== "token" && flags.authMode !== "none") {
        throw new CliError(`--auth-mode must be token or none, not "${flags.authMode}"`);
      }
      const maxSteps = flags.maxSteps === undefined ? undefined : parseMaxSteps(flags.maxSteps);
      const server = await startServer({
        port,
        host: flags.host,
        dataDir: flags.dataDir,
        runtime: flags.runtime as RuntimeKind,
        authMode: flags.authMode,
        ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
        ...(flags.imageMap ? { imageMap: flags.imageMap } : {}),
        resources: flags.resources,
        ...(maxSteps !== undefined ? { maxSteps } : {}),
        version: `v${cmd.parent?.version() ?? ""}`,
      });
      const stop = () => {
        console.error(
          "skiff server: stopping (running steps keep running and are adopted at the next start)",
        );
        server.close();
      };
      Deno.addSignalListener("SIGINT", stop);
      Deno.addSignalListener("SIGTERM", stop);
      await server.finished;
      await server.close();
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
    });
}
