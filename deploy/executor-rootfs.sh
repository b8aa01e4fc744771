#!/bin/sh
# Builds the executor image's file tree into OUT (used by Dockerfile.executor, and by the cluster
# tests, which import it into containerd without docker):
#   OUT/skiff/bin/deno, OUT/skiff/lib/ (glibc's loader as ld.so and the libraries deno links), OUT/skiff/executor.js,
#   OUT/skiff/agent.js (the pod agent), OUT/tmp
# Usage: deploy/executor-rootfs.sh OUT   (run from the repository root; DENO: the deno to copy)
set -eu
OUT="${1:?usage: executor-rootfs.sh OUT}"
DENO="${DENO:-$(command -v deno)}"
mkdir -p "$OUT/skiff/bin" "$OUT/skiff/lib" "$OUT/tmp"
chmod 1777 "$OUT/tmp"
cp "$DENO" "$OUT/skiff/bin/deno"
for lib in $(ldd "$DENO" | grep -o '/[^ ]*'); do cp -L "$lib" "$OUT/skiff/lib/"; done
# the dynamic loader also under a name that does not depend on the architecture
loader="$(ldd "$DENO" | grep -o '/[^ ]*ld-linux[^ ]*' | head -n1)"
cp -L "$loader" "$OUT/skiff/lib/ld.so"
"$DENO" bundle --quiet -o "$OUT/skiff/executor.js" executor/main.ts
"$DENO" bundle --quiet -o "$OUT/skiff/agent.js" controller/kube/agent.ts
