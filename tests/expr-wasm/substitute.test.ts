// {{...}} substitution as Argo does it (util/template: fasttemplate tags, simpleReplaceStrict,
// expressionReplaceStrict), over a whole serialized template in one call.
import { deepStrictEqual } from "node:assert/strict";
import { exprCore, type SubstituteOptions } from "../../expr-wasm/mod.ts";

const vars: Record<string, string> = {
  "workflow.name": "hello-world-x7k2p",
  "workflow.namespace": "argo",
  "workflow.parameters.message": "hello world",
  "inputs.parameters.message": "hi",
  "inputs.parameters.my-param": "dashed",
  "inputs.parameters.count": "3",
  "inputs.parameters.json": '{"some":{"path":"deep"},"list":[1,2,3]}',
  "inputs.parameters.quoted": 'say "hi"\\now\nnext\ttab',
  "inputs.parameters.unicode": "héllo ✓ 日本",
  "inputs.parameters.ctrl": "a\u0001b",
  "inputs.parameters.html": "<a href='x'>&</a>",
  "steps.flip-coin.outputs.result": "heads",
  "steps.generate.outputs.result": '["a","b"]',
  "tasks.A.outputs.parameters.out": "42",
  "item": '{"name":"x","n":2}',
  "item.name": "x",
  "item.n": "2",
  "inputs.parameters.which": "flip-coin",
  "pod.name": "hello-world-x7k2p-1234",
  "retries": "2",
};

type Want = { text: string; unresolved?: string[]; errors?: string[] };
type Case = [string, string, Want, SubstituteOptions?];

const J: SubstituteOptions = { json: true };
const STRICT: SubstituteOptions = {
  json: true,
  strictPrefixes: ["inputs", "steps", "tasks", "workflow", "item"],
};

