/** How what a host saw of a pod shows on its node. */
import { equal } from "node:assert/strict";
import { reconcile } from "../../controller/engine/reconcile.ts";
import { onePod } from "./driver.ts";

Deno.test("a pending pod's reason is its node's message until the pod runs", () => {
  const workflow = onePod("wait");
  const first = reconcile({ workflow, observed: {}, now: "2024-01-01T00:00:00Z" });
  const reason = "waiting for a free slot: 8 steps run, at most 8 at once (--max-steps)";
  const pending = reconcile({
    workflow: { ...workflow, status: first.status },
    observed: { wait: { phase: "Pending", message: reason } },
    now: "2024-01-01T00:00:01Z",
  });
  equal(pending.status.nodes?.wait?.phase, "Pending");
  equal(pending.status.nodes?.wait?.message, reason);
  const running = reconcile({
    workflow: { ...workflow, status: pending.status },
    observed: { wait: { phase: "Running", startedAt: "2024-01-01T00:00:02Z" } },
    now: "2024-01-01T00:00:02Z",
  });
  equal(running.status.nodes?.wait?.phase, "Running");
  equal(running.status.nodes?.wait?.message, undefined);
});
