/**
 * Starting a step's main container with `podman start --attach`: one podman process starts the
 * container, streams its stdout and stderr, and exits with its exit code. A step used to take three
 * podman processes for that (`start`, then `logs -f` and `wait` side by side), each a program start
 * of 50-500 ms on a busy machine, and `logs -f` ended ~250 ms after the container (its follower
 * polls the log file): ~0.5 s a step in all.
 *
 * A container that cannot start (its program is missing or not executable, its working dir is
 * absent from the image) must still be an Error saying why, as when `podman start` failed. Podman
 * then prints `Error: unable to start container ...` on the stderr it shares with the container,
 * exits 125 and leaves the container "created". Such text at the head of stderr is held back from
 * the step's log until podman has exited; if the container never started, it is the StartError's
 * message (the status rejects with it), else it was the container's own and is passed on. A missing
 * working dir is created (Kubernetes creates it; podman 4 refuses) and the start tried once more.
 *
 * Podman ending without the container's exit code (killed, e.g. by a Ctrl-C meant for the host, or
 * failing itself with 125) is followed by asking podman what became of the container.
 *
 * The start is not waited for (the step is reported Running at once), but what needs a started
 * container waits for `running`: the pod IP's lookup, a signal (`podman kill` refuses a container
 * not running yet), and letting go of the container (killing the attached podman in the middle of
 * the start could leave the container created, never run). It is known from the first output, the
 * end of podman, or else looks at the container's state (from 0.5 s on, every 0.2 s).
 */
import { ProgramNotFound, StartError, startFailure } from "../../../executor/mod.ts";
import { containerStatus, podman, podmanOk, type PodmanSetup, podmanSpawn } from "./podman_cli.ts";
import type { ContainerChild } from "./podman_container.ts";

/** When a silent container's state is first looked at, and how often then (see `running`). */
const FIRST_LOOK_MS = 500;
const LOOK_EVERY_MS = 200;

/** How podman 4 begins the message of a container it could not start. */
const START_ERROR = "Error: unable to start container ";

/**
 * How catatonit (the init of `--init`) begins the message of a program it could not execute: it
 * says so on stderr and exits 1. Held back as START_ERROR is; see CATATONIT_EXEC_FAILURE.
 */
const CATATONIT_ERROR = "ERROR (catatonit:";

/** catatonit's whole message when the step's program is missing or not executable. */
const CATATONIT_EXEC_FAILURE =
  /^ERROR \(catatonit:\d+\): failed to exec pid1: (No such file or directory|Permission denied)$/;

