// DAG `depends` as Argo evaluates it (docs/enhanced-depends-logic.md; workflow/common/ancestry.go
// expands bare names, controller/dag.go evaluates the rewritten logic with expr-lang).
import { deepStrictEqual, throws } from "node:assert/strict";
import { dependsTaskNames, evalDepends, exprCore, ExprError, type TaskFacts } from "../../expr-wasm/mod.ts";

const tasks: Record<string, TaskFacts> = {
  A: { phase: "Succeeded" },
  B: { phase: "Failed" },
  C: { phase: "Error" },
  D: { phase: "Skipped" },
  E: { phase: "Omitted" },
  "task-1": { phase: "Succeeded" },
  daemon: { phase: "Running", daemoned: true },
  loop: { phase: "Failed", children: ["Succeeded", "Failed"] },
  "all-failed": { phase: "Failed", children: ["Failed", "Failed"] },
  empty: { phase: "Succeeded", children: [] },
  lenient: { phase: "Failed", continueOn: { failed: true } },
  tolerant: { phase: "Error", continueOn: { error: true } },
};

const cases: Array<[string, boolean | string]> = [
  // a bare name means (A.Succeeded || A.Skipped || A.Daemoned)
  ["A", true],
  ["B", false],
  ["C", false],
  ["D", true],
  ["E", false],
  ["daemon", true],
  ["A && D", true],
  ["A && B", false],
  ["A || B", true],
  // explicit results
  ["A.Succeeded", true],
  ["B.Failed", true],
  ["C.Errored", true],
  ["D.Skipped", true],
  ["E.Omitted", true],
  ["daemon.Daemoned", true],
  ["A.Failed", false],
  ["B.Succeeded || B.Failed", true],
  ["(A.Succeeded || B.Succeeded) && !C.Succeeded", true],
  ["!A", false],
  ["!(A && B)", true],
  // hyphenated task names
  ["task-1", true],
  ["task-1.Succeeded && A", true],
  // loops: AnySucceeded / AllFailed over the children
  ["loop.AnySucceeded", true],
  ["loop.AllFailed", false],
  ["all-failed.AllFailed", true],
  ["all-failed.AnySucceeded", false],
  ["empty.AllFailed", false],
  // continueOn widens the bare name
  ["lenient", true],
  ["tolerant", true],
  ["lenient.Succeeded", false],
  // the enhanced-depends doc example: (A.Succeeded || A.Failed) && B
  ["(A.Succeeded || A.Failed) && D", true],
  // errors
  ["A.Bogus", "task result 'Bogus' for task 'A' is invalid"],
  [
    "A &&",
    "unable to evaluate expression '(A.Succeeded || A.Skipped || A.Daemoned) &&': unexpected token EOF (1:44)",
  ],
  ["missing", "depends 'missing': task 'missing' has not completed (no result for it)"],
];

Deno.test("depends: Argo enhanced depends logic", async (t) => {
  const results = exprCore().evalDependsBatch(cases.map(([d]) => d), tasks);
  for (let i = 0; i < cases.length; i++) {
    const [depends, want] = cases[i]!;
    await t.step(depends, () => {
      deepStrictEqual(results[i], typeof want === "boolean" ? { value: want } : { error: want });
    });
  }
});

Deno.test("depends: evalDepends throws ExprError", () => {
  deepStrictEqual(evalDepends("A && !B", tasks), true);
  throws(() => evalDepends("A.Nope", tasks), ExprError);
});

Deno.test("depends: task names are the dependency set", () => {
  deepStrictEqual(dependsTaskNames("A && (B.Failed || task-1.Succeeded) || !C.AnySucceeded"), [
    "A",
    "B",
    "task-1",
    "C",
  ]);
  deepStrictEqual(dependsTaskNames("A.Succeeded || A.Failed"), ["A"]);
  deepStrictEqual(dependsTaskNames("fan-out-2 && x1"), ["fan-out-2", "x1"]);
  deepStrictEqual(dependsTaskNames(""), []);
});
