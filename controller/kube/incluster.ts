/**
 * The pod's own service account as Credentials (no kubeconfig library, so the pod agent stays a
 * small bundle). The token is read again every minute, as bound tokens rotate.
 */
import type { Credentials } from "./client.ts";

/** Where Kubernetes mounts a pod's service account. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The pod's credentials, or undefined outside a pod. */
export function inClusterCredentials(dir = SERVICE_ACCOUNT_DIR): Credentials | undefined {
  const host = Deno.env.get("KUBERNETES_SERVICE_HOST");
  const port = Deno.env.get("KUBERNETES_SERVICE_PORT") ?? "443";
  if (!host) return undefined;
  const read = (f: string) => {
    try {
      return Deno.readTextFileSync(`${dir}/${f}`).trim();
    } catch {
      return undefined;
    }
  };
  const creds: Credentials = { server: `https://${host.includes(":") ? `[${host}]` : host}:${port}` };
  const ca = read("ca.crt");
  if (ca) creds.caPem = ca + "\n";
  const ns = read("namespace");
  if (ns) creds.namespace = ns;
  let cached = { at: 0, token: undefined as string | undefined };
  creds.authorization = () => {
    if (Date.now() - cached.at > 60_000) cached = { at: Date.now(), token: read("token") };
    return cached.token ? `Bearer ${cached.token}` : undefined;
  };
  return creds;
}
