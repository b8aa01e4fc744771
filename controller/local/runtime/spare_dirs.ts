/**
 * Node directories made ahead of need, for the process runtime. Creating a file or directory (a new
 * inode) costs ~1 ms on some disks (seen on this project's VMs: ext4 on a virtual disk, at busy
 * times), while renaming one, or rewriting a file that exists, costs a few hundredths of that. A
 * step needs a dozen new inodes (its directory, `root/` and `root/tmp/`, the files it writes and its
 * supervisor writes), which made file creation the larger part of a short step's latency.
 *
 * So a few node directories are kept ready, each with the files a step creates: a step's directory
 * is one rename of a spare, its JSON files are written over their ready temporary files (see
 * writeJsonAtomicSync), and its supervisor claims the step by linking `claim` as `executor.pid` and
 * opens a `stdout` that exists. When none is ready (a burst of steps) the step makes its own.
 *
 * Another process makes them (the runtime's supervisor spawner forks a child for each): Deno's
 * asynchronous file operations still spend about half their time on the calling thread, so spares
 * made by the host itself cost its thread ~2.5 ms a step. A spare is asked for and not answered:
 * it is made as `.new-<n>` and renamed `<n>` once complete, so a half-made one is never used, and
 * one not there (yet) when a step starts is passed over.
 *
 * Spares live in `<dataDir>/spare/<pid>-<id>/`; a runtime removes its own on close, and those of
 * hosts that are gone when it starts.
 */
import { existsSync } from "node:fs";
import { tmpPathOf } from "./common.ts";

/** What a spare holds besides itself: directories (ending in `/`) and the empty files a step creates. */
export const SPARE_ENTRIES = [
  "root/",
  "root/tmp/",
  "claim",
  "stdout", // main.log is made only by a step that writes to stderr (process_supervisor.ts)
  ...["step.json", "result.json"].map(tmpPathOf), // run.json is written only by a step that waits
];

/**
 * Makes a spare in another process, without an answer: the directory `building` with
 * SPARE_ENTRIES in it, then renamed `ready`.
 */
export type SpareMaker = (building: string, ready: string) => void;

/** Ready-made node directories (see above). */
export class SpareNodeDirs {
  readonly #dir: string;
  /** Spares asked for and not taken, oldest first (each may not be ready yet). */
  #asked: string[] = [];
  /** Spares taken (or given up) and not asked for again yet. */
  #owed: number;
  /** Steps in a row that found no spare ready. */
  #misses = 0;
  #made = 0;
  #closed = false;
  #cleaning: Promise<void>;

  /** Keeps up to `keep` spares under `<dataDir>/spare/`, made by `make`. */
  constructor(dataDir: string, readonly keep: number, readonly make: SpareMaker) {
    this.#dir = `${dataDir}/spare/${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.#owed = keep;
    this.#cleaning = this.#removeLeftovers(`${dataDir}/spare`);
    Deno.mkdirSync(this.#dir, { recursive: true });
    this.refill();
  }

  /**
   * Makes `dest` from a spare (its parent is made when missing); false when no spare was ready or
   * `dest` exists with something in it: the caller makes it itself. The spare taken is asked for
   * again at the next refill().
   */
  takeAs(dest: string): boolean {
    let parentMade = false;
    for (let i = 0; i < this.#asked.length; i++) {
      const spare = this.#asked[i]!;
      if (!existsSync(spare)) continue; // not made (yet)
      try {
        Deno.renameSync(spare, dest);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) return false; // dest is taken; the spare is still good
        if (parentMade) return false;
        // The workflow's first node: its parent is missing.
        parentMade = true;
        try {
          Deno.mkdirSync(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
        } catch {
          return false;
        }
        i--;
        continue;
      }
      this.#asked.splice(i, 1);
      this.#owed++;
      this.#misses = 0;
      return true;
    }
    // A spare asked for long ago may never come (its maker died with the spawner): after as many
    // misses in a row as spares are kept, the oldest is given up and asked for again.
    if (++this.#misses >= this.keep && this.#asked.length > 0) {
      this.#asked.shift();
      this.#owed++;
      this.#misses = 0;
    }
    return false;
  }

  /**
   * Asks for as many spares as were taken. Called by the runtime once the step that took one is on
   * its way, so that making the next one does not hold that step up.
   */
  refill(): void {
    for (; this.#owed > 0 && !this.#closed; this.#owed--) {
      const n = this.#made++;
      const ready = `${this.#dir}/${n}`;
      this.#asked.push(ready);
      this.make(`${this.#dir}/.new-${n}`, ready);
    }
  }

  /** Stops asking for spares and removes those there are. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#asked = [];
    await this.#cleaning;
    // A spare still being made (by another process) can make one removal fail: try again briefly.
    for (let i = 0; i < 20; i++) {
      try {
        await Deno.remove(this.#dir, { recursive: true });
        return;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
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
