/**
 * Output capture: the ONE implementation of how a step's `result`, output parameters and output
 * artifacts are derived, whichever way the command ran (a host process, a podman container, a Pod).
 * Where the files are is abstracted by `OutputFiles`; this module decides what they mean.
 */
import type { OutputArtifactSpec, OutputParameterSpec } from "./types.ts";
import { RESULT_TAIL_BYTES } from "./types.ts";

/** Reads the step's files by the paths the step sees (container paths). */
export interface OutputFiles {
  /** The file's text; undefined when nothing is at `path`. Throws with a message for other problems (e.g. a directory). */
  readText(path: string): Promise<string | undefined>;
  /** Copies the file or directory at `path` to `dest` (a host path); false when nothing is at `path`. */
  save(path: string, dest: string): Promise<boolean>;
}

/** Keeps the last `limit` bytes of a byte stream. */
export class TailBuffer {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #total = 0;
  constructor(readonly limit: number = RESULT_TAIL_BYTES) {}

  push(chunk: Uint8Array): void {
    this.#total += chunk.length;
    if (chunk.length >= this.limit) {
      this.#chunks = [chunk.slice(chunk.length - this.limit)];
      this.#size = this.limit;
      return;
    }
    this.#chunks.push(chunk.slice());
    this.#size += chunk.length;
    while (this.#size - this.#chunks[0]!.length >= this.limit) this.#size -= this.#chunks.shift()!.length;
  }

  /** Bytes seen in all. */
  get total(): number {
    return this.#total;
  }

  /** The kept tail as text. A UTF-8 sequence cut at the start is dropped rather than shown as U+FFFD. */
  text(): string {
    const all = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      all.set(c, at);
      at += c.length;
    }
    let bytes = all.length > this.limit ? all.subarray(all.length - this.limit) : all;
    if (this.#total > bytes.length) {
      let skip = 0;
      while (skip < 3 && skip < bytes.length && (bytes[skip]! & 0xc0) === 0x80) skip++;
      bytes = bytes.subarray(skip);
    }
    return new TextDecoder().decode(bytes);
  }
}

/** Argo's rule for `result` and parameter files: exactly one trailing newline is removed. */
export function trimOneNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text; // "\n" alone, as Argo's executor: "a\r\n" keeps its "\r"
}

/** Output parameters and artifacts of one step, and the first problem met collecting them. */
export interface CollectedOutputs {
  parameters: Record<string, string>;
  artifacts: Record<string, string>;
  /** Set when a parameter without default or a non-optional artifact is missing or unreadable. */
  error?: string;
}

/** Reads output parameters (missing file -> default, or an error naming the path) and saves output artifacts. */
export async function collectOutputs(
  outputs: { parameters?: OutputParameterSpec[]; artifacts?: OutputArtifactSpec[] } | undefined,
  files: OutputFiles,
  artifactDir: string | undefined,
): Promise<CollectedOutputs> {
  const collected: CollectedOutputs = { parameters: {}, artifacts: {} };
  const problems: string[] = [];
  for (const p of outputs?.parameters ?? []) {
    let text: string | undefined;
    try {
      text = await files.readText(p.path);
    } catch (e) {
      problems.push(`output parameter "${p.name}": cannot read ${p.path}: ${errorText(e)}`);
      continue;
    }
    if (text !== undefined) collected.parameters[p.name] = trimOneNewline(text);
    else if (p.default !== undefined) collected.parameters[p.name] = trimOneNewline(p.default); // as Argo trims it
    else problems.push(`output parameter "${p.name}": open ${p.path}: no such file or directory`);
  }
  for (const a of outputs?.artifacts ?? []) {
    if (artifactDir === undefined) {
      problems.push(`output artifact "${a.name}": the executor was given no artifact directory`);
      continue;
    }
    const dest = `${artifactDir}/${a.name}`;
    try {
      if (await files.save(a.path, dest)) collected.artifacts[a.name] = dest;
      else if (!a.optional) {
        problems.push(`output artifact "${a.name}": ${a.path}: no such file or directory`);
      }
    } catch (e) {
      problems.push(`output artifact "${a.name}": cannot save ${a.path}: ${errorText(e)}`);
    }
  }
  if (problems.length > 0) collected.error = problems.join("; ");
  return collected;
}

/** The message of an error, without a stack. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
