/**
 * What the process runtime's host does once a step's supervisor (process_supervisor.ts) has ended:
 * what the Deno executor did in its own process after the command's exit, with the same code
 * (executor/capture.ts and `stepResult`): `result` from the last 256 KiB of the `stdout` file,
 * output parameters and artifacts read below the step's sandbox root.
 */
import {
  collectOutputs,
  localFiles,
  RESULT_TAIL_BYTES,
  type StepDescription,
  type StepResult,
  stepResult,
  TailBuffer,
} from "../../../executor/mod.ts";

/** The last `limit` bytes of a file as text (a UTF-8 sequence cut at the start is dropped); "" when absent. */
export function readTail(path: string, limit = RESULT_TAIL_BYTES): string {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
  try {
    const size = file.statSync().size;
    // One byte more than kept, so the tail buffer knows bytes came before (and drops a cut sequence).
    const from = Math.max(0, size - limit - 1);
    file.seekSync(from, Deno.SeekMode.Start);
    const bytes = new Uint8Array(size - from);
    let at = 0;
    while (at < bytes.length) {
      const n = file.readSync(bytes.subarray(at));
      if (n === null) break;
      at += n;
    }
    const tail = new TailBuffer(limit);
    tail.push(bytes.subarray(0, at));
    return tail.text();
  } finally {
    file.close();
  }
}

/** The result of a step whose command ended with `exitCode` (Failed with `stopReason` when it was stopped). */
export async function collectStep(
  dir: string,
  desc: StepDescription,
  e: { exitCode: number; stopReason?: string | undefined; startedAt: string },
): Promise<StepResult> {
  const stdout = readTail(`${dir}/stdout`);
  const outputs = await collectOutputs(desc.outputs, localFiles(desc.root ?? "/"), desc.artifactDir);
  return stepResult({ ...e, stdout, outputs, finishedAt: new Date().toISOString() });
}
