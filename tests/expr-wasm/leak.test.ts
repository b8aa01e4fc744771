// The module runs for the life of a controller: creating and disposing scopes and evaluating
// expressions must not grow linear memory without bound (the `stub` runtime would).
import { deepStrictEqual, ok } from "node:assert/strict";
import { exprCore } from "../../expr-wasm/mod.ts";

Deno.test("200,000 scope creations + evaluations keep memory bounded", () => {
  const core = exprCore();
  const template = JSON.stringify({
    args: ["{{inputs.parameters.a}}", "{{=asInt(inputs.parameters.n) + 1}}"],
  });
  let mem = 0;
  for (let i = 0; i < 200_000; i++) {
    const scope = core.scope({ "inputs.parameters.a": `value-${i}`, "inputs.parameters.n": String(i) });
    const out = scope.substitute(template, { json: true });
    if (i % 4 === 0) scope.evalWhens([`{{inputs.parameters.n}} >= 0`]);
    if (i % 7 === 0) scope.evalExprs(["filter([1, 2, 3], # > 1)"]);
    scope.dispose();
    if (i === 10_000) mem = core.memoryBytes();
    if (i % 50_000 === 0) deepStrictEqual(JSON.parse(out.text).args[0], `value-${i}`);
  }
  const end = core.memoryBytes();
  deepStrictEqual(core.liveScopes(), 0);
  ok(end <= Math.max(mem * 2, 16 * 1024 * 1024), `memory grew from ${mem} to ${end} bytes`);
});
