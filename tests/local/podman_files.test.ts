/**
 * Resolving a container path inside a container's mounted file system (podman_files.ts): its links
 * are followed as the container would, never out to this host's files.
 */
import assert from "node:assert/strict";
import { resolveInTree } from "../../controller/local/runtime/podman_files.ts";

async function tree(): Promise<string> {
  const t = await Deno.makeTempDir({ prefix: "skiff-tree-" });
  await Deno.mkdir(`${t}/a`);
  await Deno.writeTextFile(`${t}/a/b`, "b");
  await Deno.symlink("/a/b", `${t}/absolute`);
  await Deno.symlink("../../../../a/b", `${t}/a/climbing`);
  await Deno.symlink("/etc/passwd", `${t}/host-file`); // this host has one; the tree does not
  await Deno.symlink("/loop2", `${t}/loop1`);
  await Deno.symlink("/loop1", `${t}/loop2`);
  await Deno.symlink("/mnt/vol/x", `${t}/into-volume`);
  await Deno.mkdir(`${t}/mnt/vol`, { recursive: true });
  return t;
}

Deno.test("a path is resolved inside the tree: links from its root, '..' never above it", async () => {
  const t = await tree();
  const mounts = ["/mnt/vol"];
  assert.deepEqual(resolveInTree(t, "/a/b", mounts), { file: `${t}/a/b` });
  assert.deepEqual(resolveInTree(t, "/absolute", mounts), { file: `${t}/a/b` });
  assert.deepEqual(resolveInTree(t, "/a/climbing", mounts), { file: `${t}/a/b` });
  assert.deepEqual(resolveInTree(t, "/a/../../a/./b", mounts), { file: `${t}/a/b` });
  assert.equal(resolveInTree(t, "/host-file", mounts), undefined);
  assert.equal(resolveInTree(t, "/missing", mounts), undefined);
  assert.equal(resolveInTree(t, "/a/b/c", mounts), undefined); // a file is no directory
  assert.throws(() => resolveInTree(t, "/loop1", mounts), /\/loop1: too many levels of symbolic links/);
});

Deno.test("a path that reaches a mount is to be copied, as the container path it leads to", async () => {
  const t = await tree();
  const mounts = ["/mnt/vol", "/etc/hosts"];
  assert.deepEqual(resolveInTree(t, "/mnt/vol/y/z", mounts), { copy: "/mnt/vol/y/z" });
  assert.deepEqual(resolveInTree(t, "/into-volume", mounts), { copy: "/mnt/vol/x" });
  assert.deepEqual(resolveInTree(t, "/etc/hosts", mounts), { copy: "/etc/hosts" });
  assert.deepEqual(resolveInTree(t, "/mnt/volume", mounts), undefined); // not under /mnt/vol
});
