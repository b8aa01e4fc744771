/** What every lint rule is handed: the document's model, the other documents, options and a reporter. */
import type { LoadedDocument, Path } from "../load.ts";
import type { Problem } from "../problem.ts";
import type { WorkflowModel } from "./model.ts";

/** How to lint. */
export interface LintOptions {
  /** Unknown fields become errors instead of warnings. */
  strict?: boolean;
  /** Where the workflows will run: "local" (default) warns about fields only Kubernetes honours. */
  target?: "local" | "kubernetes";
  /**
   * Names given with `-p` at submission: Workflows declare them too (Argo adds a passed parameter
   * to `spec.arguments` before it validates, so `{{workflow.parameters.X}}` of one is no error).
   */
  parameters?: string[];
}

/** Collects problems for one document, each at the position of the node a user must fix. */
export class Reporter {
  constructor(readonly doc: LoadedDocument, private readonly out: Problem[]) {}

  /** An error at the value of `path`. */
  error(rule: string, path: Path, message: string): void {
    this.add("error", rule, path, message, false);
  }

  /** An error at the key of the last segment of `path` (for a bad or unknown key). */
  errorAtKey(rule: string, path: Path, message: string): void {
    this.add("error", rule, path, message, true);
  }

  /** A warning at the value of `path`. */
  warn(rule: string, path: Path, message: string): void {
    this.add("warning", rule, path, message, false);
  }

  /** A warning at the key of the last segment of `path`. */
  warnAtKey(rule: string, path: Path, message: string): void {
    this.add("warning", rule, path, message, true);
  }

  /** A problem of either severity. */
  add(severity: Problem["severity"], rule: string, path: Path, message: string, atKey: boolean): void {
    const pos = atKey ? this.doc.keyPositionOf(path) : this.doc.positionOf(path);
    this.out.push({ ...pos, severity, rule, message });
  }
}

/** The Argo documents being linted together, to resolve templateRef and workflowTemplateRef. */
export interface Registry {
  /** The WorkflowTemplate (or, with `cluster`, ClusterWorkflowTemplate) of that name, if linted. */
  find(name: string, cluster: boolean): WorkflowModel | undefined;
}

/** One rule's view of one Argo document. */
export interface RuleContext {
  wf: WorkflowModel;
  registry: Registry;
  opts: Required<LintOptions>;
  report: Reporter;
}

/** A rule family: looks at one Argo document and reports what is wrong with it. */
export type Rule = (ctx: RuleContext) => void;
