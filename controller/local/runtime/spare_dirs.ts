/**
 * Node directories made ahead of need, for the process runtime. Creating a file or directory (a new
 * inode) costs ~1 ms on some disks (seen on this project's VMs: ext4 on a virtual disk, at busy
 * times), while renaming one, or rewriting a file that exists, costs a few hundredths of that. A
 * step needs a dozen new inodes (its directory, `root/` and `root/tmp/`, the files it writes and its
 * supervisor writes), which made file creation the larger part of a short step's latency.
 *
 * So a few node directories are kept ready, made in the background (Deno's thread pool, not the
 * host's thread), each with the files a step creates: a step's directory is one rename of a spare,
 * its JSON files are written over their ready temporary files (see writeJsonAtomicSync), and its
 * supervisor claims the step by linking `claim` as `executor.pid` and opens a `stdout` that exists.
 * When none is ready (a burst of steps) the step makes its own, as before.
 *
 * Spares live in `<dataDir>/spare/<pid>-<id>/` (renamed there once complete, so a half-made one is
 * never used); a runtime removes its own on close, and those of hosts that are gone when it starts.
 */
import { setImmediate } from "node:timers";
import { tmpPathOf } from "./common.ts";

/** The empty files a spare holds: those a step creates (its JSON files are written through their tmpPathOf). */
const SPARE_FILES = [
  "claim",
  "stdout", // main.log is made only by a step that writes to stderr (process_supervisor.ts)
  ...["step.json", "result.json"].map(tmpPathOf), // run.json is written only by a step that waits
];

/** Ready-made node directories (see above). */
export class SpareNodeDirs {
  readonly #dir: string;
  #ready: string[] = [];
  #filling: Promise<void> | undefined;
  #made = 0;
  #closed = false;

  /** Keeps up to `keep` spares under `<dataDir>/spare/`. */
  constructor(dataDir: string, readonly keep: number) {
    this.#dir = `${dataDir}/spare/${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.#filling = this.#removeLeftovers(`${dataDir}/spare`).then(() => this.#fillUp());
  }

  /**
   * Makes `dest` from a spare (its parent is made when missing); false when no spare was ready or
   * `dest` exists with something in it: the caller makes it itself.
   */
  takeAs(dest: string): boolean {
    const spare = this.#ready.pop();
    this.#fill();
    if (spare === undefined) return false;
    try {
      Deno.renameSync(spare, dest);
      return true;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        this.#ready.push(spare); // dest is taken; the spare is still good
        return false;
      }
    }
    // The workflow's first node: its parent is missing (or the spare is, and then it is dropped).
    try {
      Deno.mkdirSync(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
      Deno.renameSync(spare, dest);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops making spares and removes those left. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#filling;
    this.#ready = [];
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  #fill(): void {
    if (this.#filling || this.#closed || this.#ready.length >= this.keep) return;
    // After the current turn: the step that took a spare goes first.
    this.#filling = new Promise<void>((r) => setImmediate(r)).then(() => this.#fillUp());
  }

  async #fillUp(): Promise<void> {
    try {
      while (!this.#closed && this.#ready.length < this.keep) this.#ready.push(await this.#make());
    } catch {
      // A full or read-only disk: steps make their directories themselves (and say what failed).
    } finally {
      this.#filling = undefined;
    }
  }

  async #make(): Promise<string> {
    const n = this.#made++;
    const building = `${this.#dir}/.new-${n}`;
    await Deno.mkdir(`${building}/root/tmp`, { recursive: true });
    await Promise.all(SPARE_FILES.map((f) => Deno.writeFile(`${building}/${f}`, new Uint8Array())));
    const ready = `${this.#dir}/${n}`;
    await Deno.rename(building, ready);
    return ready;
  }

  /** Removes the spares of hosts that are no longer running (on Linux, where /proc tells). */
  async #removeLeftovers(spareRoot: string): Promise<void> {
    try {
      for await (const e of Deno.readDir(spareRoot)) {
        const pid = Number(e.name.split("-")[0]);
        if (!Number.isInteger(pid) || pid === Deno.pid || Deno.build.os !== "linux" || alive(pid)) continue;
        await Deno.remove(`${spareRoot}/${e.name}`, { recursive: true }).catch(() => {});
      }
    } catch {
      // No spares yet.
    }
  }
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
