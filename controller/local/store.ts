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
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Action, NodeObservation } from "../engine/actions.ts";

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

/** Raised when a write finds a different version than the one it expects. */
export class ConflictError extends Error {}

/** Raised when a workflow to create already exists, or one to change does not. */
export class NotFoundError extends Error {}

/** 2: node_attempts (retried nodes run under new runtime ids; an older skiff would not know them). */
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workflows (
  uid TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  object TEXT NOT NULL,
  UNIQUE (namespace, name)
);
CREATE INDEX IF NOT EXISTS workflows_phase ON workflows (phase, created);
CREATE INDEX IF NOT EXISTS workflows_created ON workflows (created);
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
`;

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

  private constructor(readonly path: string, now?: () => Date) {
    this.db = new DatabaseSync(path);
    this.#now = now ?? (() => new Date());
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    );
    this.db.exec(SCHEMA);
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
      throw e;
    } finally {
      this.#depth = 0;
    }
  }

  #iso(): string {
    return this.#now().toISOString();
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
    try {
      this.db.prepare(
        "INSERT INTO workflows (uid, namespace, name, phase, created, updated, version, object) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
      ).run(uid, namespace, name, stored.status?.phase ?? "", created, this.#iso(), JSON.stringify(stored));
    } catch (e) {
      if (/UNIQUE constraint failed: workflows\.namespace/.test(String(e))) {
        throw new ConflictError(`workflow ${namespace}/${name} already exists`);
      }
      throw e;
    }
    return this.getWorkflowByUid<W>(uid)!;
  }

  getWorkflow<W extends WorkflowObject = WorkflowObject>(
    namespace: string,
    name: string,
  ): StoredWorkflow<W> | undefined {
    const row = this.db.prepare("SELECT * FROM workflows WHERE namespace = ? AND name = ?").get(
      namespace,
      name,
    ) as Row | undefined;
    return row ? toWorkflow<W>(row) : undefined;
  }

  getWorkflowByUid<W extends WorkflowObject = WorkflowObject>(uid: string): StoredWorkflow<W> | undefined {
    const row = this.db.prepare("SELECT * FROM workflows WHERE uid = ?").get(uid) as Row | undefined;
    return row ? toWorkflow<W>(row) : undefined;
  }

  /** Workflows, newest first; filtered by namespace and/or phase(s). */
  listWorkflows<W extends WorkflowObject = WorkflowObject>(
    opts: { namespace?: string; phases?: string[]; limit?: number; offset?: number } = {},
  ): StoredWorkflow<W>[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (opts.namespace !== undefined) {
      where.push("namespace = ?");
      args.push(opts.namespace);
    }
    if (opts.phases && opts.phases.length > 0) {
      where.push(`phase IN (${opts.phases.map(() => "?").join(", ")})`);
      args.push(...opts.phases);
    }
    const sql = `SELECT * FROM workflows ${
      where.length ? "WHERE " + where.join(" AND ") : ""
    } ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?`;
    args.push(opts.limit ?? -1, opts.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => toWorkflow<W>(r));
  }

  /** Workflows of a namespace whose label `key` is `value`, newest first. */
  listWorkflowsWithLabel<W extends WorkflowObject = WorkflowObject>(
    namespace: string,
    key: string,
    value: string,
  ): StoredWorkflow<W>[] {
    const rows = this.db.prepare(
      "SELECT * FROM workflows WHERE namespace = ? AND object -> '$.metadata.labels' ->> ? = ? " +
        "ORDER BY created DESC, rowid DESC",
    ).all(namespace, key, value) as Row[];
    return rows.map((r) => toWorkflow<W>(r));
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
    const current = this.db.prepare("SELECT version FROM workflows WHERE uid = ?").get(uid) as {
      version: number;
    } | undefined;
    if (!current) throw new NotFoundError(`workflow ${uid} does not exist`);
    if (expectVersion !== undefined && current.version !== expectVersion) {
      throw new ConflictError(
        `workflow ${uid} changed (version ${current.version}, expected ${expectVersion})`,
      );
    }
    this.db.prepare(
      "UPDATE workflows SET object = ?, phase = ?, updated = ?, version = version + 1 WHERE uid = ?",
    ).run(
      JSON.stringify(object),
      object.status?.phase ?? "",
      this.#iso(),
      uid,
    );
    return this.getWorkflowByUid<W>(uid)!;
  }

  /** Removes a workflow with its observations, logs, events and actions. True when it existed. */
  deleteWorkflow(namespace: string, name: string): boolean {
    return this.db.prepare("DELETE FROM workflows WHERE namespace = ? AND name = ?").run(namespace, name)
      .changes > 0;
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
      const insert = this.db.prepare("INSERT INTO actions (workflow_uid, action, created) VALUES (?, ?, ?)");
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
        ? this.db.prepare("SELECT * FROM actions WHERE done IS NULL ORDER BY id").all()
        : this.db.prepare("SELECT * FROM actions WHERE done IS NULL AND workflow_uid = ? ORDER BY id").all(
          uid,
        )) as Row[];
    return rows.map(toAction);
  }

  /** Records that an action was carried out. */
  markActionDone(id: number): void {
    this.db.prepare("UPDATE actions SET done = ? WHERE id = ?").run(this.#iso(), id);
  }

  /** Forgets carried-out actions of a workflow (they are history only). */
  pruneActions(uid: string): void {
    this.db.prepare("DELETE FROM actions WHERE workflow_uid = ? AND done IS NOT NULL").run(uid);
  }

  // ---- observations

  /** Records the latest observation of a node (replacing the previous one). */
  putObservation(uid: string, nodeId: string, observation: NodeObservation): void {
    this.db.prepare(
      "INSERT INTO observations (workflow_uid, node_id, observation, updated) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (workflow_uid, node_id) DO UPDATE SET observation = excluded.observation, updated = excluded.updated",
    ).run(uid, nodeId, JSON.stringify(observation), this.#iso());
  }

  /** The latest observation of every node of a workflow. */
  observations(uid: string): Record<string, NodeObservation> {
    const out: Record<string, NodeObservation> = {};
    const rows = this.db.prepare(
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
      const delObs = this.db.prepare("DELETE FROM observations WHERE workflow_uid = ? AND node_id = ?");
      const delLogs = this.db.prepare("DELETE FROM logs WHERE workflow_uid = ? AND node_id = ?");
      const bump = this.db.prepare(
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
    const rows = this.db.prepare("SELECT node_id, attempt FROM node_attempts WHERE workflow_uid = ?").all(
      uid,
    ) as { node_id: string; attempt: number }[];
    for (const r of rows) out[r.node_id] = Number(r.attempt);
    return out;
  }

  /** Retried nodes whose earlier attempts may still have files on this machine (all workflows, or one). */
  pendingAttemptCleanups(uid?: string): { workflowUid: string; nodeId: string; attempt: number }[] {
    const rows =
      (uid === undefined
        ? this.db.prepare("SELECT * FROM node_attempts WHERE cleanup_pending = 1").all()
        : this.db.prepare("SELECT * FROM node_attempts WHERE cleanup_pending = 1 AND workflow_uid = ?").all(
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
    this.db.prepare(
      "UPDATE node_attempts SET cleanup_pending = 0 WHERE workflow_uid = ? AND node_id = ? AND attempt = ?",
    ).run(uid, nodeId, attempt);
  }

  // ---- logs

  /** Appends text to a node's log. */
  appendLog(uid: string, nodeId: string, text: string): number {
    if (text === "") return 0;
    return Number(
      this.db.prepare("INSERT INTO logs (workflow_uid, node_id, time, text) VALUES (?, ?, ?, ?)").run(
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
    return this.db.prepare(
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
      this.db.prepare(
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
    const rows = this.db.prepare("SELECT * FROM events WHERE workflow_uid = ? AND id > ? ORDER BY id").all(
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