const cases: Case[] = [
  // simple tags
  ["simple tag", "{{inputs.parameters.message}}", { text: "hi" }],
  ["whitespace inside braces", "{{ inputs.parameters.message }}", { text: "hi" }],
  ["tabs inside braces", "{{\tinputs.parameters.message\t}}", { text: "hi" }],
  ["text around tags", "say {{inputs.parameters.message}} to {{workflow.name}}!", {
    text: "say hi to hello-world-x7k2p!",
  }],
  ["adjacent tags", "{{item.name}}{{item.n}}", { text: "x2" }],
  ["dashed names in simple tags", "{{inputs.parameters.my-param}}", { text: "dashed" }],
  ["step result", "{{steps.flip-coin.outputs.result}}", { text: "heads" }],
  ["workflow variables", "{{workflow.namespace}}/{{workflow.name}}", { text: "argo/hello-world-x7k2p" }],
  ["item as JSON", "{{item}}", { text: '{"name":"x","n":2}' }],
  ["no tags", "plain text { not a tag }", { text: "plain text { not a tag }" }],
  ["empty input", "", { text: "" }],
  ["single braces are text", "{a} {{inputs.parameters.message}}", { text: "{a} hi" }],
  ["utf-8 values", "{{inputs.parameters.unicode}}", { text: "héllo ✓ 日本" }],
  ["utf-8 text around", "→ {{inputs.parameters.message}} ←", { text: "→ hi ←" }],
  // unresolved tags: kept verbatim and listed
  ["unknown tag kept verbatim", "{{foo.bar}}", { text: "{{foo.bar}}", unresolved: ["foo.bar"] }],
  ["unknown tag among known", "{{inputs.parameters.message}} {{nope}}", {
    text: "hi {{nope}}",
    unresolved: ["nope"],
  }],
  ["unknown trimmed name is listed", "{{ nope }}", { text: "{{ nope }}", unresolved: ["nope"] }],
  ["output artifact stays unresolved", "{{steps.gen.outputs.artifacts.out}}", {
    text: "{{steps.gen.outputs.artifacts.out}}",
    unresolved: ["steps.gen.outputs.artifacts.out"],
  }],
  // strict prefixes: unresolved tags in those namespaces are errors
  ["strict inputs", '{"a":"{{inputs.parameters.missing}}"}', {
    text: '{"a":"{{inputs.parameters.missing}}"}',
    errors: ["failed to resolve {{inputs.parameters.missing}}"],
  }, STRICT],
  ["strict keeps untrimmed tag in message", '{"a":"{{ steps.x.outputs.result }}"}', {
    text: '{"a":"{{ steps.x.outputs.result }}"}',
    errors: ["failed to resolve {{ steps.x.outputs.result }}"],
  }, STRICT],
  ["strict item", '{"a":"{{item.missing}}"}', {
    text: '{"a":"{{item.missing}}"}',
    errors: ["failed to resolve {{item.missing}}"],
  }, STRICT],
  ["strict prefix matches whole segments", '{"a":"{{itemized}}"}', {
    text: '{"a":"{{itemized}}"}',
    unresolved: ["itemized"],
  }, STRICT],
  ["strict allows artifacts", '{"a":"{{steps.g.outputs.artifacts.x}}"}', {
    text: '{"a":"{{steps.g.outputs.artifacts.x}}"}',
    unresolved: ["steps.g.outputs.artifacts.x"],
  }, STRICT],
  ["non-strict namespace stays", '{"a":"{{pod.missing}}"}', {
    text: '{"a":"{{pod.missing}}"}',
    unresolved: ["pod.missing"],
  }, STRICT],
  ["prefix with trailing dot", "{{tasks.B.outputs.result}}", {
    text: "{{tasks.B.outputs.result}}",
    errors: ["failed to resolve {{tasks.B.outputs.result}}"],
  }, { strictPrefixes: ["tasks."] }],
  // nested tags (Argo resolves the innermost, re-emits the outer for a later pass)
  ["nested tag", "{{steps.{{inputs.parameters.which}}.outputs.result}}", {
    text: "{{steps.flip-coin.outputs.result}}",
  }],
  // unterminated tag: fasttemplate fails the whole template
  ["unterminated tag", "a {{b", {
    text: "a {{b",
    errors: ['cannot find end tag "}}" for the tag starting at byte 2'],
  }],
  // JSON mode: values escaped to stay inside the JSON string
  ["json: quotes/backslash/newline/tab", '{"v":"{{inputs.parameters.quoted}}"}', {
    text: '{"v":"say \\"hi\\"\\\\now\\nnext\\ttab"}',
  }, J],
  ["json: control characters", '{"v":"{{inputs.parameters.ctrl}}"}', { text: '{"v":"a\\u0001b"}' }, J],
  [
    "json: html stays literal",
    '{"v":"{{inputs.parameters.html}}"}',
    { text: '{"v":"<a href=\'x\'>&</a>"}' },
    J,
  ],
  ["json: JSON value embedded as a string", '{"v":"{{inputs.parameters.json}}"}', {
    text: '{"v":"{\\"some\\":{\\"path\\":\\"deep\\"},\\"list\\":[1,2,3]}"}',
  }, J],
  ["json: utf-8 untouched", '{"v":"{{inputs.parameters.unicode}}"}', { text: '{"v":"héllo ✓ 日本"}' }, J],
  ["plain mode inserts raw", "{{inputs.parameters.quoted}}", { text: 'say "hi"\\now\nnext\ttab' }],
  // expression tags
  ["expr: variable", "{{=inputs.parameters.message}}", { text: "hi" }],
  ["expr: concatenation", "{{=inputs.parameters.message + ' there'}}", { text: "hi there" }],
  ["expr: index access for dashed names", "{{=inputs.parameters['my-param']}}", { text: "dashed" }],
  ["expr: steps index access", "{{=steps['flip-coin'].outputs.result}}", { text: "heads" }],
  ["expr: asInt + 1", "{{=asInt(inputs.parameters.count) + 1}}", { text: "4" }],
  ["expr: sprig.int + 1", "{{=sprig.int(inputs.parameters.count) + 1}}", { text: "4" }],
  ["expr: asFloat", "{{=asFloat(inputs.parameters.count) * 1.5}}", { text: "4.5" }],
  ["expr: division is float", "{{=asInt(inputs.parameters.count) / 2}}", { text: "1.5" }],
  ["expr: whole float prints as integer", "{{=4 / 2}}", { text: "2" }],
  ["expr: ternary", "{{=steps['flip-coin'].outputs.result == 'heads' ? 'win' : 'lose'}}", { text: "win" }],
  ["expr: boolean", "{{=asInt(tasks.A.outputs.parameters.out) > 40}}", { text: "true" }],
  ["expr: item field", "{{=item.name}}", { text: "x" }],
  ["expr: jsonpath", "{{=jsonpath(inputs.parameters.json, '$.some.path')}}", { text: "deep" }],
  ["expr: jsonpath list", "{{=jsonpath(inputs.parameters.json, '$.list')}}", { text: "[1,2,3]" }],
  ["expr: toJson", "{{=toJson(filter([1, 2, 3], {# > 1}))}}", { text: "[2,3]" }],
  ["expr: map literal result marshalled", "{{= {'b': 2, 'a': [true, nil]} }}", {
    text: '{"a":[true,null],"b":2}',
  }],
  ["expr: a tag ends at the first }}", "{{={'a': 1}}}", {
    text: "{{={'a': 1}}}",
    errors: ["failed to evaluate expression: unexpected token EOF (1:8)"],
  }],
  ["expr: sprig.trim", "{{=sprig.trim('  x  ')}}", { text: "x" }],
  ["expr: sprig.upper of param", "{{=sprig.upper(inputs.parameters.message)}}", { text: "HI" }],
  ["expr: fromJSON then index", "{{=fromJSON(steps.generate.outputs.result)[1]}}", { text: "b" }],
  ["expr: retries", "{{=asInt(retries) + 1}}", { text: "3" }],
  ["expr: ?? default for missing key", "{{=inputs.parameters.nope ?? 'fallback'}}", { text: "fallback" }],
  ["json: expression string escaped", '{"v":"{{=inputs.parameters.quoted}}"}', {
    text: '{"v":"say \\"hi\\"\\\\now\\nnext\\ttab"}',
  }, J],
  ["json: expression object escaped", '{"v":"{{={\\"k\\": \\"v\\"} }}"}', {
    text: '{"v":"{\\"k\\":\\"v\\"}"}',
  }, J],
  ["json: escaped quotes inside expression", '{"v":"{{=inputs.parameters.message + \\" there\\"}}"}', {
    text: '{"v":"hi there"}',
  }, J],
  ["json: \\u003c in expression is <", '{"v":"{{=1 \\u003c 2}}"}', { text: '{"v":"true"}' }, J],
  // expressions that cannot be resolved yet stay verbatim (Argo's allowUnresolved)
  ["expr: unknown variable stays", "{{=foo.bar + 1}}", {
    text: "{{=foo.bar + 1}}",
    unresolved: ["=foo.bar + 1"],
  }],
  ["expr: workflow.status before exit handler", "{{=workflow.status == 'Succeeded'}}", {
    text: "{{=workflow.status == 'Succeeded'}}",
    unresolved: ["=workflow.status == 'Succeeded'"],
  }],
  // expression errors
  ["expr: strict missing", '{"v":"{{=inputs.parameters.nope + 1}}"}', {
    text: '{"v":"{{=inputs.parameters.nope + 1}}"}',
    errors: ["failed to evaluate expression: inputs.parameters.nope is missing"],
  }, STRICT],
  ["expr: syntax error", "{{=1 +}}", {
    text: "{{=1 +}}",
    errors: ["failed to evaluate expression: unexpected token EOF (1:4)"],
  }],
  ["expr: type error", "{{=inputs.parameters.message + 1}}", {
    text: "{{=inputs.parameters.message + 1}}",
    errors: ["failed to evaluate expression: invalid operation: string + int (1:27)"],
  }],
  ["expr: asInt of non-number", "{{=asInt(inputs.parameters.message)}}", {
    text: "{{=asInt(inputs.parameters.message)}}",
    errors: ['failed to evaluate expression: strconv.Atoi: parsing "hi": invalid syntax (1:1)'],
  }],
  ["expr: nil result", "{{=nil}}", { text: "{{=nil}}", errors: ['failed to evaluate expression "nil"'] }],
  ["expr: unknown sprig function", "{{=sprig.nope(1)}}", {
    text: "{{=sprig.nope(1)}}",
    errors: ["failed to evaluate expression: unknown sprig function sprig.nope (1:1)"],
  }],
  [
    "whole template",
    '{"name":"{{workflow.name}}","args":["{{inputs.parameters.message}}","{{=asInt(inputs.parameters.count) * 2}}"],"when":"{{steps.flip-coin.outputs.result}} == heads"}',
    { text: '{"name":"hello-world-x7k2p","args":["hi","6"],"when":"heads == heads"}' },
    J,
  ],
];

Deno.test("substitute: Argo template semantics", async (t) => {
  const scope = exprCore().scope(vars);
  for (const [name, text, want, opts] of cases) {
    await t.step(name, () => {
      const got = scope.substitute(text, opts);
      deepStrictEqual(got, { text: want.text, unresolved: want.unresolved ?? [], errors: want.errors ?? [] });
      if (opts?.json && got.errors.length === 0) JSON.parse(got.text); // stays valid JSON
    });
  }
  scope.dispose();
});

Deno.test("substitute: a value with quotes/newlines stays one JSON string", () => {
  const scope = exprCore().scope({ "inputs.parameters.v": 'line1\nline2 "quoted" \\ back\u0000nul\u2028' });
  const out = scope.substitute('{"args":["echo {{inputs.parameters.v}}"]}', { json: true });
  deepStrictEqual(JSON.parse(out.text), { args: ['echo line1\nline2 "quoted" \\ back\u0000nul\u2028'] });
  scope.dispose();
});

Deno.test("substitute: scope later keys win, Map input works", () => {
  const scope = exprCore().scope(new Map([["a", "1"], ["b", "2"]]));
  deepStrictEqual(scope.substitute("{{a}}-{{b}}").text, "1-2");
  scope.dispose();
});
