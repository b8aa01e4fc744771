#!/usr/bin/env bash
# Stops the cluster that tests/cluster/start.sh started (only the processes whose pid files it wrote).
#   tests/cluster/stop.sh           stop; etcd data, certificates and images are kept (next start: ~2 s)
#   tests/cluster/stop.sh --clean   also remove the state folder ($SKIFF_CLUSTER_STATE): etcd data,
#                                   certificates, logs (binaries, Go caches and images stay cached)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN="$(sed -n 's/^SKIFF_CLUSTER_BIN=//p' "$STATE/env" 2>/dev/null || true)"
mkdir -p "$STATE"
exec 8>"$STATE/start.lock"
flock -w 900 8
stop_node
for c in kube-scheduler kube-controller-manager kube-apiserver etcd; do
  stop_comp "$c"
done
rm -f "$STATE/mode"
if [ "${1:-}" = "--clean" ]; then
  umount_under "$STATE"
  rm -rf "$STATE"
  echo "stop.sh: stopped; removed $STATE" >&2
else
  echo "stop.sh: stopped" >&2
fi
