/**
 * Documents: each must be a mapping with `apiVersion: argoproj.io/v1alpha1`, an Argo `kind`, a
 * `metadata.name` (or `generateName` for a Workflow) that Kubernetes accepts, and a `spec`.
 * Secret and ConfigMap documents (or a List of them) are what `skiff run` gives the steps, so they
 * pass without a word; documents of other kinds are skipped with a warning that nothing uses them.
 */
import type { LoadedDocument } from "../load.ts";
import type { Reporter } from "./context.ts";
import { ARGO_KINDS, type ArgoKind, type WorkflowModel } from "./model.ts";
import { asRecord, asText, closest, hasTag, isRecord, q, quoteList } from "./util.ts";

/** Kinds that are not Argo's but that skiff uses: `skiff run` hands them to the steps (env, volumes). */
const USED_KINDS = new Set(["Secret", "ConfigMap", "List"]);

/** The apiVersion of every Argo document. */
export const API_VERSION = "argoproj.io/v1alpha1";

/** Longest names Argo accepts: pods and labels carry them (CronWorkflows add a timestamp). */
const MAX_NAME: Record<ArgoKind, number> = {
  Workflow: 63,
  WorkflowTemplate: 63,
  ClusterWorkflowTemplate: 63,
  CronWorkflow: 52,
};

/** A Kubernetes object name (RFC 1123 subdomain). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A generateName prefix: the same characters, and it may end in "-" or ".". */
const NAME_PREFIX = /^[a-z0-9]([-a-z0-9.]*)$/;

/** Checks the document's envelope; returns its Argo kind when the workflow rules should look inside. */
export function checkDocument(doc: LoadedDocument, report: Reporter): ArgoKind | undefined {
  const value = doc.value;
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? "a list" : value === null ? "empty" : `a ${typeof value}`;
    report.error(
      "document",
      [],
      `document is ${what}, not a mapping; a workflow document is a mapping with apiVersion, kind, metadata and spec`,
    );
    return undefined;
  }
  const kindText = asText(value.kind);
  if (kindText === undefined) {
    report.errorAtKey(
      "document",
      value.kind === undefined ? [] : ["kind"],
      `document has no kind; set "kind:" to one of ${quoteList(ARGO_KINDS)}`,
    );
    return undefined;
  }
  if (USED_KINDS.has(kindText)) return undefined; // skiff run reads it (controller/local/runtime/resources.ts)
  const kind = ARGO_KINDS.find((k) => k === kindText);
  if (kind === undefined) {
    const near = closest(kindText, ARGO_KINDS);
    if (near !== undefined) {
      report.error("document", ["kind"], `unknown kind ${q(kindText)}; did you mean ${q(near)}?`);
    } else {
      report.warn(
        "not-argo",
        ["kind"],
        `kind ${
          q(kindText)
        } is skipped: skiff uses Argo documents, and Secrets and ConfigMaps for the steps of skiff run; ` +
          `move it to another file, or delete it`,
      );
    }
    return undefined;
  }
  const apiVersion = value.apiVersion;
  if (apiVersion === undefined) {
    report.errorAtKey("api-version", [], `${kind} has no apiVersion; add "apiVersion: ${API_VERSION}"`);
  } else if (apiVersion !== API_VERSION) {
    report.error(
      "api-version",
      ["apiVersion"],
      `apiVersion ${q(asText(apiVersion) ?? apiVersion)} is not ${
        q(API_VERSION)
      }; Argo ${kind}s are ${API_VERSION}`,
    );
  }
  checkMetadata(kind, value, report);
  if (!("spec" in value)) {
    report.errorAtKey("document", [], `${kind} has no spec; add "spec:"`);
  } else if (kind === "CronWorkflow" && isRecord(value.spec) && !("workflowSpec" in value.spec)) {
    report.errorAtKey(
      "document",
      ["spec"],
      `CronWorkflow spec has no workflowSpec; add "workflowSpec:" under spec`,
    );
  }
  return kind;
}

function checkMetadata(kind: ArgoKind, value: Record<string, unknown>, report: Reporter): void {
  const metadata = asRecord(value.metadata);
  if (metadata === undefined) {
    if (value.metadata === undefined) {
      const want = kind === "Workflow" ? "name or generateName" : "name";
      report.errorAtKey("metadata", [], `${kind} has no metadata; add "metadata:" with a ${want}`);
    }
    return; // a metadata of the wrong type is reported by fields.ts
  }
  const name = asText(metadata.name);
  const generateName = asText(metadata.generateName);
  if (name === undefined && (generateName === undefined || kind !== "Workflow")) {
    const what = kind === "Workflow" ? `"name:" or "generateName:"` : `"name:"`;
    const also = generateName !== undefined ? ` (generateName is only for Workflows)` : "";
    report.errorAtKey("metadata", ["metadata"], `${kind} has no name${also}; add ${what} under metadata`);
  }
  if (name !== undefined && !hasTag(name)) {
    const max = MAX_NAME[kind];
    if (!OBJECT_NAME.test(name)) {
      report.error(
        "metadata",
        ["metadata", "name"],
        `name ${q(name)} is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.', ` +
          `starting and ending with a letter or digit (e.g. ${q(kubeName(name))})`,
      );
    } else if (name.length > max) {
      report.error(
        "metadata",
        ["metadata", "name"],
        `${kind} name ${q(name)} is ${name.length} characters long; it may have at most ${max}`,
      );
    }
  }
  if (generateName !== undefined && !hasTag(generateName) && !NAME_PREFIX.test(generateName)) {
    report.error(
      "metadata",
      ["metadata", "generateName"],
      `generateName ${
        q(generateName)
      } is not a valid Kubernetes name prefix: use lower-case letters, digits, ` +
        `'-' and '.', starting with a letter or digit (e.g. ${q(kubeName(generateName) + "-")})`,
    );
  }
}

/** A name Kubernetes would accept that looks like `name`. */
function kubeName(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return s === "" ? "my-workflow" : s;
}

/** Two documents of one kind with one name: the later one shadows nothing, it is a mistake. */
export function checkDuplicateNames(
  models: WorkflowModel[],
  reporterOf: (m: WorkflowModel) => Reporter,
): void {
  const seen = new Map<string, WorkflowModel>();
  for (const m of models) {
    if (m.name === undefined || hasTag(m.name)) continue;
    const key = `${m.kind}/${m.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, m);
      continue;
    }
    const at = first.doc.positionOf(["metadata", "name"]);
    const where = at.file === m.doc.file ? `on line ${at.line}` : `at ${at.file}:${at.line}`;
    reporterOf(m).warn(
      "duplicate-document",
      ["metadata", "name"],
      `${m.kind} ${q(m.name)} is defined twice (also ${where}); rename one of them`,
    );
  }
}
