/**
 * Argo's artifact archives: by default an artifact is stored as a tar+gzip holding the file or
 * directory under its base name; `archive: {none: {}}` stores a file as it is. When an artifact is
 * placed, a tarball (recognised by its content, as Argo does) is unpacked and its one top-level
 * entry becomes the artifact's path; anything else is the file itself.
 *
 * Web streams only (modern-tar's core, CompressionStream): the executor runs in any image, some
 * without /proc, where loading Deno's node: modules panics.
 */
import { createTarDecoder, createTarPacker, type TarPackController } from "modern-tar";
import { dirname } from "./local.ts";

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.replace(/\/+$/, "").split("/").pop() ?? "";
}

/**
 * Writes `src` (a file or a directory, symlinks followed) as a .tgz at `dest`, its entry named
 * `entry` (Argo names it after the artifact's path in the step: `/tmp/hello.txt` -> `hello.txt`).
 */
export async function packTgz(src: string, dest: string, entry = baseName(src)): Promise<void> {
  const { readable, controller } = createTarPacker();
  const out = await Deno.open(dest, { write: true, create: true, truncate: true });
  const written = readable.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
  try {
    await addTree(controller, src, entry || "artifact");
    controller.finalize();
  } catch (e) {
    controller.error(e);
    await written.catch(() => {});
    throw e;
  }
  await written;
}

async function addTree(tar: TarPackController, path: string, name: string): Promise<void> {
  const info = await Deno.stat(path);
  const header = { name, mode: (info.mode ?? 0o644) & 0o7777, mtime: info.mtime ?? new Date(0) };
  if (info.isDirectory) {
    await tar.add({ ...header, name: `${name}/`, type: "directory", size: 0 }).close();
    const names = [];
    for await (const e of Deno.readDir(path)) names.push(e.name);
    for (const n of names.sort()) await addTree(tar, `${path}/${n}`, `${name}/${n}`);
    return;
  }
  const file = await Deno.open(path);
  await file.readable.pipeTo(tar.add({ ...header, type: "file", size: info.size }));
}

/** Does the file start with gzip's magic bytes? */
async function isGzip(path: string): Promise<boolean> {
  using f = await Deno.open(path);
  const head = new Uint8Array(2);
  const n = await f.read(head);
  return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Unpacks a .tgz into the directory `into`; entries that would land outside it are refused. */
async function unpackTgz(path: string, into: string): Promise<void> {
  const file = await Deno.open(path);
  const decoder = createTarDecoder();
  const fed = file.readable.pipeThrough(new DecompressionStream("gzip")).pipeTo(decoder.writable);
  for await (const { header, body } of decoder.readable) {
    const rel = header.name.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    if (rel === "" || rel.split("/").includes("..")) {
      await body.cancel();
      if (rel === "") continue;
      throw new Error(`the archive's entry "${header.name}" points outside it`);
    }
    const at = `${into}/${rel}`;
    if (header.type === "directory") {
      await body.cancel();
      await Deno.mkdir(at, { recursive: true, mode: header.mode ?? 0o755 });
    } else if (header.type === "file" || header.type === undefined) {
      await Deno.mkdir(dirname(at), { recursive: true });
      const out = await Deno.open(at, {
        write: true,
        create: true,
        truncate: true,
        mode: header.mode ?? 0o644,
      });
      await body.pipeTo(out.writable);
    } else if (header.type === "symlink" && header.linkname) {
      await body.cancel();
      await Deno.mkdir(dirname(at), { recursive: true });
      await Deno.symlink(header.linkname, at);
    } else {
      await body.cancel(); // devices, fifos, hard links: not placed
    }
  }
  await fed;
}

/**
 * Places a downloaded artifact at `dest`: a tarball is unpacked (its single top-level entry, or
 * all its entries in a directory when there are several); another file is moved there. `subPath`
 * selects a file or directory inside it.
 */
export async function placeArtifact(downloaded: string, dest: string, subPath?: string): Promise<void> {
  await Deno.remove(dest, { recursive: true }).catch(() => {});
  await Deno.mkdir(dirname(dest), { recursive: true });
  let root = downloaded;
  let scratch: string | undefined;
  if (await isGzip(downloaded)) {
    scratch = await Deno.makeTempDir({ dir: dirname(dest), prefix: ".unpack-" });
    try {
      await unpackTgz(downloaded, scratch);
      const entries = [];
      for await (const e of Deno.readDir(scratch)) entries.push(e.name);
      root = entries.length === 1 ? `${scratch}/${entries[0]}` : scratch;
    } catch {
      // gzip but not a tar (a .gz stored with archive none): the file as it is, as Argo places it.
      root = downloaded;
    }
  }
  try {
    const picked = subPath ? `${root}/${subPath.replace(/^\/+/, "")}` : root;
    await Deno.stat(picked).catch(() => {
      throw new Error(`subPath "${subPath}" is not in the artifact`);
    });
    await Deno.rename(picked, dest);
  } finally {
    if (scratch) await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}
