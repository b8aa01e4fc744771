#!/usr/bin/env bash
# Copies podman images into the test node's containerd (mode `node` must be running), since no
# registry can be pulled from: tests/cluster/import-image.sh localhost/skiff-test:latest ...
# Pods then use the image by that name; with a :latest tag set imagePullPolicy: IfNotPresent (or
# Never), else kubelet tries to pull it. Skips images containerd already has with the same ID.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
running containerd || { echo "import-image.sh: the node is not running (tests/cluster/start.sh node)" >&2; exit 1; }
PODMAN=(podman --cgroup-manager=cgroupfs)
for img in "$@"; do
  id="$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$img")"
  name="$("${PODMAN[@]}" image inspect --format '{{index .RepoTags 0}}' "$img")"
  mark="$CACHE/containerd/imported-$(echo "$name" | tr '/:' '__')"
  if [ "$(cat "$mark" 2>/dev/null)" = "$id" ] && has_image "$name"; then
    continue
  fi
  t0=$(date +%s.%N)
  "${PODMAN[@]}" save --format docker-archive "$img" | "${CTR[@]}" images import - >/dev/null
  echo "$id" >"$mark"
  echo "import-image.sh: $name imported in $(secs_since "$t0")s" >&2
done
