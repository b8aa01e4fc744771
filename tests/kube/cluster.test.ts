/**
 * Everything that runs against the real API server (tier (a) of tests/cluster: etcd +
 * kube-apiserver built from source), in ONE file so that the tests that restart the API server do
 * not disturb others running at the same time. Skipped, saying why, when the binaries are not built.
 */
import { binDir, clusterSkipReason, installCrds, startCluster, type TestCluster } from "./cluster.ts";
import { defineDeployTests } from "./deploy_cases.ts";
import { defineExampleTests } from "./examples_cases.ts";
import { defineFeatureTests } from "./features_cases.ts";
import { defineNodeTests, nodeSkipReason } from "./node_cases.ts";
import { defineRbacTests } from "./rbac_cases.ts";
import { defineResilienceTests } from "./resilience_cases.ts";
import { defineScaleTests } from "./scale_cases.ts";

const skip = await clusterSkipReason();
if (skip) console.log(`cluster tests skipped: ${skip}`);

let started: Promise<TestCluster> | undefined;
const cluster = () => (started ??= startCluster().then(async (c) => {
  await installCrds(c);
  return c;
}));

defineDeployTests(cluster, skip);
defineExampleTests(cluster, skip);
defineFeatureTests(cluster, skip);
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
    if (started) await (await started).stop();
  },
});
