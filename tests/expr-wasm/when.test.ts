// `when` exactly as Argo evaluates it (workflow/controller/operator.go shouldExecute over
// Knetic/govaluate): the scope is substituted first, bare words become strings, numbers are
// float64, and errors carry Argo's messages.
import { deepStrictEqual } from "node:assert/strict";
import { exprCore } from "../../expr-wasm/mod.ts";

const vars = {
  "steps.flip-coin.outputs.result": "heads",
  "steps.count.outputs.result": "9",
  "tasks.check.outputs.parameters.ok": "true",
  "inputs.parameters.env": "prod",
  "item": "3",
  "workflow.status": "Failed",
  "steps.msg.outputs.result": "hello world",
};

type Want = boolean | { error: string };

const cases: Array<[string, Want]> = [
  // the coinflip example (examples/coinflip.yaml)
  ["{{steps.flip-coin.outputs.result}} == heads", true],
  ["{{steps.flip-coin.outputs.result}} == tails", false],
  ["{{steps.flip-coin.outputs.result}} != tails", true],
  // quoting either side is the same string
  ["'{{steps.flip-coin.outputs.result}}' == 'heads'", true],
  ['"{{steps.flip-coin.outputs.result}}" == "heads"', true],
  // numbers compare as numbers
  ["{{steps.count.outputs.result}} < 10", true],
  ["{{steps.count.outputs.result}} > 10", false],
  ["9 < 10", true],
  ["10 >= 10", true],
  ["1.5 <= 1", false],
  ["0x10 == 16", true],
  // strings compare lexicographically ("9" > "10")
  ["'9' > '10'", true],
  ["abc < abd", true],
  // a quoted number is a string: no mixing
  ["'9' < 10", {
    error:
      "Failed to evaluate 'when' expression ''9' < 10': Value '9' cannot be used with the comparator '<', it is not a number",
  }],
  ["'9' == 9", false],
  // booleans
  ["true", true],
  ["false", false],
  ["{{tasks.check.outputs.parameters.ok}} == true", true],
  ["{{tasks.check.outputs.parameters.ok}}", true],
  ["!false", true],
  ["!(1 == 1)", false],
  // logic and precedence
  ["{{inputs.parameters.env}} == prod && {{item}} > 2", true],
  ["{{inputs.parameters.env}} == dev || {{item}} > 2", true],
  ["{{inputs.parameters.env}} == dev || {{item}} > 5", false],
  ["true || false && false", true],
  ["(true || false) && false", false],
  ["false && 5", false],
  ["true || 5", true],
  ["{{workflow.status}} != Succeeded", true],
  // arithmetic
  ["1 + 2 * 3 == 7", true],
  ["(1 + 2) * 3 == 9", true],
  ["10 - 4 - 3 == 3", true],
  ["7 % 4 == 3", true],
  ["2 ** 3 == 8", true],
  ["{{item}} / 2 == 1.5", true],
  ["-{{item}} < 0", true],
  ["a + b == ab", true],
  ["1 + a == '1a'", true],
  ["1 + a == 1a", {
    error:
      "Invalid 'when' expression '1 + a == 1a': Cannot transition token types from NUMERIC [1] to VARIABLE [a]",
  }],
  // regular expressions
  ["{{inputs.parameters.env}} =~ '^pr'", true],
  ["{{inputs.parameters.env}} =~ 'dev|stage'", false],
  ["{{inputs.parameters.env}} !~ 'dev|stage'", true],
  ["'v1.2.3' =~ '^v[0-9]+\\.[0-9]+'", true],
  ["'ABC' =~ '(?i)^abc$'", true],
  // in with a parenthesized list
  ["{{inputs.parameters.env}} in (dev, prod)", true],
  ["{{item}} in (1, 2)", false],
  ["{{item}} in (1, 2, 3)", true],
  // ternary and coalesce
  ["(1 < 2 ? a : b) == a", true],
  ["(1 > 2 ? a : b) == b", true],
  // values with spaces must be quoted
  ["'{{steps.msg.outputs.result}}' == 'hello world'", true],
  ["{{steps.msg.outputs.result}} == 'hello world'", {
    error:
      "Invalid 'when' expression 'hello world == 'hello world'': Cannot transition token types from VARIABLE [hello] to VARIABLE [world]",
  }],
  // parse errors name the expression
  ["x >", { error: "Invalid 'when' expression 'x >': Unexpected end of expression" }],
  ["(a == b", { error: "Invalid 'when' expression '(a == b': Unbalanced parenthesis" }],
  ["a == 'b", { error: "Invalid 'when' expression 'a == 'b': Unclosed string literal" }],
  ["a === b", {
    error:
      "Invalid 'when' expression 'a === b': Invalid token: '===' (hint: try wrapping the affected expression in quotes (\"))",
  }],
  ["a = b", {
    error:
      "Invalid 'when' expression 'a = b': Invalid token: '=' (hint: try wrapping the affected expression in quotes (\"))",
  }],
  ["1.2.3 == 1.2.3", {
    error: "Invalid 'when' expression '1.2.3 == 1.2.3': Unable to parse numeric value '1.2.3' to float64",
  }],
  ["foo.bar == x", {
    error:
      "Invalid 'when' expression 'foo.bar == x': Unable to access unexported field 'bar' in token 'foo.bar'",
  }],
  ["f(1) == 1", { error: "Invalid 'when' expression 'f(1) == 1': Undefined function f" }],
  // hyphens are operators: my-value is my - value
  ["my-value == x", {
    error:
      "Failed to evaluate 'when' expression 'my-value == x': Value 'my' cannot be used with the modifier '-', it is not a number",
  }],
  ["'my-value' == 'my-value'", true],
  // non-boolean results
  ["1 + 1", { error: "Expected boolean evaluation for '1 + 1'. Got 2" }],
  ["heads", { error: "Expected boolean evaluation for 'heads'. Got heads" }],
  ["a && true", {
    error:
      "Failed to evaluate 'when' expression 'a && true': Value 'a' cannot be used with the logical operator '&&', it is not a bool",
  }],
  // an unresolved tag is reported, not evaluated
  ["{{steps.nope.outputs.result}} == x", {
    error:
      "failed to resolve {{steps.nope.outputs.result}} in 'when' expression '{{steps.nope.outputs.result}} == x'",
  }],
  // an empty when always runs
  ["", true],
];

Deno.test("when: Argo/govaluate semantics", async (t) => {
  const scope = exprCore().scope(vars);
  const results = scope.evalWhens(cases.map(([e]) => e));
  for (let i = 0; i < cases.length; i++) {
    const [expr, want] = cases[i]!;
    await t.step(`when: ${expr || "(empty)"}`, () => {
      deepStrictEqual(results[i], typeof want === "boolean" ? { value: want } : want);
    });
  }
  scope.dispose();
});

Deno.test("evalWhen convenience throws ExprError naming the expression", () => {
  const core = exprCore();
  deepStrictEqual(core.evalWhen("{{a}} == 1", { a: "1" }), true);
  let msg = "";
  try {
    core.evalWhen("1 +");
  } catch (e) {
    msg = (e as Error).message;
  }
  deepStrictEqual(msg, "Invalid 'when' expression '1 +': Unexpected end of expression");
});
