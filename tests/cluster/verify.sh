#!/usr/bin/env bash
# Checks a started cluster with kubectl: namespaces, a CRD and a custom object, a Pod. In mode
# `node` the busybox Pod must reach Succeeded and its log must be readable (apiserver -> kubelet).
# Usage: tests/cluster/verify.sh [MODE]   (starts the cluster in MODE first; default apiserver)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="${1:-${SKIFF_CLUSTER_MODE:-apiserver}}"
KUBECONFIG="$("$HERE/start.sh" "$MODE" | tail -n1)"
export KUBECONFIG
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN="$(sed -n 's/^SKIFF_CLUSTER_BIN=//p' "$STATE/env")"
k() { "$BIN/kubectl" "$@"; }
step() { echo "--- $*" >&2; }

step "version"; k version
step "get ns"; k get ns
ns="skiff-verify-$$"
k create namespace "$ns" >/dev/null
trap 'k delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT

step "CRD"
k apply -f - <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.verify.skiff.dev}
spec:
  group: verify.skiff.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
YAML
k wait --for condition=Established --timeout=30s crd/widgets.verify.skiff.dev
k -n "$ns" apply -f - <<'YAML'
apiVersion: verify.skiff.dev/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
YAML
k -n "$ns" get widgets.verify.skiff.dev w1 -o jsonpath='{.spec.size}{"\n"}'

step "Pod"
k -n "$ns" apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: $BUSYBOX_IMAGE
    command: [sh, -c, 'echo hello from \$(hostname); ls /var/run/secrets/kubernetes.io/serviceaccount 2>/dev/null | head -n1']
YAML
if [ "$MODE" = node ]; then
  t0=$(date +%s.%N)
  k -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded --timeout=120s pod/hello
  echo "pod Succeeded $(secs_since "$t0")s after creation" >&2
  step "logs"; k -n "$ns" logs hello
else
  sleep 1
  k -n "$ns" get pod hello -o jsonpath='{.status.phase}{"\n"}'
fi
k -n "$ns" get pods -o wide
echo "verify: OK ($MODE)" >&2