/** Starts a created container, attached (see above). `workingDir` is created in it if missing. */
export function startAttached(
  setup: PodmanSetup,
  name: string,
  workingDir?: string,
  /** The step's program (its command's first word), when the template names it. */
  program?: string,
): ContainerChild {
  const out = new TransformStream<Uint8Array, Uint8Array>();
  const err = new TransformStream<Uint8Array, Uint8Array>();
  const outWriter = out.writable.getWriter();
  const errWriter = err.writable.getWriter();
  let current: Deno.ChildProcess | undefined;
  let detached = false;
  let ended = false;
  let isRunning = false;
  let markRunning!: () => void;
  const running = new Promise<void>((r) => (markRunning = r)).then(() => void (isRunning = true));

  const attach = async (): Promise<number> => {
    for (let attempt = 0;; attempt++) {
      const p = current = podmanSpawn(setup, ["start", "--attach", "--sig-proxy=false", name]);
      const held: Uint8Array[] = [];
      let holding: boolean | undefined;
      const copied = Promise.all([
        copy(p.stdout, (chunk) => {
          markRunning();
          return outWriter.write(chunk);
        }),
        copy(p.stderr, (chunk) => {
          holding ??= [START_ERROR, CATATONIT_ERROR].some((head) =>
            new TextDecoder().decode(chunk.subarray(0, head.length)) === head
          );
          if (holding) return void held.push(chunk);
          markRunning();
          return errWriter.write(chunk);
        }),
      ]);
      const s = await p.status;
      await copied;
      if (detached) return 128;
      const problem = holding ? new TextDecoder().decode(concat(held)).trim() : undefined;
      if (problem === undefined && s.signal === null && s.code !== 125) return s.code;
      const status = await containerStatus(setup, name);
      // Under --init the program's absence is catatonit's exit 1 and its message: Argo's emissary
      // reports that as its own failure to find the program (Failed, exit code 64). (A program that
      // itself wrote exactly catatonit's message as its only stderr and exited 1 is taken for it.)
      const execFailure = program !== undefined && status?.state === "exited" && status.exitCode === 1
        ? CATATONIT_EXEC_FAILURE.exec(problem ?? "")
        : null;
      if (execFailure) {
        throw new ProgramNotFound(
          startFailure(program!, execFailure[1] === "Permission denied" ? "denied" : "missing"),
        );
      }
      if (status?.state !== "created") {
        // It ran (or is gone): what was held back was its own output.
        for (const chunk of held) await errWriter.write(chunk).catch(() => {});
        if (status?.state === "exited") return status.exitCode;
        // Still running (podman was killed while attached): its end is waited for without its output.
        const waited = await podman(setup, ["wait", name]);
        const code = Number.parseInt(waited.stdout.trim(), 10);
        return Number.isFinite(code) ? code : 128;
      }
      const message = problem?.replace(/^Error: /, "") || `podman start ${name}: exit code ${s.code}`;
      if (attempt === 0 && workingDir && /workdir .* does not exist/.test(message)) {
        await createDirIn(setup, name, workingDir);
        continue;
      }
      // The OCI runtime's exec of a program the image lacks: what Argo's emissary reports as its
      // own failure to find it (Failed, exit code 64), in its words.
      const missing = /exec: "([^"]*)": executable file not found in \$PATH/.exec(message);
      if (missing) throw new ProgramNotFound(startFailure(missing[1]!, "missing"));
      throw new StartError(message);
    }
  };

  const status = attach().finally(async () => {
    ended = true;
    markRunning(); // or never will: nothing waits any longer
    await outWriter.close().catch(() => {});
    await errWriter.close().catch(() => {});
  });
  // A container silent at first: its state is looked at until it runs (or podman has ended). Not
  // at once: most steps start in some 0.3 s and write something, and a podman call meanwhile
  // slows their start down.
  (async () => {
    for (let wait = FIRST_LOOK_MS; !isRunning && !ended; wait = LOOK_EVERY_MS) {
      await new Promise((r) => setTimeout(r, wait));
      if (isRunning || ended) return;
      const state = (await containerStatus(setup, name))?.state;
      if (state === "running" || state === "exited") markRunning();
    }
  })();
  return {
    stdout: out.readable,
    stderr: err.readable,
    status,
    running,
    detach() {
      detached = true;
      running.then(() => {
        try {
          current?.kill("SIGKILL");
        } catch {
          // already ended
        }
      });
    },
    async kill(signal) {
      await running;
      if (!ended) await podman(setup, ["kill", "--signal", signal, name]);
    },
  };
}

/** Writes every chunk of `stream` with `write`; a write that fails (nobody reads any more) ends it. */
async function copy(
  stream: ReadableStream<Uint8Array>,
  write: (chunk: Uint8Array) => Promise<void> | void,
): Promise<void> {
  let failed = false;
  for await (const chunk of stream) {
    if (failed) continue; // read on, so that podman is not blocked writing
    try {
      await write(chunk);
    } catch {
      failed = true;
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Creates directory `path` (and its parents) in a created container, copying in a tree of empty 0755 directories. */
export async function createDirIn(setup: PodmanSetup, name: string, path: string): Promise<void> {
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) return;
  const tmp = await Deno.makeTempDir({ prefix: "skiff-workdir-" });
  try {
    let at = tmp;
    for (const p of parts) {
      at = `${at}/${p}`;
      await Deno.mkdir(at);
      await Deno.chmod(at, 0o755);
    }
    await podmanOk(setup, ["cp", `${tmp}/${parts[0]}`, `${name}:/`]);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
