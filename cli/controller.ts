/**
 * `skiff controller`: the Kubernetes host in one process, against the current kubeconfig (or the
 * pod's service account): the reconcile loop (leader-elected on a Lease, so replicas are warm
 * standbys) and the Argo-compatible HTTP API over the cluster's resources, plus `/metrics`,
 * `/healthz` and `/readyz` on a port of their own for Prometheus and the kubelet's probes.
 *
 *   skiff controller --kubeconfig ~/.kube/config --namespace skiff [--managed-namespace team-a]
 */
import type { Command } from "commander";
import { KubeClient } from "../controller/kube/client.ts";
import { KubeController } from "../controller/kube/controller.ts";
import { loadCredentials } from "../controller/kube/kubeconfig.ts";
import { KubeService } from "../controller/kube/service.ts";
import { type AuthConfig, generateToken, isLoopback, loadToken } from "../web/auth.ts";
import { KubeCallerCheck } from "../controller/kube/callers.ts";
import { createApp } from "../web/app.ts";
import { ServiceMetrics } from "../web/metrics.ts";
import { CliError } from "./errors.ts";

/** Options of {@link startController}. */
export interface ControllerOptions {
  kubeconfig?: string;
  context?: string;
  /** The controller's own namespace (Lease, ConfigMap); default: POD_NAMESPACE, the context's, "default". */
  namespace?: string;
  /** Only this namespace's workflows; default: every namespace. */
  managedNamespace?: string;
  configMap: string;
  host: string;
  /** API port (0: any free port). */
  port: number;
  /** Metrics/health port (-1: none; 0: any free port). */
  metricsPort: number;
  authMode: "token" | "client" | "none";
  tokenFile?: string;
  leaderElect: boolean;
  leaseName: string;
  /** Leader election timing, ms (defaults 15 000, 10 000, 2 000). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  workers: number;
  version: string;
  log?: (line: string) => void;
}

/** A running controller. */
export interface RunningController {
  url: string;
  metricsUrl: string | undefined;
  token: string | undefined;
  controller: KubeController;
  service: KubeService;
  close(): Promise<void>;
  finished: Promise<void>;
}

/** Starts the reconcile loop and the API. */
export async function startController(opts: ControllerOptions): Promise<RunningController> {
  const log = opts.log ?? ((l: string) => console.error(l));
  if (opts.authMode === "none" && !isLoopback(opts.host)) {
    throw new CliError(
      `--auth-mode none is only allowed on a loopback address (127.0.0.1, ::1), not on ${opts.host}`,
    );
  }
  let auth: AuthConfig = { mode: "none" };
  if (opts.authMode === "token") {
    let token = Deno.env.get("SKIFF_TOKEN");
    if (!token && opts.tokenFile) {
      try {
        token = (await loadToken(opts.tokenFile, false)).token;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw new CliError(`--token-file ${opts.tokenFile}: ${e}`);
      }
    }
    if (!token) {
      token = generateToken();
      log(
        `skiff controller: no API token given (--token-file, SKIFF_TOKEN); this run's token (printed once):`,
      );
      log(`  ${token}`);
    }
    auth = { mode: "token", token };
  }

  let client: KubeClient;
  try {
    const creds = await loadCredentials({
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    });
    client = new KubeClient(creds, {
      fieldManager: "skiff-controller",
      userAgent: `skiff-controller/${opts.version}`,
    });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  if (opts.authMode === "client") auth = { mode: "client", check: new KubeCallerCheck(client) };
  const namespace = opts.namespace || Deno.env.get("POD_NAMESPACE") || client.defaultNamespace;
  const controller = new KubeController({
    client,
    namespace,
    configMapName: opts.configMap,
    workers: opts.workers,
    ...(opts.managedNamespace ? { managedNamespace: opts.managedNamespace } : {}),
    leaderElection: opts.leaderElect
      ? {
        leaseName: opts.leaseName,
        ...(Deno.env.get("POD_NAME") ? { identity: Deno.env.get("POD_NAME")! } : {}),
        ...(opts.leaseDurationMs ? { leaseDurationMs: opts.leaseDurationMs } : {}),
        ...(opts.renewDeadlineMs ? { renewDeadlineMs: opts.renewDeadlineMs } : {}),
        ...(opts.retryPeriodMs ? { retryPeriodMs: opts.retryPeriodMs } : {}),
      }
      : false,
    log: (l) => log(`skiff controller: ${l}`),
  });
  try {
    await controller.start();
  } catch (e) {
    throw new CliError(`cannot start: ${e instanceof Error ? e.message : e}`);
  }
  const service = new KubeService({
    client,
    controller,
    version: opts.version,
    ...(opts.managedNamespace ? { managedNamespace: opts.managedNamespace } : {}),
  });
  const app = createApp({
    service,
    auth,
    onInternalError: (err, req) =>
      log(
        `skiff controller: ${req.method} ${new URL(req.url).pathname}: ${
          err instanceof Error ? err.stack : err
        }`,
      ),
  });

  const abort = new AbortController();
  const api = await serve(opts.host, opts.port, abort.signal, app.fetch);
  let metricsServer: { url: string; finished: Promise<void> } | undefined;
  if (opts.metricsPort >= 0) {
    const metrics = new ServiceMetrics(service);
    metricsServer = await serve(opts.host, opts.metricsPort, abort.signal, async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/healthz") {
        return controller.healthy()
          ? new Response("ok\n")
          : new Response("watches are not in touch with the API server\n", { status: 503 });
      }
      if (path === "/readyz") {
        return controller.ready() ? new Response("ok\n") : new Response("not ready\n", { status: 503 });
      }
      if (path === "/metrics") {
        return new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
      }
      return new Response("not found\n", { status: 404 });
    });
  }
  log(
    `skiff controller ${opts.version}: API on ${api.url}${
      metricsServer ? `, metrics on ${metricsServer.url}/metrics` : ""
    }; ` +
      `API server ${client.server}; ${
        opts.managedNamespace ? `namespace ${opts.managedNamespace}` : "all namespaces"
      }; ` +
      `${
        opts.leaderElect ? `leader election on Lease ${namespace}/${opts.leaseName}` : "no leader election"
      }; auth ${auth.mode}`,
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      const streams = service.close();
      abort.abort();
      await api.finished;
      await metricsServer?.finished;
      await streams;
      await controller.stop();
      client.close();
    })();
  return {
    url: api.url,
    metricsUrl: metricsServer?.url,
    token: auth.mode === "token" ? auth.token : undefined,
    controller,
    service,
    close,
    finished: api.finished,
  };
}

