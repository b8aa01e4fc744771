#!/usr/bin/env bash
# kubectl (built from the same Kubernetes version) on the test cluster: tests/cluster/kubectl.sh get ns
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN="$("$HERE/build.sh" kubectl | tail -n1)" || exit 1
exec "$BIN/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"
