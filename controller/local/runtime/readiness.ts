/**
 * Readiness of daemon steps: a daemon counts as up (NodeObservation.daemonReady) once its main
 * container's readinessProbe passes (httpGet, tcpSocket, or exec where the runtime can exec), or as
 * soon as it runs when it has none, as Kubernetes does.
 */
import { setTimeout as delay } from "node:timers/promises";

/** A Kubernetes probe, as written in the container (`main.extra.readinessProbe`). */
interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string; host?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}

/** The readiness probe of a container, if it has one. */
export function readinessProbe(extra: Record<string, unknown> | undefined): Probe | undefined {
  const p = extra?.readinessProbe;
  return p && typeof p === "object" ? (p as Probe) : undefined;
}

/**
 * Waits until `probe` passes against `ip`; false when `signal` aborts first. Polls at most every
 * second (faster than Kubernetes' default 10 s: a local run should not wait for nothing).
 */
export async function waitReady(
  probe: Probe,
  ip: string,
  opts: {
    signal: AbortSignal;
    ports?: { name?: string; containerPort?: number }[] | undefined;
    exec?: (command: string[]) => Promise<boolean>;
  },
): Promise<boolean> {
  const period = Math.min(Math.max(probe.periodSeconds ?? 1, 0.1), 1) * 1000;
  const timeout = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.initialDelaySeconds) await sleep(probe.initialDelaySeconds * 1000, opts.signal);
  const port = (p: number | string | undefined) =>
    typeof p === "number" ? p : Number(p) || opts.ports?.find((x) => x.name === p)?.containerPort || 80;
  while (!opts.signal.aborted) {
    if (await once()) return true;
    await sleep(period, opts.signal);
  }
  return false;

  async function once(): Promise<boolean> {
    try {
      if (probe.httpGet) {
        const g = probe.httpGet;
        const url = `${(g.scheme ?? "HTTP").toLowerCase()}://${g.host ?? ip}:${port(g.port)}${g.path ?? "/"}`;
        const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
        await res.body?.cancel();
        return res.status >= 200 && res.status < 400;
      }
      if (probe.tcpSocket) {
        const conn = await Deno.connect({
          hostname: probe.tcpSocket.host ?? ip,
          port: port(probe.tcpSocket.port),
        });
        conn.close();
        return true;
      }
      if (probe.exec?.command && opts.exec) return await opts.exec(probe.exec.command);
      return true;
    } catch {
      return false;
    }
  }
}

/** Waits `ms`, or until `signal` aborts, resolving either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}
