/**
 * The local host's store: one SQLite file (node:sqlite, WAL mode) in the data directory holding
 * workflows (the whole object with its status as JSON, plus indexed namespace, name, phase and
 * creation time), the runtime's node observations, node logs (append-only), events, and the actions
 * of each transition.
 *
 * A transition is written before it is carried out: `commitTransition` stores the new workflow
 * object and the actions that follow from it in one transaction; the host carries the actions out
 * and marks each done. After a crash the host finds the actions not yet done and carries them out
 * again (starting a node is idempotent).
 *
 * A retry (`retryTransition`) stores the retried workflow and forgets its failed nodes in one
 * transaction; `node_attempts` counts how often each node was retried, so the host runs the next
 * attempt under a runtime id of its own and removes the earlier attempts' files afterwards.
 *
 * Lists are answered by SQL alone (`listWorkflowPage`): SQLite keeps two generated columns beside
 * each workflow object, its labels and its summary (the object without `status.nodes`), so a page
 * is filtered by namespace, phase, labels and name, cut by a keyset cursor (creation time, row id)
 * and read without reading or parsing the other workflows or their nodes.
 *
 * Both texts are built from the JSON of node objects written before (store_json.ts), and the
 * statements run at every step are prepared once (store_sql.ts). A running workflow's nodes are
 * mostly written as changes since the object was last written whole (`node_changes`,
 * store_nodes.ts); every read applies them.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Action, NodeObservation } from "../engine/actions.ts";
import {
  bury,
  CHANGES_SCHEMA,
  currentSeq,
  migrateChanges,
  nextSeq,
  type Tombstone,
  tombstonesSince,
} from "./store_changes.ts";
import { WorkflowJson } from "./store_json.ts";
import { mayHaveChanges, NODE_CHANGES_SCHEMA, NodeChanges, withChanges } from "./store_nodes.ts";
import { statement } from "./store_sql.ts";

/** The least a stored workflow object has (it is stored whole, whatever else it holds). */
export interface WorkflowObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
  };
  status?: { phase?: string };
}

/** A workflow as stored. */
export interface StoredWorkflow<W extends WorkflowObject = WorkflowObject> {
  uid: string;
  namespace: string;
  name: string;
  phase: string;
  created: string;
  updated: string;
  /** Increases on every write; `updateWorkflow` can require the version it read. */
  version: number;
  object: W;
}

/** An action recorded with a transition, to be carried out by the host. */
export interface StoredAction {
  id: number;
  workflowUid: string;
  action: Action;
  created: string;
  /** When it was carried out; undefined while pending. */
  done?: string;
}

/** One appended piece of a node's log. */
export interface LogEntry {
  id: number;
  time: string;
  text: string;
}

/** An event of a workflow (Kubernetes-like: Normal or Warning, a reason and a message). */
export interface WorkflowEvent {
  id: number;
  workflowUid: string;
  time: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  nodeId?: string;
}

/**
 * A requirement on the labels a workflow is listed with: its own labels, plus
 * `workflows.argoproj.io/phase` and `workflows.argoproj.io/completed` derived from its phase as
 * Argo's controller keeps them (its own label of that key wins). web/selectors' LabelRequirement.
 */
