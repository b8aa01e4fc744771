/**
 * What the local host has decided and not written yet, per workflow: node observations, actions
 * carried out, and whether the workflow's status changed. The host writes them with its next
 * transition of that workflow, or at most {@link WRITE_DELAY_MS} later when no transition comes.
 *
 * Why: a step used to cost about seven commits (its Pending, Running and final observations, its
 * start action marked done, the Running status, then the transition that ends it and starts the
 * next). Each commit of the workflow writes its whole object, so on a workflow of a few hundred
 * nodes those writes were most of the host's work per step. Now a step that ends within the delay
 * costs one commit. Nothing that matters is lost with an unwritten change: the store never holds a
 * status derived from an observation it does not hold (they are written together), actions are
 * still written before they are carried out, a restarted host gets observations again from its
 * runtime (and carries out again an action not marked done, which runtimes treat as a no-op for a
 * node they started), and a status not written is worked out again from them.
 */
import type { NodeObservation } from "../engine/actions.ts";
import type { Workflow } from "../spec/types.ts";
import type { Store } from "./store.ts";

/** How long a change without actions may wait for the next transition before it is written alone. */
export const WRITE_DELAY_MS = 50;

interface Pending {
  observations: Map<string, string>;
  actionsDone: number[];
  /** The status last written, when the workflow's status changed since (for its events). */
  writtenStatus?: Workflow["status"] & object;
  timer?: ReturnType<typeof setTimeout>;
}

/** The unwritten changes of each workflow (by uid). */
export class PendingWrites {
  #byUid = new Map<string, Pending>();

  constructor(private readonly store: Store, private readonly flush: (uid: string) => void) {}

  /** Records a node's observation; returns it as the store will give it back (JSON, undefined fields dropped). */
  observation(uid: string, nodeId: string, observation: NodeObservation): NodeObservation {
    const text = JSON.stringify(observation);
    this.#of(uid).observations.set(nodeId, text);
    return JSON.parse(text) as NodeObservation;
  }

  /** Records that a stored action was carried out. */
  actionDone(uid: string, id: number): void {
    this.#of(uid).actionsDone.push(id);
  }

  /** Records that the workflow's status changed and is not written yet; `written` is the status last written. */
  statusChanged(uid: string, written: Workflow["status"] & object): void {
    this.#of(uid).writtenStatus ??= written;
  }

  /** Has the workflow a changed status not written yet? */
  hasStatus(uid: string): boolean {
    return this.#byUid.get(uid)?.writtenStatus !== undefined;
  }

  /** The status last written, when a newer one waits to be written. */
  writtenStatus(uid: string): (Workflow["status"] & object) | undefined {
    return this.#byUid.get(uid)?.writtenStatus;
  }

  /** Uids with something unwritten. */
  uids(): string[] {
    return [...this.#byUid.keys()];
  }

  /**
   * Writes the workflow's observations and carried-out actions; call it inside the transaction
   * that writes its status, and `written` once that committed.
   */
  writeTo(uid: string): void {
    const p = this.#byUid.get(uid);
    if (!p) return;
    for (const [nodeId, text] of p.observations) this.store.putObservationText(uid, nodeId, text);
    for (const id of p.actionsDone) this.store.markActionDone(id);
  }

  /** Forgets the workflow's changes (written, or to be worked out again), its status change included. */
  written(uid: string): void {
    clearTimeout(this.#byUid.get(uid)?.timer);
    this.#byUid.delete(uid);
  }

  /** Stops the timers (the host writes what is left itself). */
  stop(): void {
    for (const p of this.#byUid.values()) clearTimeout(p.timer);
  }

  #of(uid: string): Pending {
    let p = this.#byUid.get(uid);
    if (!p) {
      p = { observations: new Map(), actionsDone: [] };
      this.#byUid.set(uid, p);
      p.timer = setTimeout(() => this.flush(uid), WRITE_DELAY_MS);
    }
    return p;
  }
}
