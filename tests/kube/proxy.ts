/**
 * A TCP proxy between a client and the API server that can make connections go silent (bytes are
 * no longer passed on, the sockets stay open: a dead connection as a NAT or a frozen peer makes it,
 * which raises no error) or drop them.
 */

/** A proxy on 127.0.0.1:<port> to `target`. */
export class StallingProxy {
  readonly port: number;
  #listener: Deno.TcpListener;
  #conns = new Set<{ a: Deno.TcpConn; b: Deno.TcpConn; stalled: boolean }>();
  #accepting: Promise<void>;

  constructor(readonly target: { hostname: string; port: number }) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#accept();
  }

  /** Connections open now. */
  get connections(): number {
    return this.#conns.size;
  }

  async #accept(): Promise<void> {
    for await (const a of this.#listener) {
      let b: Deno.TcpConn;
      try {
        b = await Deno.connect(this.target);
      } catch {
        a.close();
        continue;
      }
      const c = { a, b, stalled: false };
      this.#conns.add(c);
      const pipe = async (from: Deno.TcpConn, to: Deno.TcpConn) => {
        const buf = new Uint8Array(64 * 1024);
        try {
          for (;;) {
            const n = await from.read(buf);
            if (n === null) break;
            while (c.stalled) await new Promise((r) => setTimeout(r, 50)); // hold the bytes: silence
            let at = 0;
            while (at < n) at += await to.write(buf.subarray(at, n));
          }
        } catch {
          // closed
        }
        try {
          a.close();
        } catch { /* closed */ }
        try {
          b.close();
        } catch { /* closed */ }
        this.#conns.delete(c);
      };
      pipe(a, b);
      pipe(b, a);
    }
  }

  /** Every connection open now goes silent (new connections work). */
  stallAll(): number {
    for (const c of this.#conns) c.stalled = true;
    return this.#conns.size;
  }

  /** Closes every connection open now. */
  dropAll(): void {
    for (const c of this.#conns) {
      try {
        c.a.close();
      } catch { /* closed */ }
      try {
        c.b.close();
      } catch { /* closed */ }
    }
    this.#conns.clear();
  }

  async close(): Promise<void> {
    this.#listener.close();
    this.dropAll();
    await this.#accepting.catch(() => {});
  }
}

/** A kubeconfig like `kubeconfig` whose server is `server`. */
export async function kubeconfigVia(kubeconfig: string, server: string): Promise<string> {
  const text = await Deno.readTextFile(kubeconfig);
  const path = await Deno.makeTempFile({ prefix: "skiff-kubeconfig-" });
  await Deno.writeTextFile(path, text.replace(/server: https:\/\/[^\s]+/, `server: ${server}`));
  return path;
}