export type LabelFilter =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/** A requirement on `metadata.name` or `metadata.namespace` (web/selectors' FieldRequirement). */
export interface FieldFilter {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Where a page of workflows ends: the last item's creation time and row id. */
export interface WorkflowCursor {
  created: string;
  id: number;
}

/** What {@link Store.listWorkflowPage} lists. */
export interface WorkflowPageQuery {
  namespace?: string;
  /** Only these phases ("" for not started yet). */
  phases?: string[];
  labels?: LabelFilter[];
  fields?: FieldFilter[];
  /** Only workflows after this cursor (the `next` of the previous page). */
  after?: WorkflowCursor;
  /** At most this many (0 or absent: all). */
  limit?: number;
  /** Objects without `status.nodes` (read from the summary column). */
  withoutNodes?: boolean;
  /** Count the matches after the page (one more indexed COUNT). */
  countRemaining?: boolean;
}

/** A page of {@link Store.listWorkflowPage}. */
export interface WorkflowPage<W extends WorkflowObject = WorkflowObject> {
  items: StoredWorkflow<W>[];
  /** The cursor of the next page, when more match. */
  next?: WorkflowCursor;
  /** How many match after this page (with `countRemaining`, when there is a next page). */
  remaining?: number;
}

/** Raised when a write finds a different version than the one it expects. */
export class ConflictError extends Error {}

/** Raised when a workflow to create already exists, or one to change does not. */
export class NotFoundError extends Error {}

/**
 * 2: node_attempts (retried nodes run under new runtime ids; an older skiff would not know them).
 * 3: workflows.labels and workflows.summary (what the lists read, written with each object); see
 *    {@link migrate}.
 * 4: the change sequence (workflows.seq, tombstones; store_changes.ts): an older skiff would write
 *    without numbering its writes, and watches from a list would miss them.
 * 5: node_changes (store_nodes.ts): an older skiff would read a running workflow's nodes as they
 *    were when last written whole.
 */
const SCHEMA_VERSION = 5;

/**
 * The workflows table. `labels` (the object's labels as JSON) and `summary` (the object without
 * `status.nodes`) are written with every object by skiff itself: columns SQLite generated from the
 * object would re-parse a large workflow's JSON on every write (some 12 ms for 2,000 nodes).
 */
function workflowsTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  uid TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  object TEXT NOT NULL,
  labels TEXT,
  summary TEXT NOT NULL DEFAULT '{}',
  seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (namespace, name)
);`;
}

const WORKFLOW_INDEXES = `
CREATE INDEX IF NOT EXISTS workflows_phase ON workflows (phase, created);
CREATE INDEX IF NOT EXISTS workflows_created ON workflows (created);
CREATE INDEX IF NOT EXISTS workflows_namespace_created ON workflows (namespace, created);
`;

/** The columns of a StoredWorkflow (never the generated ones, unless asked). */
const WORKFLOW_COLUMNS = "uid, namespace, name, phase, created, updated, version, object";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
${workflowsTable("workflows")}
CREATE TABLE IF NOT EXISTS observations (
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  node_id TEXT NOT NULL,
  observation TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (workflow_uid, node_id)
);
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  node_id TEXT NOT NULL,
  time TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_node ON logs (workflow_uid, node_id, id);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  node_id TEXT
);
CREATE INDEX IF NOT EXISTS events_workflow ON events (workflow_uid, id);
CREATE TABLE IF NOT EXISTS actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  action TEXT NOT NULL,
  created TEXT NOT NULL,
  done TEXT
);
CREATE INDEX IF NOT EXISTS actions_pending ON actions (done, workflow_uid, id);
CREATE TABLE IF NOT EXISTS node_attempts (
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  cleanup_pending INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (workflow_uid, node_id)
);
${CHANGES_SCHEMA}
${NODE_CHANGES_SCHEMA}`;

type Row = Record<string, SQLInputValue>;

