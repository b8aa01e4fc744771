#!/usr/bin/env bash
# Installs what the test cluster's node (tier b) needs from Debian: containerd, runc, the CNI plugins
# and busybox-static (for the busybox image made here). Idempotent: returns at once when they are
# installed. `start.sh node` installs them too when missing; CI installs them up front with this.
# Usage: bash tests/cluster/setup-node.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
if [ "$(id -u)" != "0" ]; then
  echo "setup-node: a node needs root (containerd, kubelet); the tier (b) tests will be skipped" >&2
  exit 0
fi
ensure_node_packages
echo "setup-node: containerd $(containerd --version | awk '{print $3}'), runc, CNI plugins and busybox-static installed"
