/** Kubernetes list semantics the local host implements: label and field selectors, pages. */
import assert from "node:assert/strict";
import { labelsMatch, listPage, parseLabelSelector } from "../../web/selectors.ts";
import { ServiceError } from "../../web/service.ts";

const labels = { app: "web", tier: "front", env: "prod" };
const matches = (sel: string) => labelsMatch(parseLabelSelector(sel), labels);

Deno.test("label selectors: =, ==, !=, in, notin, exists and !exists, joined by commas", () => {
  assert.equal(matches("app=web"), true);
  assert.equal(matches("app==web,tier=front"), true);
  assert.equal(matches("app!=web"), false);
  assert.equal(matches("missing!=x"), true);
  assert.equal(matches("env in (dev, prod)"), true);
  assert.equal(matches("env notin (dev,prod)"), false);
  assert.equal(matches("tier"), true);
  assert.equal(matches("!tier"), false);
  assert.equal(matches("!missing"), true);
  assert.equal(matches(""), true);
});

Deno.test("a selector that does not parse is an InvalidArgument naming the term", () => {
  assert.throws(
    () => parseLabelSelector("app=web,a b c"),
    (e: unknown) =>
      e instanceof ServiceError && e.code === 3 &&
      e.message.startsWith('invalid label selector "app=web,a b c": cannot parse "a b c"'),
  );
});

Deno.test("listPage cuts pages with limit and continue, and goes on when the last item is gone", () => {
  const objs = ["e", "d", "c", "b", "a"].map((name) => ({ metadata: { name, namespace: "ns" } }));
  const p1 = listPage(objs, { limit: 2 });
  assert.deepEqual(p1.items.map((o) => o.metadata.name), ["e", "d"]);
  const p2 = listPage(objs, { limit: 2, continue: p1.metadata.continue! });
  assert.deepEqual(p2.items.map((o) => o.metadata.name), ["c", "b"]);
  const p3 = listPage(objs, { limit: 2, continue: p2.metadata.continue! });
  assert.deepEqual([p3.items.map((o) => o.metadata.name), p3.metadata.continue], [["a"], undefined]);
  // "b" (the end of page 2) was deleted meanwhile: page 3 still starts at "a".
  const without = objs.filter((o) => o.metadata.name !== "b");
  assert.deepEqual(
    listPage(without, { limit: 2, continue: p2.metadata.continue! }).items.map((o) => o.metadata.name),
    ["a"],
  );
});