/** The default data directory: `$SKIFF_DATA_DIR`, else `~/.skiff`. */
export function defaultDataDir(): string {
  const explicit = Deno.env.get("SKIFF_DATA_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${home}/.skiff`;
}

/** The SQLite store of the local host. */
export class Store {
  readonly db: DatabaseSync;
  #depth = 0;
  #now: () => Date;
  #json = new WorkflowJson();
  #nodes: NodeChanges;

  private constructor(readonly path: string, now?: () => Date) {
    this.db = new DatabaseSync(path);
    this.#nodes = new NodeChanges(this.db, this.#json);
    this.#now = now ?? (() => new Date());
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    );
    this.db.exec(SCHEMA);
    migrate(this.db);
    const v = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      | { value: string }
      | undefined;
    if (v === undefined) {
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(v.value) > SCHEMA_VERSION) {
      throw new Error(
        `${path}: written by a newer skiff (schema ${v.value}; this one knows ${SCHEMA_VERSION})`,
      );
    } else if (Number(v.value) < SCHEMA_VERSION) {
      // The tables added since were created above; older skiffs now refuse the file.
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
    }
  }

  /** Opens (creating) `<dataDir>/skiff.db`. */
  static open(dataDir: string = defaultDataDir(), opts: { now?: () => Date } = {}): Store {
    Deno.mkdirSync(dataDir, { recursive: true });
    return new Store(`${dataDir}/skiff.db`, opts.now);
  }

  /** Opens a database file at an exact path (`:memory:` works too). */
  static openFile(path: string, opts: { now?: () => Date } = {}): Store {
    return new Store(path, opts.now);
  }

  close(): void {
    this.db.close();
  }

  /** The journal mode in force ("wal"). */
  journalMode(): string {
    return (this.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
  }

  /**
   * Runs `fn` in one transaction (BEGIN IMMEDIATE, so writers queue instead of failing), committed
   * when it returns and rolled back when it throws. Nested calls join the outer transaction.
   */
  transaction<T>(fn: (store: Store) => T): T {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return fn(this);
      } finally {
        this.#depth--;
      }
    }
    this.db.exec("BEGIN IMMEDIATE");
    this.#depth = 1;
    try {
      const out = fn(this);
      if (out instanceof Promise) throw new Error("Store.transaction: the function must be synchronous");
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      this.db.exec("ROLLBACK");
      this.#nodes.forget(); // what it wrote of nodes is undone: the next writes are whole
      throw e;
    } finally {
      this.#depth = 0;
    }
  }

  #iso(): string {
    return this.#now().toISOString();
  }

  /** The `object` (empty unless `whole`), `labels` and `summary` columns of an object (see store_json.ts). */
  #columns(object: WorkflowObject, whole = true): [string, string | null, string] {
    const labels = (object.metadata as { labels?: Record<string, string> }).labels;
    const texts = this.#json.texts(object, whole);
    return [texts.object, labels ? JSON.stringify(labels) : null, texts.summary];
  }

  /** A stored workflow from its row, its nodes' changes applied (see store_nodes.ts). */
  #toWorkflow<W extends WorkflowObject>(r: Row): StoredWorkflow<W> {
    if (!mayHaveChanges(String(r.phase))) return toWorkflow<W>(r);
    const changes = this.#nodes.changes(String(r.uid));
    if (changes.length === 0) return toWorkflow<W>(r);
    const summary = statement(this.db, "SELECT summary FROM workflows WHERE uid = ?").get(String(r.uid)) as {
      summary: string;
    };
    return {
      ...toWorkflow<W>({ ...r, object: "null" }),
      object: withChanges(String(r.object), summary.summary, changes) as W,
    };
  }

  // ---- workflows

  /** Stores a new workflow; gives it a uid and creationTimestamp when it has none. */
  createWorkflow<W extends WorkflowObject>(object: W): StoredWorkflow<W> {
    const namespace = object.metadata.namespace ?? "default";
    const name = object.metadata.name;
    if (!name) throw new Error("createWorkflow: metadata.name is required");
    const uid = object.metadata.uid ?? crypto.randomUUID();
    const created = object.metadata.creationTimestamp ?? this.#iso().replace(/\.\d{3}Z$/, "Z");
    const stored: W = {
      ...object,
      metadata: { ...object.metadata, namespace, uid, creationTimestamp: created },
    };
    const updated = this.#iso();
    const phase = stored.status?.phase ?? "";
    try {
      this.transaction(() => {
        const columns = this.#columns(stored);
        statement(
          this.db,
          "INSERT INTO workflows (uid, namespace, name, phase, created, updated, version, object, labels, summary, seq) " +
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        ).run(uid, namespace, name, phase, created, updated, ...columns, nextSeq(this.db));
        this.#nodes.wroteWhole(uid, {
          version: 1,
          nodes: nodesOf(stored),
          phase,
          length: columns[0].length,
          created: true,
        });
      });
    } catch (e) {
      if (/UNIQUE constraint failed: workflows\.namespace/.test(String(e))) {
        throw new ConflictError(`workflow ${namespace}/${name} already exists`);
      }
      throw e;
    }
    return {
      uid,
      namespace,
      name,
      phase: stored.status?.phase ?? "",
      created,
      updated,
      version: 1,
      object: stored,
    };
  }

  getWorkflow<W extends WorkflowObject = WorkflowObject>(
    namespace: string,
    name: string,
  ): StoredWorkflow<W> | undefined {
    const row = statement(
      this.db,
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE namespace = ? AND name = ?`,
    )
      .get(
        namespace,
        name,
      ) as Row | undefined;
    return row ? this.#toWorkflow<W>(row) : undefined;
  }

  /** A workflow by uid; with `withoutNodes`, its object read from the summary (no `status.nodes`). */
  /** The version of a stored workflow (it grows with every write), without reading the object. */
  workflowVersion(namespace: string, name: string): number | undefined {
    const row = statement(this.db, "SELECT version FROM workflows WHERE namespace = ? AND name = ?")
      .get(namespace, name) as { version: number } | undefined;
    return row?.version;
  }

  getWorkflowByUid<W extends WorkflowObject = WorkflowObject>(
    uid: string,
    opts: { withoutNodes?: boolean } = {},
  ): StoredWorkflow<W> | undefined {
    const columns = opts.withoutNodes
      ? WORKFLOW_COLUMNS.replace(/object$/, "summary AS object")
      : WORKFLOW_COLUMNS;
    const row = statement(this.db, `SELECT ${columns} FROM workflows WHERE uid = ?`).get(uid) as
      | Row
      | undefined;
    if (!row) return undefined;
    return opts.withoutNodes ? toWorkflow<W>(row) : this.#toWorkflow<W>(row);
  }

  /** Workflows, newest first; filtered by namespace and/or phase(s). */
  listWorkflows<W extends WorkflowObject = WorkflowObject>(
    opts: { namespace?: string; phases?: string[]; limit?: number; offset?: number } = {},
  ): StoredWorkflow<W>[] {
    const { where, args } = pageFilter({
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(opts.phases ? { phases: opts.phases } : {}),
    });
    const sql = `SELECT ${WORKFLOW_COLUMNS} FROM workflows ${
      where.length ? "WHERE " + where.join(" AND ") : ""
    } ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?`;
    args.push(opts.limit ?? -1, opts.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => this.#toWorkflow<W>(r));
  }

  /** Workflows of a namespace whose label `key` is `value`, newest first. */
  listWorkflowsWithLabel<W extends WorkflowObject = WorkflowObject>(
    namespace: string,
    key: string,
    value: string,
  ): StoredWorkflow<W>[] {
    const rows = statement(
      this.db,
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE namespace = ? AND labels ->> ? = ? ` +
        "ORDER BY created DESC, rowid DESC",
    ).all(namespace, key, value) as Row[];
    return rows.map((r) => this.#toWorkflow<W>(r));
  }

  /**
   * One page of workflows, newest first (creation time, then insertion order), filtered and cut
   * in SQL: namespace, phases, label and field requirements, and a keyset cursor (`after`), so a
   * page costs the same however many workflows are stored. With `withoutNodes` the objects are
   * read from the summary column (no `status.nodes`). `next` is set when more match after the
   * page, with `remaining` (how many) when `countRemaining` asks for it.
   */
  listWorkflowPage<W extends WorkflowObject = WorkflowObject>(
    query: WorkflowPageQuery = {},
  ): WorkflowPage<W> {
    const { where, args } = pageFilter(query);
    const cursor = (after: WorkflowCursor) => {
      where.push("(created < ? OR (created = ? AND rowid < ?))");
      args.push(after.created, after.created, after.id);
    };
    if (query.after) cursor(query.after);
    const limit = query.limit ?? 0;
    const column = query.withoutNodes ? "summary" : "object";
    const rows = this.db.prepare(
      `SELECT rowid AS id, uid, namespace, name, phase, created, updated, version, ${column} AS object ` +
        `FROM workflows ${where.length ? "WHERE " + where.join(" AND ") : ""} ` +
        "ORDER BY created DESC, rowid DESC LIMIT ?",
    ).all(...args, limit > 0 ? limit + 1 : -1) as Row[];
    const more = limit > 0 && rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const out: WorkflowPage<W> = {
      items: page.map((r) => query.withoutNodes ? toWorkflow<W>(r) : this.#toWorkflow<W>(r)),
    };
    if (more) {
      const last = page[page.length - 1]!;
      out.next = { created: String(last.created), id: Number(last.id) };
      if (query.countRemaining) {
        const rest = pageFilter(query);
        rest.where.push("(created < ? OR (created = ? AND rowid < ?))");
        rest.args.push(out.next.created, out.next.created, out.next.id);
        out.remaining = Number(
          (this.db.prepare(`SELECT COUNT(*) AS n FROM workflows WHERE ${rest.where.join(" AND ")}`).get(
            ...rest.args,
          ) as { n: number }).n,
        );
      }
    }
    return out;
  }

  /**
   * The uid, name, version and change number (`seq`, see store_changes.ts) of every workflow of
   * `query.namespace` (all namespaces when absent), each with whether it matches the rest of the
   * query, in one read and without reading objects: what a watch knows already when it starts from
   * a list.
   */
  workflowVersions(
    query: WorkflowPageQuery = {},
  ): { uid: string; name: string; version: number; seq: number; matches: boolean }[] {
    const { namespace, ...rest } = query;
    const { where, args } = pageFilter(rest);
    const matches = where.length > 0 ? where.join(" AND ") : "1";
    const scope = namespace === undefined ? "" : "WHERE namespace = ?";
    const rows = this.db.prepare(
      `SELECT uid, name, version, seq, CASE WHEN ${matches} THEN 1 ELSE 0 END AS matches FROM workflows ${scope}`,
    ).all(...args, ...(namespace === undefined ? [] : [namespace])) as Row[];
    return rows.map((r) => ({
      uid: String(r.uid),
      name: String(r.name),
      version: Number(r.version),
      seq: Number(r.seq),
      matches: Number(r.matches) === 1,
    }));
  }

  /** The number of the newest workflow write or deletion (a list's resourceVersion). */
  changeSeq(): number {
    return currentSeq(this.db);
  }

  /** The workflows of a namespace deleted after change number `since` (ChangesForgottenError if too old). */
  deletedSince(namespace: string, since: number): Tombstone[] {
    return tombstonesSince(this.db, namespace, since);
  }

  /**
   * Replaces a workflow's object (its status included). With `expectVersion`, fails with
   * ConflictError when someone else wrote it since.
   */
  updateWorkflow<W extends WorkflowObject>(
    uid: string,
    object: W,
    expectVersion?: number,
  ): StoredWorkflow<W> {
    const current = statement(
      this.db,
      "SELECT namespace, name, created, version FROM workflows WHERE uid = ?",
    )
      .get(uid) as { namespace: string; name: string; created: string; version: number } | undefined;
    if (!current) throw new NotFoundError(`workflow ${uid} does not exist`);
    if (expectVersion !== undefined && current.version !== expectVersion) {
      throw new ConflictError(
        `workflow ${uid} changed (version ${current.version}, expected ${expectVersion})`,
      );
    }
    const updated = this.#iso();
    const phase = object.status?.phase ?? "";
    const version = current.version + 1;
    const nodes = nodesOf(object);
    const change = this.#nodes.change(uid, current.version, nodes, phase);
    this.transaction(() => {
      if (change === undefined) {
        const columns = this.#columns(object);
        statement(
          this.db,
          "UPDATE workflows SET object = ?, labels = ?, summary = ?, phase = ?, updated = ?, version = version + 1, " +
            "seq = ? WHERE uid = ?",
        ).run(...columns, phase, updated, nextSeq(this.db), uid);
        this.#nodes.wroteWhole(uid, { version, nodes, phase, length: columns[0].length });
      } else {
        const [, labels, summary] = this.#columns(object, false);
        statement(
          this.db,
          "UPDATE workflows SET labels = ?, summary = ?, phase = ?, updated = ?, version = version + 1, " +
            "seq = ? WHERE uid = ?",
        ).run(labels, summary, phase, updated, nextSeq(this.db), uid);
        this.#nodes.storeChange(uid, version, nodes!, change);
      }
    });
    // What was written, without reading and parsing it back (the caller's object is the stored one).
    return {
      uid,
      namespace: String(current.namespace),
      name: String(current.name),
      phase,
      created: String(current.created),
      updated,
      version,
      object,
    };
  }

  /**
   * Removes a workflow with its observations, logs, events and actions, leaving a tombstone for
   * watches (store_changes.ts). True when it existed.
   */
  deleteWorkflow(namespace: string, name: string): boolean {
    return this.transaction(() => {
      const dead = statement(
        this.db,
        "DELETE FROM workflows WHERE namespace = ? AND name = ? RETURNING uid, phase, labels",
      ).get(namespace, name) as { uid: string; phase: string; labels: string | null } | undefined;
      if (!dead) return false;
      this.#nodes.forget(dead.uid);
      bury(this.db, { ...dead, namespace, name, seq: nextSeq(this.db) }, this.#now());
      return true;
    });
  }

  // ---- transitions

  /**
   * Writes a transition: the workflow's new object and the actions the host must now carry out, in
   * one transaction. Returns the recorded actions (with ids for `markActionDone`).
   */
  commitTransition<W extends WorkflowObject>(
    uid: string,
    object: W,
    actions: Action[],
    expectVersion?: number,
  ): { workflow: StoredWorkflow<W>; actions: StoredAction[] } {
    return this.transaction(() => {
      const workflow = this.updateWorkflow(uid, object, expectVersion);
      const created = this.#iso();
      const insert = statement(
        this.db,
        "INSERT INTO actions (workflow_uid, action, created) VALUES (?, ?, ?)",
      );
      const recorded = actions.map((action) => ({
        id: Number(insert.run(uid, JSON.stringify(action), created).lastInsertRowid),
        workflowUid: uid,
        action,
        created,
      }));
      return { workflow, actions: recorded };
    });
  }

  /** Actions recorded and not yet carried out, oldest first (all workflows, or one). */
  pendingActions(uid?: string): StoredAction[] {
    const rows =
      (uid === undefined
        ? statement(this.db, "SELECT * FROM actions WHERE done IS NULL ORDER BY id").all()
        : statement(this.db, "SELECT * FROM actions WHERE done IS NULL AND workflow_uid = ? ORDER BY id").all(
          uid,
        )) as Row[];
    return rows.map(toAction);
  }

  /** Records that an action was carried out. */
  markActionDone(id: number): void {
    statement(this.db, "UPDATE actions SET done = ? WHERE id = ?").run(this.#iso(), id);
  }

  /** Forgets carried-out actions of a workflow (they are history only). */
  pruneActions(uid: string): void {
    statement(this.db, "DELETE FROM actions WHERE workflow_uid = ? AND done IS NOT NULL").run(uid);
  }

  // ---- observations

  /** Records the latest observation of a node (replacing the previous one); returns the JSON written. */
  putObservation(uid: string, nodeId: string, observation: NodeObservation): string {
    const text = JSON.stringify(observation);
    this.putObservationText(uid, nodeId, text);
    return text;
  }

  /** Records the latest observation of a node, given as its JSON. */
  putObservationText(uid: string, nodeId: string, text: string): void {
    statement(
      this.db,
      "INSERT INTO observations (workflow_uid, node_id, observation, updated) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (workflow_uid, node_id) DO UPDATE SET observation = excluded.observation, updated = excluded.updated",
    ).run(uid, nodeId, text, this.#iso());
  }

  /** The latest observation of every node of a workflow. */
  observations(uid: string): Record<string, NodeObservation> {
    const out: Record<string, NodeObservation> = {};
    const rows = statement(
      this.db,
      "SELECT node_id, observation FROM observations WHERE workflow_uid = ? ORDER BY node_id",
    ).all(uid) as {
      node_id: string;
      observation: string;
    }[];
    for (const r of rows) out[r.node_id] = JSON.parse(r.observation) as NodeObservation;
    return out;
  }

  // ---- retries

  /**
   * Writes a retried workflow (`argo retry`): its new object, and the nodes it forgets (their
   * observations and logs deleted, their pending actions dropped, their attempt number raised so
   * the runtime runs them under new ids), in one transaction. Returns the stored workflow.
   */
  retryTransition<W extends WorkflowObject>(
    uid: string,
    object: W,
    forget: string[],
    expectVersion?: number,
  ): StoredWorkflow<W> {
    return this.transaction(() => {
      const workflow = this.updateWorkflow(uid, object, expectVersion);
      const gone = new Set(forget);
      const delObs = statement(this.db, "DELETE FROM observations WHERE workflow_uid = ? AND node_id = ?");
      const delLogs = statement(this.db, "DELETE FROM logs WHERE workflow_uid = ? AND node_id = ?");
      const bump = statement(
        this.db,
        "INSERT INTO node_attempts (workflow_uid, node_id, attempt, cleanup_pending) VALUES (?, ?, 1, 1) " +
          "ON CONFLICT (workflow_uid, node_id) DO UPDATE SET attempt = attempt + 1, cleanup_pending = 1",
      );
      for (const id of gone) {
        delObs.run(uid, id);
        delLogs.run(uid, id);
        bump.run(uid, id);
      }
      for (const a of this.pendingActions(uid)) {
        const id = a.action.type === "start"
          ? a.action.run.nodeId
          : a.action.type === "kill"
          ? a.action.nodeId
          : "";
        if (gone.has(id)) this.markActionDone(a.id);
      }
      return workflow;
    });
  }

  /** How often each retried node of a workflow was retried (nodes never retried are absent). */
  nodeAttempts(uid: string): Record<string, number> {
    const out: Record<string, number> = {};
    const rows = statement(this.db, "SELECT node_id, attempt FROM node_attempts WHERE workflow_uid = ?").all(
      uid,
    ) as { node_id: string; attempt: number }[];
    for (const r of rows) out[r.node_id] = Number(r.attempt);
    return out;
  }

  /** Retried nodes whose earlier attempts may still have files on this machine (all workflows, or one). */
  pendingAttemptCleanups(uid?: string): { workflowUid: string; nodeId: string; attempt: number }[] {
    const rows =
      (uid === undefined
        ? statement(this.db, "SELECT * FROM node_attempts WHERE cleanup_pending = 1").all()
        : statement(this.db, "SELECT * FROM node_attempts WHERE cleanup_pending = 1 AND workflow_uid = ?")
          .all(
            uid,
          )) as Row[];
    return rows.map((r) => ({
      workflowUid: String(r.workflow_uid),
      nodeId: String(r.node_id),
      attempt: Number(r.attempt),
    }));
  }

  /** Records that the attempts of a node before `attempt` are removed (unless it was retried again since). */
  markAttemptsCleaned(uid: string, nodeId: string, attempt: number): void {
    statement(
      this.db,
      "UPDATE node_attempts SET cleanup_pending = 0 WHERE workflow_uid = ? AND node_id = ? AND attempt = ?",
    ).run(uid, nodeId, attempt);
  }

  // ---- logs

  /** Appends text to a node's log. */
  appendLog(uid: string, nodeId: string, text: string): number {
    if (text === "") return 0;
    return Number(
      statement(this.db, "INSERT INTO logs (workflow_uid, node_id, time, text) VALUES (?, ?, ?, ?)").run(
        uid,
        nodeId,
        this.#iso(),
        text,
      )
        .lastInsertRowid,
    );
  }

  /** A node's log entries after `afterId` (for following), in order. */
  logEntries(uid: string, nodeId: string, afterId = 0): LogEntry[] {
    return statement(
      this.db,
      "SELECT id, time, text FROM logs WHERE workflow_uid = ? AND node_id = ? AND id > ? ORDER BY id",
    ).all(
      uid,
      nodeId,
      afterId,
    ) as unknown as LogEntry[];
  }

  /** A node's whole log as one text. */
  logText(uid: string, nodeId: string): string {
    return this.logEntries(uid, nodeId).map((e) => e.text).join("");
  }

  // ---- events

  addEvent(
    uid: string,
    e: { type?: "Normal" | "Warning"; reason: string; message: string; nodeId?: string },
  ): number {
    return Number(
      statement(
        this.db,
        "INSERT INTO events (workflow_uid, time, type, reason, message, node_id) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(
        uid,
        this.#iso(),
        e.type ?? "Normal",
        e.reason,
        e.message,
        e.nodeId ?? null,
      ).lastInsertRowid,
    );
  }

  events(uid: string, afterId = 0): WorkflowEvent[] {
    const rows = statement(this.db, "SELECT * FROM events WHERE workflow_uid = ? AND id > ? ORDER BY id").all(
      uid,
      afterId,
    ) as Row[];
    return rows.map((r) => {
      const e: WorkflowEvent = {
        id: Number(r.id),
        workflowUid: String(r.workflow_uid),
        time: String(r.time),
        type: r.type === "Warning" ? "Warning" : "Normal",
        reason: String(r.reason),
        message: String(r.message),
      };
      if (r.node_id !== null && r.node_id !== undefined) e.nodeId = String(r.node_id);
      return e;
    });
  }
}

const PHASE_LABEL = "workflows.argoproj.io/phase";
const COMPLETED_LABEL = "workflows.argoproj.io/completed";
const FINAL_PHASES_SQL = "('Succeeded', 'Failed', 'Error')";

/** The SQL value of label `key` of a workflow row (NULL when it has none), and its arguments. */
function labelValue(key: string): { sql: string; args: SQLInputValue[] } {
  const own = "(SELECT value FROM json_each(labels) WHERE key = ?)";
  if (key === PHASE_LABEL) {
    return { sql: `coalesce(${own}, CASE WHEN phase = '' THEN 'Pending' ELSE phase END)`, args: [key] };
  }
  if (key === COMPLETED_LABEL) {
    return {
      sql: `coalesce(${own}, CASE WHEN phase IN ${FINAL_PHASES_SQL} THEN 'true' ELSE 'false' END)`,
      args: [key],
    };
  }
  return { sql: own, args: [key] };
}

/** The WHERE terms of a query (everything but its cursor and limit). */
function pageFilter(query: WorkflowPageQuery): { where: string[]; args: SQLInputValue[] } {
  const where: string[] = [];
  const args: SQLInputValue[] = [];
  if (query.namespace !== undefined) {
    where.push("namespace = ?");
    args.push(query.namespace);
  }
  if (query.phases && query.phases.length > 0) {
    where.push(`phase IN (${query.phases.map(() => "?").join(", ")})`);
    args.push(...query.phases);
  }
  for (const f of query.fields ?? []) {
    const column = f.field === "metadata.name"
      ? "name"
      : f.field === "metadata.namespace"
      ? "namespace"
      : undefined;
    if (!column) throw new Error(`listWorkflowPage: unsupported field ${JSON.stringify(f.field)}`);
    where.push(`${column} ${f.op === "=" ? "=" : "!="} ?`);
    args.push(f.value);
  }
  for (const r of query.labels ?? []) {
    const v = labelValue(r.key);
    const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
    switch (r.op) {
      case "=":
        where.push(`${v.sql} = ?`);
        args.push(...v.args, r.value);
        break;
      case "!=":
        where.push(`(${v.sql} IS NULL OR ${v.sql} != ?)`);
        args.push(...v.args, ...v.args, r.value);
        break;
      case "in":
        where.push(`${v.sql} IN (${marks(r.values.length)})`);
        args.push(...v.args, ...r.values);
        break;
      case "notin":
        where.push(`(${v.sql} IS NULL OR ${v.sql} NOT IN (${marks(r.values.length)}))`);
        args.push(...v.args, ...v.args, ...r.values);
        break;
      case "exists":
        where.push(`${v.sql} IS NOT NULL`);
        args.push(...v.args);
        break;
      case "!exists":
        where.push(`${v.sql} IS NULL`);
        args.push(...v.args);
        break;
    }
  }
  return { where, args };
}

/**
 * Brings an older data directory's tables up to this schema. Schema 3 added the `labels` and
 * `summary` columns: the workflows table is rebuilt once, keeping every row and its row id and
 * filling the new columns from each object, as SQLite's documented procedure does (foreign keys
 * off, one transaction, checked after).
 */
function migrate(db: DatabaseSync): void {
  const hasSummary = () =>
    (db.prepare("SELECT name FROM pragma_table_xinfo('workflows')").all() as { name: string }[])
      .some((c) => c.name === "summary");
  if (!hasSummary()) {
    db.exec("PRAGMA foreign_keys = OFF");
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        if (!hasSummary()) { // another process may have migrated it meanwhile
          db.exec(workflowsTable("workflows_v3"));
          db.exec(
            "INSERT INTO workflows_v3 " +
              "(rowid, uid, namespace, name, phase, created, updated, version, object, labels, summary) " +
              "SELECT rowid, uid, namespace, name, phase, created, updated, version, object, " +
              "json_extract(object, '$.metadata.labels'), json_remove(object, '$.status.nodes') FROM workflows",
          );
          db.exec("DROP TABLE workflows");
          db.exec("ALTER TABLE workflows_v3 RENAME TO workflows");
          const broken = db.prepare("PRAGMA foreign_key_check").all();
          if (broken.length > 0) throw new Error(`foreign keys broken: ${JSON.stringify(broken)}`);
        }
        db.exec("COMMIT");
      } catch (e) {
        db.exec("ROLLBACK");
        throw new Error(
          `could not upgrade the workflows table to schema 3: ${e instanceof Error ? e.message : e}`,
        );
      }
    } finally {
      db.exec("PRAGMA foreign_keys = ON");
    }
  }
  db.exec(WORKFLOW_INDEXES);
  migrateChanges(db);
}

/** The nodes of an object's status, if it has a map of them. */
function nodesOf(object: WorkflowObject): Record<string, unknown> | undefined {
  const nodes = (object.status as { nodes?: unknown } | undefined)?.nodes;
  return typeof nodes === "object" && nodes !== null && !Array.isArray(nodes)
    ? nodes as Record<string, unknown>
    : undefined;
}

function toWorkflow<W extends WorkflowObject>(r: Row): StoredWorkflow<W> {
  return {
    uid: String(r.uid),
    namespace: String(r.namespace),
    name: String(r.name),
    phase: String(r.phase),
    created: String(r.created),
    updated: String(r.updated),
    version: Number(r.version),
    object: JSON.parse(String(r.object)) as W,
  };
}

function toAction(r: Row): StoredAction {
  const a: StoredAction = {
    id: Number(r.id),
    workflowUid: String(r.workflow_uid),
    action: JSON.parse(String(r.action)) as Action,
    created: String(r.created),
  };
  if (r.done !== null && r.done !== undefined) a.done = String(r.done);
  return a;
}
