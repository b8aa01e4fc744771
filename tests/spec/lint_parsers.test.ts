/** The small languages the linter reads: `depends`, expression tags, cron schedules, durations, names. */
import assert from "node:assert/strict";
import { cronProblem } from "../../controller/spec/lint/cron.ts";
import { parseDepends } from "../../controller/spec/lint/depends.ts";
import { isGoDuration, isSecondsOrDuration } from "../../controller/spec/lint/durations.ts";
import { expressionRefs, findTags, simpleRef } from "../../controller/spec/lint/expressions.ts";
import { fieldNameProblem } from "../../controller/spec/lint/names.ts";
import { closest } from "../../controller/spec/lint/util.ts";

Deno.test("depends: task names, results, operators and dashes", () => {
  const parsed = parseDepends("(fetch-data.Succeeded || b) && !c-2.Failed");
  assert.equal(parsed.error, undefined);
  assert.deepEqual(parsed.refs.map((r) => [r.task, r.result]), [
    ["fetch-data", "Succeeded"],
    ["b", undefined],
    ["c-2", "Failed"],
  ]);
  assert.equal(parseDepends("a").error, undefined);
  assert.equal(parseDepends("!!a").error, undefined);
});

Deno.test("depends: syntax errors say where", () => {
  assert.equal(parseDepends("a &&").error, "expected a task name at column 5, found the end");
  assert.equal(parseDepends("(a || b").error, 'expected ")" at column 8, found the end');
  assert.equal(parseDepends("a b").error, 'unexpected "b" at column 3');
  assert.equal(parseDepends("a & b").error, 'unexpected "&" at column 3');
  assert.equal(parseDepends("a)").error, 'unexpected ")" at column 2');
  assert.equal(parseDepends("").error, "expected a task name at column 1, found the end");
});

Deno.test("tags: simple and expression tags, each ending at the first }}", () => {
  assert.deepEqual(findTags("a {{inputs.parameters.x}} b {{=1 + 2}} {{ workflow.name }}"), [
    { text: "{{inputs.parameters.x}}", body: "inputs.parameters.x", expression: false },
    { text: "{{=1 + 2}}", body: "1 + 2", expression: true },
    { text: "{{ workflow.name }}", body: " workflow.name ", expression: false },
  ]);
  assert.deepEqual(findTags("no tags {{ here"), []);
});

Deno.test("tags: simple tag names, keeping dots in label keys", () => {
  assert.deepEqual(simpleRef(" steps.a-b.outputs.result "), ["steps", "a-b", "outputs", "result"]);
  assert.deepEqual(simpleRef("workflow.labels.app.kubernetes.io/name"), [
    "workflow",
    "labels",
    "app.kubernetes.io/name",
  ]);
  assert.equal(simpleRef(" .Values.image "), undefined); // a Helm template inside a script
  assert.equal(simpleRef("range $i := .Items"), undefined);
});

Deno.test("expressions: variable chains, not strings, functions or locals", () => {
  const refs = expressionRefs(
    `asInt(inputs.parameters['my-param']) + len(steps.gen.outputs.parameters) > 2 ? 'inputs.parameters.no' : ` +
      `filter(tasks["a"].outputs.result, {# > 1}) + sprig.trim(workflow.name) + x.inputs`,
  );
  assert.deepEqual(refs.map((r) => r.segments), [
    ["inputs", "parameters", "my-param"],
    ["steps", "gen", "outputs", "parameters"],
    ["tasks", "a", "outputs", "result"],
    ["workflow", "name"],
  ]);
});

Deno.test("expressions: a dash after a chain reads as a subtraction", () => {
  const [ref] = expressionRefs("inputs.parameters.my-param");
  assert.deepEqual(ref?.segments, ["inputs", "parameters", "my"]);
  assert.equal(ref?.hyphenated, "my-param");
  assert.equal(expressionRefs("inputs.parameters.count-1")[0]?.hyphenated, undefined);
});

Deno.test("expressions: computed indexes and method calls stop a chain", () => {
  const [a, b] = expressionRefs("inputs.parameters[name] + item.toUpper()");
  assert.deepEqual([a?.segments, a?.partial], [["inputs", "parameters"], true]);
  assert.deepEqual([b?.segments, b?.partial], [["item"], true]);
});

Deno.test("cron: standard five-field schedules and descriptors", () => {
  for (
    const ok of [
      "* * * * *",
      "*/5 0-6 1,15 jan-mar mon-fri",
      "0 3 * * 0",
      "@hourly",
      "@every 1h30m",
      "CRON_TZ=UTC 0 * * * *",
    ]
  ) {
    assert.equal(cronProblem(ok), undefined, ok);
  }
  assert.equal(cronProblem("0 24 * * *"), 'hour "24" is out of range 0-23');
  assert.equal(cronProblem("0 * * * * *"), "it has 6 fields, not 5");
  assert.equal(cronProblem("0 * * foo *"), 'month "foo" is out of range 1-12');
  assert.equal(cronProblem("@every soon"), '"soon" is not a duration');
});

Deno.test("durations: Go durations and Argo's seconds-or-duration", () => {
  for (const ok of ["0", "5s", "1m30s", "1.5h", "300ms", "-2m"]) assert.ok(isGoDuration(ok), ok);
  for (const bad of ["5", "5 s", "1d", "s", ""]) assert.ok(!isGoDuration(bad), bad);
  assert.ok(isSecondsOrDuration("20"));
  assert.ok(!isSecondsOrDuration("20 seconds"));
});

Deno.test("names: Argo's template, step and task name rule", () => {
  assert.equal(fieldNameProblem("build-1"), undefined);
  assert.equal(fieldNameProblem("1st"), undefined);
  assert.match(fieldNameProblem("a.b") ?? "", /e\.g\. "a-b"/);
  assert.match(fieldNameProblem("-a") ?? "", /starting with a letter or digit/);
  assert.match(fieldNameProblem("a".repeat(129)) ?? "", /at most 128/);
});

Deno.test("suggestions: close spellings only", () => {
  assert.equal(closest("whalsay", ["whalesay", "main"]), "whalesay");
  assert.equal(closest("entryPoint", ["entrypoint", "templates"]), "entrypoint");
  assert.equal(closest("OnFailed", ["Always", "OnFailure", "OnError"]), "OnFailure");
  assert.equal(closest("x", ["a", "b"]), undefined);
  assert.equal(closest("deploy", ["build", "test"]), undefined);
});