async function serve(
  host: string,
  port: number,
  signal: AbortSignal,
  handler: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; finished: Promise<void> }> {
  const listening = Promise.withResolvers<{ hostname: string; port: number }>();
  const server = Deno.serve({ hostname: host, port, signal, onListen: (a) => listening.resolve(a) }, handler);
  const addr = await listening.promise;
  const shown = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return { url: `http://${shown}:${addr.port}`, finished: server.finished };
}

interface ControllerFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  managedNamespace?: string;
  configmap: string;
  host: string;
  port: string;
  metricsPort: string;
  authMode: string;
  tokenFile?: string;
  leaderElect: boolean;
  leaseName: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  workers: string;
}

function secondsOf(flag: string, value: string): number {
  const n = Number(value.replace(/s$/, ""));
  if (!Number.isFinite(n) || n <= 0) {
    throw new CliError(`${flag} must be a number of seconds > 0, not "${value}"`);
  }
  return Math.round(n * 1000);
}

function portOf(flag: string, value: string, allowNone: boolean): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n > 65535 || n < (allowNone ? -1 : 0)) {
    throw new CliError(`${flag} must be 0..65535${allowNone ? " (or -1: none)" : ""}, not "${value}"`);
  }
  return n;
}

/** Adds `controller`. */
export function addControllerCommand(program: Command): void {
  program
    .command("controller")
    .description(
      "run workflows on Kubernetes: reconcile Workflow resources into pods and serve the Argo-compatible API",
    )
    .option(
      "--kubeconfig <file>",
      "kubeconfig to use (default $KUBECONFIG, ~/.kube/config, or the pod's service account)",
    )
    .option("--context <name>", "kubeconfig context (default: its current context)")
    .option(
      "--namespace <ns>",
      "the controller's own namespace: its Lease and ConfigMap (default $POD_NAMESPACE or the context's)",
    )
    .option("--managed-namespace <ns>", "only run workflows of this namespace (default: every namespace)")
    .option("--configmap <name>", "the ConfigMap of the controller's settings", "skiff-controller-config")
    .option("--host <address>", "address the API and metrics listen on", "127.0.0.1")
    .option("--port <port>", "API port", "2746")
    .option("--metrics-port <port>", "port of /metrics, /healthz and /readyz (-1: none)", "9090")
    .option(
      "--auth-mode <mode>",
      "token (one bearer token), client (callers' own Kubernetes tokens, checked with TokenReview and " +
        "SubjectAccessReview, as Argo's client mode) or none (loopback only)",
      "token",
    )
    .option("--token-file <path>", "the API's bearer token (else $SKIFF_TOKEN, else one is made and printed)")
    .option("--no-leader-elect", "act at once, without a Lease (only one controller may run)")
    .option("--lease-name <name>", "the leader election Lease", "skiff-controller")
    .option(
      "--lease-duration <seconds>",
      "how long a standby waits for a silent leader before taking over",
      "15",
    )
    .option("--renew-deadline <seconds>", "how long the leader tries to renew before stepping down", "10")
    .option("--retry-period <seconds>", "how often the Lease is renewed or tried", "2")
    .option("--workers <n>", "workflows reconciled at once", "8")
    .action(async (flags: ControllerFlags, cmd: Command) => {
      if (flags.authMode !== "token" && flags.authMode !== "client" && flags.authMode !== "none") {
        throw new CliError(`--auth-mode must be token, client or none, not "${flags.authMode}"`);
      }
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1) {
        throw new CliError(`--workers must be a whole number >= 1`);
      }
      const running = await startController({
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags.managedNamespace ? { managedNamespace: flags.managedNamespace } : {}),
        configMap: flags.configmap,
        host: flags.host,
        port: portOf("--port", flags.port, false),
        metricsPort: portOf("--metrics-port", flags.metricsPort, true),
        authMode: flags.authMode,
        ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
        leaderElect: flags.leaderElect,
        leaseName: flags.leaseName,
        leaseDurationMs: secondsOf("--lease-duration", flags.leaseDuration),
        renewDeadlineMs: secondsOf("--renew-deadline", flags.renewDeadline),
        retryPeriodMs: secondsOf("--retry-period", flags.retryPeriod),
        workers,
        version: `v${cmd.parent?.version() ?? ""}`,
      });
      const stop = () => {
        console.error("skiff controller: stopping (pods keep running; the next leader adopts them)");
        running.close();
      };
      Deno.addSignalListener("SIGINT", stop);
      Deno.addSignalListener("SIGTERM", stop);
      await running.finished;
      await running.close();
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
    });
}
