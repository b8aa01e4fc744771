/**
 * Where the Kubernetes API is and how to authenticate: from a kubeconfig file (`--kubeconfig`,
 * `$KUBECONFIG`, `~/.kube/config`; read with @kubernetes/client-node, so exec plugins, token files
 * and auth providers work) or, inside a pod, from its service account.
 */
import type { Credentials } from "./client.ts";
import { inClusterCredentials } from "./incluster.ts";

export { inClusterCredentials };

/** Options of {@link loadCredentials}. */
export interface LoadOptions {
  /** A kubeconfig file; default `$KUBECONFIG`, then `~/.kube/config`, then the pod's service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
}

/** Credentials from a kubeconfig, or from the pod's service account when there is none. */
export async function loadCredentials(opts: LoadOptions = {}): Promise<Credentials> {
  const file = opts.kubeconfig ?? firstExisting([
    ...(Deno.env.get("KUBECONFIG") ?? "").split(":").filter(Boolean),
    `${Deno.env.get("HOME") ?? ""}/.kube/config`,
  ]);
  if (!file) {
    const inCluster = inClusterCredentials();
    if (inCluster) return inCluster;
    throw new Error(
      "no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account",
    );
  }
  return await kubeconfigCredentials(file, opts.context);
}

/** Credentials of the kubeconfig `file` (its current context, or `context`). */
export async function kubeconfigCredentials(file: string, context?: string): Promise<Credentials> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new Error(`kubeconfig ${file}: ${e instanceof Error ? e.message : e}`);
  }
  if (context) kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(`kubeconfig ${file}: the context "${kc.getCurrentContext()}" names no cluster`);
  }
  if (cluster.skipTLSVerify) {
    throw new Error(
      `kubeconfig ${file}: insecure-skip-tls-verify is not supported; give the cluster's certificate-authority`,
    );
  }
  // client-node resolves files, base64 data, exec plugins and token files into these options.
  type Opts = {
    ca?: Uint8Array | string;
    cert?: Uint8Array | string;
    key?: Uint8Array | string;
    headers?: Record<string, string>;
  };
  const apply = async (): Promise<Opts> => {
    const o: Opts = {};
    const k = kc as unknown as {
      applyOptions?: (o: Opts) => Promise<void>;
      applyToHTTPSOptions(o: Opts): Promise<void>;
    };
    if (k.applyOptions) await k.applyOptions(o);
    else await k.applyToHTTPSOptions(o);
    return o;
  };
  const first = await apply();
  const text = (v: Uint8Array | string | undefined) =>
    v === undefined ? undefined : typeof v === "string" ? v : new TextDecoder().decode(v);
  const creds: Credentials = { server: cluster.server };
  const ca = text(first.ca);
  const cert = text(first.cert);
  const key = text(first.key);
  if (ca) creds.caPem = ca;
  if (cert && key) {
    creds.certPem = cert;
    creds.keyPem = key;
  }
  const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
  if (ns) creds.namespace = ns;
  const user = kc.getCurrentUser();
  if (user && (user.token || user.exec || user.authProvider)) {
    // Tokens may rotate (exec plugins, token files): read again at most every 30 s.
    let cached = { at: Date.now(), header: first.headers?.Authorization ?? first.headers?.authorization };
    creds.authorization = async () => {
      if (Date.now() - cached.at > 30_000) {
        const o = await apply();
        cached = { at: Date.now(), header: o.headers?.Authorization ?? o.headers?.authorization };
      }
      return cached.header;
    };
  } else if (user?.username) {
    creds.authorization = () => `Basic ${btoa(`${user.username}:${user.password ?? ""}`)}`;
  }
  return creds;
}

function firstExisting(paths: string[]): string | undefined {
  for (const p of paths) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // next
    }
  }
  return undefined;
}
