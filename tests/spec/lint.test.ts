/**
 * The linter, by example: every file in fixtures/broken/ holds one kind of mistake, and the test
 * lists the exact lines `skiff lint` prints for it (so an extra or a missing problem fails);
 * every file in fixtures/valid/ must give no problem at all.
 */
import assert from "node:assert/strict";
import { lintDocuments, lintPaths } from "../../controller/spec/lint/mod.ts";
import { loadText } from "../../controller/spec/load.ts";
import { formatProblem } from "../../controller/spec/problem.ts";

const FIXTURES = decodeURIComponent(new URL("./fixtures/", import.meta.url).pathname);
const BROKEN = `${FIXTURES}broken/`;
const VALID = `${FIXTURES}valid/`;

/** Lints fixture files and returns the printed lines, with paths relative to `dir`. */
async function lint(dir: string, files: string[], opts = {}): Promise<string[]> {
  const problems = await lintPaths(files.map((f) => dir + f), opts);
  return problems.map((p) => formatProblem(p).replaceAll(dir, ""));
}

const EXPECTED: Record<string, string[]> = {
  "api-version.yaml": [
    'api-version.yaml:2:13: error: apiVersion "argoproj.io/v1" is not "argoproj.io/v1alpha1"; Argo Workflows are argoproj.io/v1alpha1',
    'api-version.yaml:13:1: error: WorkflowTemplate has no apiVersion; add "apiVersion: argoproj.io/v1alpha1"',
  ],
  "arguments.yaml": [
    'arguments.yaml:8:3: warning: entrypoint template "main" needs input parameter "who", which spec.arguments.parameters does not supply; add it there (or pass it when submitting)',
    'arguments.yaml:13:11: error: valueFrom of workflow parameter "from-file" may only use configMapKeyRef, supplied or event (with an optional default)',
    'arguments.yaml:20:13: error: step "missing" does not pass input parameter "message" that template "print" requires; add it under arguments.parameters (or give the input a default)',
    'arguments.yaml:27:27: warning: step "extra" passes parameter "colour", which template "print" does not declare, so it is ignored; did you mean "color"?',
    'arguments.yaml:32:19: error: argument "message" of step "no-value" has no value; set "value:"',
  ],
  "cron.yaml": [
    'cron.yaml:9:7: error: schedule "61 * * * *" is not a valid cron expression: minute "61" is out of range 0-59; write five fields "minute hour day-of-month month day-of-week" (e.g. "*/5 * * * *") or a descriptor like "@hourly"',
    'cron.yaml:10:7: error: schedule "0 12 * *" is not a valid cron expression: it has 4 fields, not 5; write five fields "minute hour day-of-month month day-of-week" (e.g. "*/5 * * * *") or a descriptor like "@hourly"',
    'cron.yaml:11:7: error: schedule "@fortnightly" is not a valid cron expression: unknown descriptor "@fortnightly"; write five fields "minute hour day-of-month month day-of-week" (e.g. "*/5 * * * *") or a descriptor like "@hourly"',
    'cron.yaml:12:22: error: concurrencyPolicy "Forbidden" is not valid; did you mean "Forbid"?',
    "cron.yaml:13:28: error: startingDeadlineSeconds must not be negative",
    'cron.yaml:14:13: warning: timezone "Mars/Olympus_Mons" is not a known IANA time zone (e.g. "Europe/Paris")',
    'cron.yaml:27:3: warning: "schedule" in CronWorkflow spec is deprecated; use `schedules: [...]` (Argo v3.6+)',
    "cron.yaml:28:3: error: CronWorkflow sets both schedule and schedules; keep only one",
    "cron.yaml:40:1: error: CronWorkflow has no schedule; add e.g. 'schedules: [\"0 * * * *\"]' under spec",
  ],
  "dag-cycle.yaml": [
    "dag-cycle.yaml:12:49: error: dependency cycle: a -> c -> b -> a; remove one of these dependencies",
    "dag-cycle.yaml:16:49: error: dependency cycle: e -> e; remove one of these dependencies",
  ],
  "dag-depends-and-dependencies.yaml": [
    'dag-depends-and-dependencies.yaml:13:52: error: task "b" sets both depends and dependencies; keep only depends (dependencies ["a"] is "depends: a")',
    'dag-depends-and-dependencies.yaml:14:40: error: task "c" uses dependencies but other tasks of template "main" use depends; a DAG uses one or the other: write "depends: a && b"',
    'dag-depends-and-dependencies.yaml:18:13: error: task "d" sets continueOn in a DAG that uses depends; instead let the tasks after it depend on "d.Failed" or "d.Errored"',
  ],
  "dag-depends-syntax.yaml": [
    'dag-depends-syntax.yaml:14:49: error: depends of task "c" is not a valid expression: expected a task name at column 5, found the end; write task names joined with &&, || and ! (e.g. "a && (b.Failed || c)")',
    'dag-depends-syntax.yaml:15:49: error: depends of task "d" is not a valid expression: expected ")" at column 8, found the end; write task names joined with &&, || and ! (e.g. "a && (b.Failed || c)")',
    'dag-depends-syntax.yaml:16:49: error: depends of task "e" is not a valid expression: unexpected "&" at column 3; write task names joined with &&, || and ! (e.g. "a && (b.Failed || c)")',
    'dag-depends-syntax.yaml:17:49: error: depends of task "f" tests unknown result "a.Sucess"; results are: Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed',
    'dag-depends-syntax.yaml:18:49: error: depends of task "g" tests "a.AnySucceeded", but task "a" does not loop; use "a.Succeeded"',
  ],
  "dag-target.yaml": [
    'dag-target.yaml:11:17: error: target of template "main" names unknown task "deploy"; did you mean "deploy-app"?',
    'dag-target.yaml:17:9: error: dag of template "empty" has no tasks; add "tasks:" with at least one task',
  ],
  "dag-unknown-dependency.yaml": [
    'dag-unknown-dependency.yaml:13:62: error: task "test-app" depends on unknown task "build-ap"; did you mean "build-app"?',
    'dag-unknown-dependency.yaml:14:70: error: task "other" depends on unknown task "deploy"; tasks are: "build-app", "test-app", "other"',
    'dag-unknown-dependency.yaml:21:22: error: task "train" depends on unknown task "fetch-dta"; did you mean "fetch-data"?',
    'dag-unknown-dependency.yaml:21:22: error: task "train" depends on unknown task "clean-up"; tasks are: "fetch-data", "train"',
  ],
  "durations.yaml": [
    "durations.yaml:8:26: error: activeDeadlineSeconds must be a whole number of seconds, 0 or more, not -5",
    'durations.yaml:17:19: error: suspend duration of template "wait" is "5 minutes", which is not a duration; write e.g. "30" (seconds), "30s", "5m" or "1h30m"',
    'durations.yaml:19:16: error: timeout of template "slow" is "20", which has no unit; write a duration such as "20s"',
    'durations.yaml:20:30: error: activeDeadlineSeconds of template "slow" is "ten", which is not a whole number of seconds; write e.g. 300 (or a {{...}} variable)',
    'durations.yaml:21:7: warning: "memoize" in template "slow": skiff keeps no memoization cache: the step runs every time',
    'durations.yaml:23:17: error: memoize maxAge of template "slow" is "1 day", which is not a duration; write e.g. "30s", "5m" or "1h30m"',
    'durations.yaml:30:16: error: timeout of template "slower" is "1 hour", which is not a duration; write e.g. "30s", "5m" or "1h30m"',
  ],
  "entrypoint-missing.yaml": [
    'entrypoint-missing.yaml:6:1: error: Workflow has no entrypoint; add "entrypoint: <template name>" under spec; templates are: "main", "other"',
    'entrypoint-missing.yaml:21:3: error: CronWorkflow has no entrypoint; add "entrypoint: <template name>" under spec.workflowSpec; templates are: "main"',
  ],
  "entrypoint-unknown.yaml": [
    'entrypoint-unknown.yaml:7:15: error: entrypoint "mian" is not a template; did you mean "main"?',
    'entrypoint-unknown.yaml:18:15: error: entrypoint "start" is not a template; templates are: "main", "build"',
  ],
  "enum.yaml": [
    'enum.yaml:11:16: error: value "staging" of workflow parameter "env" is not in its enum; use one of "dev", "prod"',
    'enum.yaml:20:42: error: step "deploy" passes "mars" to input parameter "region" of template "deploy", which is not in its enum; use one of "eu", "us"',
    'enum.yaml:25:22: error: default "moon" of input parameter "region" of template "deploy" is not in its enum; use one of "eu", "us"',
    'enum.yaml:29:13: error: enum of input parameter "size" of template "deploy" is empty; list at least one value',
  ],
  "fields-deprecated.yaml": [
    'fields-deprecated.yaml:10:7: warning: "synchronization" in template "main": skiff does not take its mutexes or semaphores: what it guards may run at the same time',
    'fields-deprecated.yaml:11:9: warning: "mutex" in synchronization of template "main" is deprecated; use `mutexes: [...]` (Argo v3.6+)',
    'fields-deprecated.yaml:16:13: warning: "onExit" in step "work" is deprecated; use `hooks: { exit: { template: ... } }`',
  ],
  "fields-enum.yaml": [
    'fields-enum.yaml:8:13: error: "shutdown" of Workflow spec is "Halt", which is not allowed; use one of "Terminate", "Stop"',
    'fields-enum.yaml:13:26: error: "imagePullPolicy" of container of template "main" is "always", which is not allowed; did you mean "Always"?',
  ],
  "fields-types.yaml": [
    'fields-types.yaml:7:14: error: "version" in labels of metadata of Workflow must be a string, not the number 2; quote it: "2"',
    'fields-types.yaml:10:16: error: "parallelism" of Workflow spec must be a whole number, not the string "2"; write it without quotes: 2',
    'fields-types.yaml:14:11: error: item #1 of "steps" of template "main" must be a list, not a mapping; each step group is a list: start it with "- - name: ..."',
    'fields-types.yaml:18:24: error: "withItems" of step "b" must be a list, not the string "a,b,c"; to loop over a JSON list held in a string, use withParam',
    'fields-types.yaml:20:15: error: "daemon" of template "print" must be true or false, not the string "true"; write it without quotes: true',
    'fields-types.yaml:23:18: error: "command" of container of template "print" must be a list, not the string "echo hello"; e.g. ["echo", "hello"]',
    'fields-types.yaml:24:22: error: item #2 of "args" of container of template "print" must be a string, not the number 1; quote it: "1"',
    'fields-types.yaml:27:20: error: "value" of env "PORT" of template "print" must be a string, not the number 8080; quote it: "8080"',
    'fields-types.yaml:31:20: error: "value" of parameter "list" of template "print" must be a string, not a list; to pass structured data, write it as a JSON string',
  ],
  "fields-unknown.yaml": [
    'fields-unknown.yaml:7:3: warning: unknown field "entryPoint" in Workflow spec; did you mean "entrypoint"?',
    'fields-unknown.yaml:12:13: error: step "a" does not pass input parameter "msg" that template "print" requires; add it under arguments.parameters (or give the input a default)',
    'fields-unknown.yaml:14:13: warning: unknown field "dependencies" in step "a"; only DAG tasks have dependencies; a step waits for the step groups before it',
    'fields-unknown.yaml:19:13: warning: unknown field "defualt" in parameter "msg" of template "print"; did you mean "default"?',
    'fields-unknown.yaml:21:9: warning: unknown field "imge" in container of template "print"; did you mean "image"?',
    'fields-unknown.yaml:23:9: warning: unknown field "colour" in container of template "print"; remove it or check its spelling',
  ],
  "hooks.yaml": [
    'hooks.yaml:9:5: error: workflow hook "running" has no expression; add "expression:" saying when it runs (e.g. \'expression: workflow.status == "Running"\'), or name it "exit" to run at the end',
    'hooks.yaml:18:17: error: hook "success" of step "work" calls no template; set "template:" or "templateRef:"',
  ],
  "json-workflow.json": [
    'json-workflow.json:10:51: error: step "hello" calls unknown template "say-helo"; did you mean "say-hello"?',
  ],
  "kind.yaml": [
    'kind.yaml:3:7: error: unknown kind "Workfow"; did you mean "Workflow"?',
    'kind.yaml:9:1: error: document has no kind; set "kind:" to one of "Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"',
  ],
  "kubernetes-only.yaml": [
    'kubernetes-only.yaml:8:3: warning: "serviceAccountName" in Workflow spec only matters on Kubernetes; a local run ignores it',
    'kubernetes-only.yaml:9:3: warning: "podSpecPatch" in Workflow spec only matters on Kubernetes; a local run ignores it',
    'kubernetes-only.yaml:12:7: warning: "nodeSelector" in template "main" only matters on Kubernetes; a local run ignores it',
    'kubernetes-only.yaml:14:7: warning: "tolerations" in template "main" only matters on Kubernetes; a local run ignores it',
  ],
  "loops.yaml": [
    'loops.yaml:14:13: error: step "both" sets both withItems and withParam; a step or task loops over only one of withItems, withParam, withSequence',
    'loops.yaml:17:41: error: withSequence of step "count-and-end" sets both count and end; keep only one',
    'loops.yaml:20:13: error: withSequence of step "neither" has neither count nor end; set "count:" (or "start:" and "end:")',
    'loops.yaml:23:36: error: withSequence count of step "not-a-number" is "five", which is not a whole number; write e.g. 5 (or a {{...}} variable)',
  ],
  "metadata.yaml": [
    'metadata.yaml:2:1: error: Workflow has no metadata; add "metadata:" with a name or generateName',
    'metadata.yaml:11:1: error: WorkflowTemplate has no name (generateName is only for Workflows); add "name:" under metadata',
    "metadata.yaml:20:9: error: name \"My_Workflow\" is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. \"my-workflow\")",
    "metadata.yaml:29:17: error: generateName \"Bad_Prefix-\" is not a valid Kubernetes name prefix: use lower-case letters, digits, '-' and '.', starting with a letter or digit (e.g. \"bad-prefix-\")",
    'metadata.yaml:38:9: error: CronWorkflow name "a-cron-workflow-name-that-is-much-too-long-for-argo-to-use" is 58 characters long; it may have at most 52',
  ],
  "multi-document.yaml": [
    'multi-document.yaml:24:1: error: Workflow has no entrypoint; add "entrypoint: <template name>" under spec; templates are: "main"',
    'multi-document.yaml:42:25: error: step "call" refers to unknown template "eco" of WorkflowTemplate "shared"; did you mean "echo"?',
    'multi-document.yaml:47:9: warning: WorkflowTemplate "shared" is defined twice (also on line 5); rename one of them',
    'multi-document.yaml:55:7: warning: kind "Service" is skipped: skiff uses Argo documents, and Secrets and ConfigMaps for the steps of skiff run; move it to another file, or delete it',
  ],
  "names-duplicate.yaml": [
    'names-duplicate.yaml:13:19: error: step name "hello" in template "main" is used twice (also on line 11); step names must be unique',
    'names-duplicate.yaml:15:13: error: a step in template "main" has no name; add "name:"',
    'names-duplicate.yaml:21:19: error: input parameter "msg" of template "print" is declared twice (also on line 19); names must be unique',
    'names-duplicate.yaml:29:21: error: task name "a" in template "graph" is used twice (also on line 28); task names must be unique',
    'names-duplicate.yaml:30:13: error: template name "print" is used twice (also on line 16); template names must be unique',
  ],
  "names-invalid.yaml": [
    "names-invalid.yaml:10:15: error: workflow parameter name \"my param\" is invalid: use letters, digits, '_' and '-' (e.g. \"my-param\")",
    'names-invalid.yaml:15:19: error: step name "print.message" in template "main" is invalid: use letters, digits and \'-\', starting with a letter or digit (e.g. "print-message")',
    'names-invalid.yaml:19:13: error: template name "my_template" is invalid: use letters, digits and \'-\', starting with a letter or digit (e.g. "my-template")',
    'names-invalid.yaml:25:19: error: task name "1st" starts with a digit, which is not allowed in a DAG that uses depends or dependencies; rename it (e.g. "t1st")',
    'names-invalid.yaml:30:19: error: task name "a-task-name-that-goes-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-for-ever" in template "graph" is invalid: it is 138 characters long; names may have at most 128',
  ],
  "not-a-mapping.yaml": [
    "not-a-mapping.yaml:2:1: error: document is a list, not a mapping; a workflow document is a mapping with apiVersion, kind, metadata and spec",
    "not-a-mapping.yaml:5:1: error: document is a string, not a mapping; a workflow document is a mapping with apiVersion, kind, metadata and spec",
  ],
  "on-exit.yaml": [
    'on-exit.yaml:8:11: error: workflow onExit calls unknown template "clean-up"; did you mean "cleanup"?',
    'on-exit.yaml:17:27: error: hook "exit" of task "work" calls unknown template "notify"; templates are: "main", "cleanup"',
  ],
  "outputs.yaml": [
    'outputs.yaml:16:15: error: valueFrom.path does not suit output parameter "from-file" of template "main"; set valueFrom.parameter (e.g. "{{steps.NAME.outputs.parameters.X}}") or valueFrom.expression',
    'outputs.yaml:22:13: error: output parameter "nothing" of template "produce" has neither value nor valueFrom; set "valueFrom: {path: /tmp/out.txt}" to read a file the container writes',
    'outputs.yaml:25:13: error: output parameter "both" of template "produce" has both value and valueFrom; keep only one',
    'outputs.yaml:30:15: error: valueFrom of output parameter "two-sources" of template "produce" sets both path and jsonPath; keep only one',
    'outputs.yaml:33:15: error: valueFrom.parameter does not suit output parameter "wrong-source" of template "produce"; set "valueFrom: {path: /tmp/out.txt}" to read a file the container writes',
  ],
  "resource.yaml": [
    'resource.yaml:14:7: error: resource of template "make" has no manifest; set "manifest:" (or "manifestFrom:") for action "create"',
    'resource.yaml:14:7: warning: template "make": resource templates are not supported by skiff; apply the manifest with kubectl in a container template (a step that calls it ends in Error)',
    'resource.yaml:17:7: warning: template "remove": resource templates are not supported by skiff; apply the manifest with kubectl in a container template (a step that calls it ends in Error)',
    'resource.yaml:18:17: error: resource action "destroy" of template "remove" is not one of get, create, apply, delete, replace, patch',
  ],
  "retry.yaml": [
    'retry.yaml:9:18: error: retryPolicy of the workflow is "Sometimes", which is not valid; use one of Always, OnFailure, OnError, OnTransientError',
    'retry.yaml:13:16: error: retry limit of template "main" is "three", which is not a whole number; write e.g. 3 (or a {{...}} variable)',
    'retry.yaml:14:22: error: retryPolicy of template "main" is "OnFailed", which is not valid; did you mean "OnFailure"?',
    'retry.yaml:16:21: error: backoff duration of template "main" is "1 minute", which is not a duration; write e.g. "30" (seconds), "30s", "5m" or "1h30m"',
    'retry.yaml:17:19: error: backoff factor of template "main" is "twice", which is not a number; write e.g. 2',
  ],
  "template-fields.yaml": [
    'template-fields.yaml:10:7: error: template "main" is a steps template, which does not support timeout; set timeout on the templates it calls instead',
    'template-fields.yaml:14:7: error: activeDeadlineSeconds of template "graph" is only valid for templates that run something, not dag; set it on the templates it calls instead',
    'template-fields.yaml:20:7: error: parallelism of template "no-image" is only valid for steps and dag templates; remove it',
    'template-fields.yaml:21:7: error: container of template "no-image" has no image; set "image:" (e.g. "image: alpine:3.20")',
    'template-fields.yaml:25:9: error: script of template "empty-image" has no image; set "image:" (e.g. "image: alpine:3.20")',
  ],
  "template-ref.yaml": [
    'template-ref.yaml:37:25: error: step "typo" refers to unknown template "gret" of WorkflowTemplate "lib"; did you mean "greet"?',
    'template-ref.yaml:40:21: warning: step "elsewhere" refers to WorkflowTemplate "not-here", which is not among the linted files; lint them together to check it',
    'template-ref.yaml:44:21: error: step "cluster" refers to WorkflowTemplate "cluster-lib", but "cluster-lib" is a ClusterWorkflowTemplate; add "clusterScope: true"',
    'template-ref.yaml:47:13: error: templateRef of step "half" has no template; set the name of a template in that WorkflowTemplate',
  ],
  "template-type.yaml": [
    'template-type.yaml:15:7: error: template "nothing" has no type; give it exactly one of container, script, resource, suspend, steps, dag, containerSet, data, http, plugin',
    'template-type.yaml:21:7: error: template "both" has both container and script; a template has exactly one type',
    'template-type.yaml:25:7: error: template "wait" has "suspend:" with no value, so it has no type; write "suspend: {}"',
    'template-type.yaml:27:7: error: template "old-style" calls another template with "template:", which Argo no longer supports; call it from a step or DAG task instead',
  ],
  "unknown-template.yaml": [
    'unknown-template.yaml:12:23: error: step "print" calls unknown template "whalsay"; did you mean "whalesay"?',
    'unknown-template.yaml:19:23: error: task "a" calls unknown template "build-everything"; templates are: "main", "diamond", "whalesay"',
    'unknown-template.yaml:20:13: error: task "b" calls no template; set "template:", "templateRef:" or "inline:"',
  ],
  "variables-expressions.yaml": [
    'variables-expressions.yaml:20:26: error: "inputs.parameters.my-param" in "{{=inputs.parameters.my-param + inputs.parameters[\'cnt\']}}" reads as a subtraction in an expression; write "inputs.parameters[\'my-param\']"',
    'variables-expressions.yaml:20:26: error: "inputs.parameters[\'cnt\']" in "{{=inputs.parameters.my-param + inputs.parameters[\'cnt\']}}": template "main" has no input parameter "cnt"; its input parameters are: "my-param", "count"; or declare it under inputs.parameters',
    'variables-expressions.yaml:23:19: error: "steps.first.outputs.result" in "{{=steps.first.outputs.result == \'ok\'}}": step "first" runs in the same step group as step "second", so its results are not known yet; move "first" to an earlier step group',
    'variables-expressions.yaml:27:26: error: "item" in "{{=sprig.trim(item)}}": item is only set in a step or task that loops with withItems, withParam or withSequence, and step "second" does not loop',
    'variables-expressions.yaml:33:26: error: "steps.frist.outputs.result" in "{{=steps[\'first\'].outputs.result + steps.frist.outputs.re...}}": template "main" has no step "frist"; did you mean "first"?',
  ],
  "variables-inputs.yaml": [
    'variables-inputs.yaml:15:43: error: "{{inputs.parameters.greeting}}": template "main" has no input parameter "greeting"; declare it under inputs.parameters',
    'variables-inputs.yaml:27:13: error: "{{inputs.parameters.mesage}}": template "print" has no input parameter "mesage"; did you mean "message"?',
    'variables-inputs.yaml:28:13: error: "{{inputs.artifacts.dta.path}}": template "print" has no input artifact "dta"; did you mean "data"?',
    'variables-inputs.yaml:29:13: error: "{{inputs.params.message}}": inputs has only "parameters" and "artifacts"; did you mean "inputs.parameters"?',
    'variables-inputs.yaml:33:16: error: "{{inputs.parameters}}": template "no-inputs" declares no input parameters; declare them under inputs.parameters',
  ],
  "variables-item.yaml": [
    'variables-item.yaml:14:48: error: "{{item}}": item is only set in a step or task that loops with withItems, withParam or withSequence, and step "no-loop" does not loop',
    'variables-item.yaml:18:48: error: "{{item.age}}": the withItems of step "maps" have no key "age"; their keys are: "name", "years"',
    'variables-item.yaml:25:48: error: "{{item.name}}": the withItems of step "plain" are plain values, with no field "name"; use "{{item}}"',
    'variables-item.yaml:30:48: error: "{{item.value}}": withSequence items of step "sequence" are numbers, with no field "value"',
    'variables-item.yaml:37:16: error: "{{item}}": item is only set in a step or task that loops with withItems, withParam or withSequence, and this is not a step or task',
  ],
  "variables-steps.yaml": [
    'variables-steps.yaml:19:48: error: "{{steps.gen.outputs.result}}": step "gen" runs in the same step group as step "same-group", so its results are not known yet; move "gen" to an earlier step group',
    'variables-steps.yaml:23:48: error: "{{steps.last.outputs.result}}": step "last" runs in a later step group than step "later", so its results are not known yet; move "last" to an earlier step group',
    'variables-steps.yaml:27:48: error: "{{steps.generate.outputs.result}}": template "main" has no step "generate"; its steps are: "gen", "wait", "same-group", "later", "unknown", "self", "bad-field", "bad-output", "no-result", "last"',
    'variables-steps.yaml:31:48: error: "{{steps.self.status}}": step "self" refers to its own results, which only its hooks can see',
    'variables-steps.yaml:35:48: error: "{{steps.gen.output.result}}": step "gen" has no "output"; did you mean "outputs"?',
    'variables-steps.yaml:39:48: error: "{{steps.gen.outputs.parameters.count}}": template "gen" (run by step "gen") has no output parameter "count"; its output parameters are: "number"',
    'variables-steps.yaml:43:48: error: "{{steps.wait.outputs.result}}": step "wait" runs template "wait", a suspend template, which has no outputs.result; use an output parameter',
    'variables-steps.yaml:63:45: error: "{{steps.gen.outputs.result}}": steps.* variables are only set in steps templates, and template "print" is not one',
  ],
  "variables-ip.yaml": [
    `variables-ip.yaml:20:48: error: "{{steps.job.ip}}": step "job" runs template "print", which is no daemon: a pod's IP is recorded for daemons only (daemon: true)`,
  ],
  "variables-tasks.yaml": [
    'variables-tasks.yaml:18:48: error: "{{tasks.a.outputs.result}}": task "b" does not depend on task "a", so its results are not known yet; add "a" to its depends',
    'variables-tasks.yaml:23:48: error: "{{tasks.d.outputs.result}}": task "c" does not depend on task "d", so its results are not known yet; add "d" to its depends',
    'variables-tasks.yaml:23:48: error: "{{tasks.x.status}}": template "main" has no task "x"; its tasks are: "a", "b", "c", "d"',
    'variables-tasks.yaml:39:48: error: "{{tasks.a.outputs.result}}": tasks.* variables are only set in dag templates, and template "steps" is not one',
  ],
  "variables-workflow.yaml": [
    'variables-workflow.yaml:21:26: error: "{{pod.name}}": template "main" runs no pod of its own, so pod.name is not set here',
    'variables-workflow.yaml:28:13: error: "{{workflow.parameters.mesage}}": workflow parameter "mesage" is not declared; did you mean "message"?',
    'variables-workflow.yaml:28:13: error: "{{workflow.parameters.colour}}": workflow parameter "colour" is not declared; add it under spec.arguments.parameters',
    'variables-workflow.yaml:29:13: error: "{{workflow.nmae}}": unknown workflow variable "workflow.nmae"; did you mean "workflow.name"?',
    'variables-workflow.yaml:29:13: warning: "{{workflow.labels.owner}}": the workflow has no label "owner" in its metadata; add it under metadata.labels (unless the controller\'s defaults set it)',
    'variables-workflow.yaml:30:13: warning: "{{workflow.outputs.parameters.total}}": no output of this workflow sets globalName "total"; set "globalName: total" on the output parameter that makes it',
    'variables-workflow.yaml:30:13: error: "{{pod.nam}}": the only pod variable is "pod.name"',
    'variables-workflow.yaml:30:13: warning: "{{retries}}": template "print" has no retryStrategy, so {{retries}} is never set; add a retryStrategy',
    'variables-workflow.yaml:31:13: warning: "{{message}}": unknown variable, which Argo leaves as written; did you mean "{{workflow.parameters.message}}"?',
    'variables-workflow.yaml:31:13: error: "{{workflow.outputs}}": this names a group of values, not one value; name one of them',
  ],
  "variables-workflowtemplate.yaml": [
    'variables-workflowtemplate.yaml:14:16: warning: "{{workflow.parameters.region}}": workflow parameter "region" is not declared; add it under spec.arguments.parameters (unless every workflow that uses this WorkflowTemplate supplies it)',
  ],
  "workflow-template-ref.yaml": [
    'workflow-template-ref.yaml:9:11: warning: workflowTemplateRef refers to WorkflowTemplate "somewhere-else", which is not among the linted files; lint them together to check it',
    "workflow-template-ref.yaml:10:3: error: a Workflow with workflowTemplateRef may not define templates; move them into the WorkflowTemplate or remove workflowTemplateRef",
    "workflow-template-ref.yaml:20:3: error: workflowTemplateRef has no name; set the name of the WorkflowTemplate to run",
  ],
  "yaml-syntax.yaml": [
    "yaml-syntax.yaml:13:1: error: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
};

for (const [file, expected] of Object.entries(EXPECTED)) {
  Deno.test(`lint: broken/${file}`, async () => {
    assert.deepEqual(await lint(BROKEN, [file]), expected);
  });
}

Deno.test("lint: every broken fixture is listed above", () => {
  const files = [...Deno.readDirSync(BROKEN)].map((e) => e.name).sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

/** What valid fixtures use that skiff does not do: said as warnings with either target. */
const UNSUPPORTED_IN_VALID = [
  'features.yaml:24:3: warning: "metrics": skiff does not emit custom Prometheus metrics',
  'features.yaml:72:7: warning: "memoize" in template "choose": skiff keeps no memoization cache: the step runs every time',
  'features.yaml:75:7: warning: "synchronization" in template "choose": skiff does not take its mutexes or semaphores: what it guards may run at the same time',
  'features.yaml:77:7: warning: "metrics" in template "choose": skiff does not emit custom Prometheus metrics',
  'features.yaml:95:7: warning: template "fetch": http templates are not supported by skiff; make the request with curl or wget in a container or script template (a step that calls it ends in Error)',
  'features.yaml:101:7: warning: template "pair": containerSet templates are not supported by skiff; run its containers as steps, or beside one container as sidecars (a step that calls it ends in Error)',
];

Deno.test("lint: valid fixtures give no problem but what skiff does not do", async () => {
  const files = [...Deno.readDirSync(VALID)].map((e) => e.name).sort();
  assert.ok(files.length >= 3);
  assert.deepEqual(await lint(VALID, files), UNSUPPORTED_IN_VALID);
  assert.deepEqual(await lint(VALID, files, { target: "kubernetes", strict: true }), UNSUPPORTED_IN_VALID);
});

Deno.test("lint: strict makes unknown fields errors", async () => {
  const lines = await lint(BROKEN, ["fields-unknown.yaml"], { strict: true });
  assert.deepEqual(lines.filter((l) => l.includes("unknown field")).map((l) => l.split(": ")[1]), [
    "error",
    "error",
    "error",
    "error",
    "error",
  ]);
});

Deno.test("lint: target kubernetes does not warn about Kubernetes-only fields; what no host runs is still said", async () => {
  assert.deepEqual(await lint(BROKEN, ["kubernetes-only.yaml"], { target: "kubernetes" }), []);
  const resource = await lint(BROKEN, ["resource.yaml"], { target: "kubernetes" });
  assert.deepEqual(resource.filter((l) => l.includes("warning")).map((l) => l.split(": warning: ")[1]), [
    'template "make": resource templates are not supported by skiff; apply the manifest with kubectl in a container template (a step that calls it ends in Error)',
    'template "remove": resource templates are not supported by skiff; apply the manifest with kubectl in a container template (a step that calls it ends in Error)',
  ]);
});

Deno.test("lint: templateRef resolves among files linted together", () => {
  const caller = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: caller-}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: a
            templateRef: {name: library, template: say}
            arguments: {parameters: [{name: who, value: me}]}
        - - name: b
            templateRef: {name: library, template: sya}
`;
  const library = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: library}
spec:
  templates:
    - name: say
      inputs: {parameters: [{name: who}]}
      container: {image: alpine, args: ["{{inputs.parameters.who}}"]}
`;
  const alone = loadText(caller, "caller.yaml").documents;
  const both = [...alone, ...loadText(library, "library.yaml").documents];
  assert.deepEqual(lintDocuments(alone).map(formatProblem), [
    'caller.yaml:10:33: warning: step "a" refers to WorkflowTemplate "library", which is not among the linted files; lint them together to check it',
    'caller.yaml:13:33: warning: step "b" refers to WorkflowTemplate "library", which is not among the linted files; lint them together to check it',
  ]);
  assert.deepEqual(lintDocuments(both).map(formatProblem), [
    'caller.yaml:13:52: error: step "b" refers to unknown template "sya" of WorkflowTemplate "library"; did you mean "say"?',
  ]);
});

Deno.test("lint: workflowTemplateRef takes entrypoint, templates and parameters from the template", () => {
  const text = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: base}
spec:
  arguments: {parameters: [{name: env, value: dev}]}
  templates:
    - name: main
      container: {image: alpine, args: ["{{workflow.parameters.env}}"]}
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: run-}
spec:
  entrypoint: mian
  onExit: main
  workflowTemplateRef: {name: base}
`;
  assert.deepEqual(lintDocuments(loadText(text, "ref.yaml").documents).map(formatProblem), [
    'ref.yaml:14:15: error: entrypoint "mian" is not a template of WorkflowTemplate "base"; did you mean "main"?',
  ]);
});

Deno.test("lint: documents of any shape are reported, never thrown on", () => {
  const texts = [
    "null_doc: ~\n",
    "42\n",
    "[1, 2, 3]\n",
    "kind: Workflow\n",
    "kind: [Workflow]\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: []\nspec: []\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\nspec: {templates: {a: 1}}\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\nspec: {entrypoint: [a], templates: [1, null, [], {name: {}}]}\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: x}\nspec: {schedules: 5, workflowSpec: 3}\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\nspec:\n  entrypoint: a\n  templates:\n    - name: a\n      steps: [[null, 1, {name: s, template: a, hooks: [1]}], {}]\n      dag: {tasks: {}}\n",
  ];
  for (const text of texts) {
    const problems = lintDocuments(loadText(text, "odd.yaml").documents);
    assert.ok(
      problems.every((p) => p.rule !== "internal"),
      `${text}\n${problems.map(formatProblem).join("\n")}`,
    );
  }
});

Deno.test("lint: any value replaced by another kind of value is reported, never thrown on", async () => {
  // Walk every node of the valid fixtures and swap in odd values one at a time.
  const odd: unknown[] = [null, 0, -1.5, "", "{{", "{{item}}", [], [[]], {}, { name: 1 }, true];
  for (const file of [...Deno.readDirSync(VALID)].map((e) => e.name)) {
    const docs = loadText(await Deno.readTextFile(VALID + file), file).documents;
    for (const doc of docs) {
      const paths: (string | number)[][] = [];
      const collect = (v: unknown, path: (string | number)[]) => {
        paths.push(path);
        if (Array.isArray(v)) v.forEach((x, i) => collect(x, [...path, i]));
        else if (v && typeof v === "object") {
          for (const [k, x] of Object.entries(v)) collect(x, [...path, k]);
        }
      };
      collect(doc.value, []);
      for (const path of paths) {
        for (const replacement of odd) {
          const value = structuredClone(doc.value);
          const mutated = path.length === 0 ? replacement : setAt(value, path, replacement);
          const problems = lintDocuments([{ ...doc, value: mutated }]);
          const internal = problems.filter((p) => p.rule === "internal");
          assert.deepEqual(internal, [], `${file} ${JSON.stringify(path)} = ${JSON.stringify(replacement)}`);
        }
      }
    }
  }
});

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return root;
}
