// The host/module boundary: the scope encoding (one encodeInto of all keys and values, UTF-16
// lengths turned into byte lengths in the module), the reply forms of `substitute` (text,
// unchanged, one raw value, one escaped value) and `when` over UTF-8 bytes.
import { deepStrictEqual, throws } from "node:assert/strict";
import { exprCore, ExprError } from "../../expr-wasm/mod.ts";

Deno.test("boundary: non-ASCII keys and values, lone surrogates become U+FFFD", () => {
  const scope = exprCore().scope({
    "é.x": "日本",
    "k😀": "v😀",
    "plain": "ascii",
    "lone": "a\ud800b",
    "after": "still found",
  });
  deepStrictEqual(scope.substitute("{{é.x}}|{{k😀}}|{{plain}}|{{after}}").text, "日本|v😀|ascii|still found");
  deepStrictEqual(scope.substitute("{{k😀}}").text, "v😀");
  deepStrictEqual(scope.substitute("{{lone}}").text, "a\ufffdb");
  deepStrictEqual(scope.substitute("x\ud800{{plain}}").text, "x\ufffdascii");
  deepStrictEqual(scope.substitute("no tags \ud800").text, "no tags \ufffd");
  deepStrictEqual(scope.substitute("{{nope}} \ud800").text, "{{nope}} \ufffd");
  deepStrictEqual(scope.evalWhens(["{{é.x}} == 日本", "'{{k😀}}' == 'v😀'"]), [{ value: true }, {
    value: true,
  }]);
  scope.dispose();
});

Deno.test("boundary: substitute reply forms", () => {
  const scope = exprCore().scope({ a: "1", q: 'say "hi"\n', n: "" });
  const empty = { unresolved: [], errors: [] };
  // exactly one variable, raw and JSON-escaped (twice: the second comes from the host's cache)
  deepStrictEqual(scope.substitute("{{a}}"), { text: "1", ...empty });
  deepStrictEqual(scope.substitute("{{ q }}"), { text: 'say "hi"\n', ...empty });
  deepStrictEqual(scope.substitute("{{q}}", { json: true }), { text: 'say \\"hi\\"\\n', ...empty });
  deepStrictEqual(scope.substitute("{{q}}", { json: true }), { text: 'say \\"hi\\"\\n', ...empty });
  deepStrictEqual(scope.substitute("{{a}}", { json: true }), { text: "1", ...empty });
  deepStrictEqual(scope.substitute("{{n}}"), { text: "", ...empty });
  // unchanged text, with unresolved tags or none at all
  deepStrictEqual(scope.substitute("{{x}}"), { text: "{{x}}", unresolved: ["x"], errors: [] });
  deepStrictEqual(scope.substitute("{{inputs.parameters.x}}", { strictPrefixes: ["inputs"] }), {
    text: "{{inputs.parameters.x}}",
    unresolved: [],
    errors: ["failed to resolve {{inputs.parameters.x}}"],
  });
  deepStrictEqual(scope.substitute("plain text"), { text: "plain text", ...empty });
  deepStrictEqual(scope.substitute(""), { text: "", ...empty });
  // mixed
  deepStrictEqual(scope.substitute("<{{a}}>"), { text: "<1>", ...empty });
  deepStrictEqual(scope.substitute("{{a}}{{a}}"), { text: "11", ...empty });
  deepStrictEqual(scope.substitute("{{a}"), {
    text: "{{a}",
    unresolved: [],
    errors: ['cannot find end tag "}}" for the tag starting at byte 0'],
  });
  scope.dispose();
  throws(() => scope.substitute("{{a}}"), ExprError);
  throws(() => scope.substitute("no tags"), ExprError);
});

Deno.test("boundary: large scopes, Map and Record inputs agree", () => {
  const rec: Record<string, string> = {};
  for (let i = 0; i < 700; i++) rec[`tasks.t${i}.outputs.parameters.p`] = i % 7 === 0 ? `vé${i}` : `v${i}`;
  const a = exprCore().scope(rec);
  const b = exprCore().scope(new Map(Object.entries(rec)));
  const text = Object.keys(rec).map((k) => `{{${k}}}`).join(",");
  const want = Object.values(rec).join(",");
  deepStrictEqual(a.substitute(text).text, want);
  deepStrictEqual(b.substitute(text).text, want);
  deepStrictEqual(a.substitute("{{tasks.t699.outputs.parameters.p}}").text, "v699");
  deepStrictEqual(b.evalExprs(["tasks.t7.outputs.parameters.p"]), [{ value: "vé7" }]);
  a.dispose();
  b.dispose();
});

Deno.test("boundary: when compares strings bytewise and reads runes, as Go does", () => {
  const scope = exprCore().scope({});
  deepStrictEqual(scope.evalWhens(["'😀' > '\ue000'", "'é' > 'z'", "'a' < 'ab'"]), [
    { value: true },
    { value: true },
    { value: true },
  ]);
  deepStrictEqual(scope.evalWhens(["\\😀 == x"]), [{
    error:
      "Invalid 'when' expression '\\😀 == x': Invalid token: '😀' (hint: try wrapping the affected expression in quotes (\"))",
  }]);
  // fresh strings after many memoized ones still evaluate (the memo clears itself when full)
  const many = [];
  for (let i = 0; i < 5000; i++) many.push(`${i} >= 0 && a${i} != b`);
  const results = scope.evalWhens(many);
  deepStrictEqual(results.every((r) => "value" in r && r.value), true);
  deepStrictEqual(scope.evalWhens(["1 > 2", "1.5 == 1.50", "0.1 + 0.2 == 0.3", "123456789012345678 > 1"]), [
    { value: false },
    { value: true },
    { value: false },
    { value: true },
  ]);
  scope.dispose();
});
