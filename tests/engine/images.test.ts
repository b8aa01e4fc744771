/** The image map, the entrypoint table and Kubernetes' command/args rule. */
import assert from "node:assert/strict";
import {
  DEFAULT_ENTRYPOINTS,
  effectiveArgv,
  ImageMap,
  lookupEntrypoint,
  normalizeImage,
  parseImageRules,
} from "../../controller/engine/images.ts";

Deno.test("references are compared in one canonical form", () => {
  assert.equal(normalizeImage("busybox"), "busybox:latest");
  assert.equal(normalizeImage("docker.io/library/busybox:1.36"), "busybox:1.36");
  assert.equal(normalizeImage("localhost:5000/app"), "localhost:5000/app:latest");
  assert.equal(normalizeImage("alpine@sha256:abc"), "alpine@sha256:abc");
});

Deno.test("image map: exact rules win over patterns, the first pattern wins, unmatched images stay", () => {
  const map = new ImageMap("docker/whalesay=localhost/whale, python:*=localhost/py; *=localhost/skiff-test");
  assert.equal(map.resolve("docker/whalesay"), "localhost/whale");
  assert.equal(map.resolve("docker.io/docker/whalesay:latest"), "localhost/whale");
  assert.equal(map.resolve("python:3.12-alpine"), "localhost/py");
  assert.equal(map.resolve("alpine:3.7"), "localhost/skiff-test");
  assert.equal(new ImageMap("python:*=x").resolve("node:20"), "node:20");
  assert.equal(map.replaces("alpine:3.7"), true);
  assert.equal(new ImageMap().replaces("alpine:3.7"), false);
});

Deno.test("a malformed rule is reported with an example", () => {
  assert.throws(() => parseImageRules("python"), /"python" is not of the form image=replacement/);
});

Deno.test("entrypoint table: a key without tag matches every tag", () => {
  assert.deepEqual(lookupEntrypoint(DEFAULT_ENTRYPOINTS, "docker/whalesay:latest"), { command: ["cowsay"] });
  assert.deepEqual(lookupEntrypoint(DEFAULT_ENTRYPOINTS, "python:alpine3.6"), { command: ["python3"] });
  assert.equal(lookupEntrypoint(DEFAULT_ENTRYPOINTS, "example.com/app:1"), undefined);
});

Deno.test("command replaces ENTRYPOINT and drops CMD; args alone replace CMD", () => {
  const image = { command: ["/entry"], args: ["--default"] };
  assert.deepEqual(effectiveArgv({ command: ["echo"] }, image), ["echo"]);
  assert.deepEqual(effectiveArgv({ command: ["echo"], args: ["hi"] }, image), ["echo", "hi"]);
  assert.deepEqual(effectiveArgv({ args: ["hi"] }, image), ["/entry", "hi"]);
  assert.deepEqual(effectiveArgv({}, image), ["/entry", "--default"]);
});
