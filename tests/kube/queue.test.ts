/** The controller's work queue: one entry per key, one reconcile per key at a time, wake-ups, retries. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { WorkQueue } from "../../controller/kube/queue.ts";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

Deno.test("queue: a key added many times while waiting is processed once", async () => {
  const seen: string[] = [];
  const q = new WorkQueue({ workers: 2, process: (k) => Promise.resolve(void seen.push(k)) });
  for (let i = 0; i < 5; i++) q.add("ns/a");
  q.add("ns/b");
  equal(q.length, 2);
  q.start();
  await q.idle();
  deepEqual(seen.sort(), ["ns/a", "ns/b"]);
  await q.stop();
});

Deno.test("queue: a key is never processed by two workers at once; added meanwhile, it runs once more after", async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  const gate = Promise.withResolvers<void>();
  const q = new WorkQueue({
    workers: 4,
    process: async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      if (runs === 1) await gate.promise;
      running--;
    },
  });
  q.start();
  q.add("ns/a");
  await tick(10);
  q.add("ns/a"); // while the first run waits
  q.add("ns/a");
  await tick(10);
  equal(runs, 1, "not started again while running");
  gate.resolve();
  await tick(20);
  await q.idle();
  equal(most, 1);
  equal(runs, 2, "once more for the adds made meanwhile (folded into one)");
  await q.stop();
});

Deno.test("queue: addAt keeps the earliest time and fires then", async () => {
  const seen: [string, number][] = [];
  const t0 = Date.now();
  const q = new WorkQueue({
    workers: 1,
    process: (k) => Promise.resolve(void seen.push([k, Date.now() - t0])),
  });
  q.start();
  q.addAt("ns/a", t0 + 300);
  q.addAt("ns/a", t0 + 60); // earlier wins
  q.addAt("ns/a", t0 + 500); // later is ignored
  equal(q.scheduledAt("ns/a"), t0 + 60);
  await tick(150);
  equal(seen.length, 1);
  ok(seen[0]![1] >= 55, `fired at ${seen[0]![1]} ms`);
  await tick(450);
  equal(seen.length, 1, "the later times were folded into the earliest");
  await q.stop();
});

Deno.test("queue: a failing key is retried with growing delays, and forgets its failures once it succeeds", async () => {
  const times: number[] = [];
  const errors: number[] = [];
  const q = new WorkQueue({
    workers: 1,
    backoffMs: { initial: 20, max: 1000 },
    process: () => {
      times.push(Date.now());
      return times.length < 4 ? Promise.reject(new Error("conflict")) : Promise.resolve();
    },
    onError: (_k, _e, ms) => errors.push(ms),
  });
  q.start();
  q.add("ns/a");
  await tick(400);
  equal(times.length, 4);
  deepEqual(errors, [20, 40, 80]);
  await q.stop();
});

Deno.test("queue: stop waits for the key being processed and drops the rest", async () => {
  let finished = false;
  const q = new WorkQueue({
    workers: 1,
    process: async (k) => {
      if (k === "ns/a") {
        await tick(50);
        finished = true;
      }
    },
  });
  q.start();
  q.add("ns/a");
  q.add("ns/b");
  q.addAfter("ns/c", 10_000);
  await tick(5);
  await q.stop();
  ok(finished);
  equal(q.length, 0);
  equal(q.delayed, 0);
});
