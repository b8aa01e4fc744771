/**
 * Everything that runs against the real API server (tier (a) of tests/cluster: etcd +
 * kube-apiserver built from source), in ONE file so that the tests that restart the API server do
 * not disturb others running at the same time; then tier (b), a real node. Part of `deno task test`
 * whenever the binaries are built; otherwise ignored, with one line saying how to build them
 * (`bash tests/cluster/build.sh all`). SKIFF_TEST_CLUSTER=0 skips them.
 */
import {
  binDir,
  clusterSkipReason,
  installCrds,
  startCluster,
  type TestCluster,
  useOwnCluster,
} from "./cluster.ts";
import { defineCronTests } from "./cron_cases.ts";
import { defineDeployTests } from "./deploy_cases.ts";
import { defineExampleTests } from "./examples_cases.ts";
import { defineFeatureTests } from "./features_cases.ts";
import { defineNodeTests, nodeSkipReason, releaseNodeLock } from "./node_cases.ts";
import { defineRbacTests } from "./rbac_cases.ts";
import { defineResilienceTests } from "./resilience_cases.ts";
import { defineScaleTests } from "./scale_cases.ts";

const reason = await clusterSkipReason();
if (reason) console.log(`cluster tests skipped: ${reason}`);
// in each ignored test's name, only a pointer to that line
const skip = reason && "no test cluster: see the line 'cluster tests skipped' above";

let started: Promise<TestCluster> | undefined;
let told = false;
// A cluster that cannot start fails every test: the first with start.sh's message, the rest briefly.
const cluster = () =>
  (started ??= useOwnCluster().then(() => startCluster({ fresh: true })).then(async (c) => {
    await installCrds(c);
    return c;
  })).catch((e) => {
    if (told) throw new Error("the test cluster did not start: the first failed kube test says why");
    told = true;
    throw e;
  });

defineDeployTests(cluster, skip);
defineExampleTests(cluster, skip);
defineFeatureTests(cluster, skip);
defineCronTests(cluster, skip);
defineRbacTests(cluster, skip);
defineResilienceTests(cluster, skip);
defineScaleTests(cluster, skip);
// last: it turns the API server into a whole one-node cluster
const nodeSkip = skip ?? await nodeSkipReason(await binDir());
if (!skip && nodeSkip) console.log(`tier (b) (real node) tests skipped: ${nodeSkip}`);
defineNodeTests(cluster, nodeSkip);

Deno.test({
  name: "cluster: stop the test API server",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    try {
      if (started) await (await started).stop();
    } finally {
      releaseNodeLock();
    }
  },
});
