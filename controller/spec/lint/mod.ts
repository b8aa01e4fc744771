/**
 * The workflow linter: finds every problem in Argo workflow files at once, each at the file:line:col
 * a user must fix, with a message that says what is wrong and how to fix it.
 *
 * ```ts
 * const problems = await lintPaths(["examples/"], { target: "local" });
 * for (const p of problems) console.log(formatProblem(p));
 * ```
 */
import { type LoadedDocument, loadPaths } from "../load.ts";
import { type Problem, sortProblems } from "../problem.ts";
import { type LintOptions, type Registry, Reporter, type Rule } from "./context.ts";
import { checkCron } from "./cron.ts";
import { checkDags } from "./dag.ts";
import { checkDocument, checkDuplicateNames } from "./documents.ts";
import { checkDurations } from "./durations.ts";
import { checkEntrypoint } from "./entrypoint.ts";
import { checkFields } from "./fields.ts";
import { checkHooks } from "./hooks.ts";
import { checkLoops } from "./loops.ts";
import { buildModel, type WorkflowModel } from "./model.ts";
import { checkNames } from "./names.ts";
import { checkParameters } from "./parameters.ts";
import { checkReferences } from "./references.ts";
import { checkRetries } from "./retry.ts";
import { checkTemplates } from "./templates.ts";
import { checkVariables } from "./variables.ts";

export type { LintOptions } from "./context.ts";

/** The rule families, in the order they look at a document. */
const RULES: readonly [string, Rule][] = [
  ["entrypoint", checkEntrypoint],
  ["references", checkReferences],
  ["names", checkNames],
  ["templates", checkTemplates],
  ["dag", checkDags],
  ["loops", checkLoops],
  ["retry", checkRetries],
  ["durations", checkDurations],
  ["hooks", checkHooks],
  ["parameters", checkParameters],
  ["cron", checkCron],
  ["variables", checkVariables],
  ["fields", checkFields],
];

/** Lints loaded documents together (templateRef / workflowTemplateRef resolve among them). */
export function lintDocuments(docs: LoadedDocument[], opts: LintOptions = {}): Problem[] {
  const options: Required<LintOptions> = {
    strict: opts.strict ?? false,
    target: opts.target ?? "local",
    parameters: opts.parameters ?? [],
  };
  const out: Problem[] = [];
  const reporters = new Map<LoadedDocument, Reporter>();
  const reporterOf = (doc: LoadedDocument) => {
    let r = reporters.get(doc);
    if (!r) reporters.set(doc, r = new Reporter(doc, out));
    return r;
  };
  const models: WorkflowModel[] = [];
  for (const doc of docs) {
    guard(doc, out, "document", () => {
      const kind = checkDocument(doc, reporterOf(doc));
      if (kind !== undefined) models.push(buildModel(doc, kind));
    });
  }
  const registry = registryOf(models);
  guard(docs[0], out, "documents", () => checkDuplicateNames(models, (m) => reporterOf(m.doc)));
  for (const wf of models) {
    for (const [name, rule] of RULES) {
      guard(wf.doc, out, name, () => rule({ wf, registry, opts: options, report: reporterOf(wf.doc) }));
    }
  }
  return sortProblems(dedupe(out));
}

/** Loads paths (files/dirs) and lints them: load problems + lint problems, sorted. */
export async function lintPaths(paths: string[], opts: LintOptions = {}): Promise<Problem[]> {
  const { documents, problems } = await loadPaths(paths);
  return sortProblems([...problems, ...lintDocuments(documents, opts)]);
}

/** WorkflowTemplates and ClusterWorkflowTemplates by name (the first of each name). */
function registryOf(models: WorkflowModel[]): Registry {
  const namespaced = new Map<string, WorkflowModel>();
  const cluster = new Map<string, WorkflowModel>();
  for (const m of models) {
    if (m.name === undefined) continue;
    const map = m.kind === "WorkflowTemplate"
      ? namespaced
      : m.kind === "ClusterWorkflowTemplate"
      ? cluster
      : undefined;
    if (map && !map.has(m.name)) map.set(m.name, m);
  }
  return { find: (name, isCluster) => (isCluster ? cluster : namespaced).get(name) };
}

/** Runs a rule; a rule that throws on input nobody foresaw becomes a problem instead of a crash. */
function guard(doc: LoadedDocument | undefined, out: Problem[], rule: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (doc === undefined) return;
    const pos = doc.positionOf([]);
    out.push({
      ...pos,
      severity: "error",
      rule: "internal",
      message:
        `internal error in lint rule ${JSON.stringify(rule)}: ${
          err instanceof Error ? err.message : String(err)
        }; ` +
        `please report this with the file`,
    });
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\0${p.line}\0${p.col}\0${p.severity}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
