#!/usr/bin/env bash
# Builds the Kubernetes binaries (and etcd) that tests/cluster/start.sh runs, from Go sources,
# with the module in tests/cluster/build/ (k8s.io/kubernetes at the version pinned there, its staging
# modules replaced by the matching published v0.X.Y, etcd at the version Kubernetes requires).
#
# Everything is cached outside the checkout, under $SKIFF_CLUSTER_CACHE (default
# /var/cache/skiff-cluster):
#   gomod/           Go module cache (GOMODCACHE)
#   gobuild/         Go build cache (GOCACHE)
#   bin/<key>/       the binaries; <key> is a hash of build/go.mod, go.sum and pause/, so a
#                    version bump builds into a new folder and a warm run only checks files.
#   build-times.log  one line per binary built: seconds, and the Go build cache size before it
#
# Usage: tests/cluster/build.sh [NAME...]
#   NAME: etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet pause,
#         or the sets `apiserver` (etcd kube-apiserver kubectl, the default) and `all`.
#   (pause: the sandbox container's program, build/pause/, made into an image by start.sh)
# Prints the bin folder on its last line. Exits 0 at once when the binaries are there.
# Builds run under `nice -n 19` (override SKIFF_BUILD_NICE) with GOMAXPROCS=2 and -p 2
# (SKIFF_BUILD_P) so they take only idle CPU. The Go checksum database is not reachable here:
# GOSUMDB=off, the hashes in build/go.sum (made by `go mod tidy` from the proxy) pin the sources.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MOD="$HERE/build"
CACHE="${SKIFF_CLUSTER_CACHE:-/var/cache/skiff-cluster}"

export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/gomod}"
export GOCACHE="$CACHE/gobuild"
export GOSUMDB="${GOSUMDB:-off}"
export GOTOOLCHAIN=local
export GOMAXPROCS="${GOMAXPROCS:-2}"
export CGO_ENABLED=0
export GOFLAGS="-buildvcs=false"

names=()
for a in "${@:-apiserver}"; do
  case "$a" in
    apiserver) names+=(etcd kube-apiserver kubectl) ;;
    all) names+=(etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet pause) ;;
    etcd | kube-apiserver | kubectl | kube-controller-manager | kube-scheduler | kubelet | pause) names+=("$a") ;;
    *) echo "build.sh: unknown binary '$a'" >&2; exit 2 ;;
  esac
done

ver="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3} $1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2}' "$MOD/go.mod" | head -n1)"
[ -n "$ver" ] || { echo "build.sh: no k8s.io/kubernetes version in $MOD/go.mod" >&2; exit 1; }
key="$ver-$(cat "$MOD/go.mod" "$MOD/go.sum" "$MOD/pause/main.go" 2>/dev/null | sha256sum | cut -c1-12)"
BIN="$CACHE/bin/$key"

missing=()
for n in "${names[@]}"; do
  [ -x "$BIN/$n" ] || missing+=("$n")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not installed (Go >= $(awk '$1=="go"{print $2}' "$MOD/go.mod") needed)" >&2; exit 1; }
mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE"
exec 9>"$CACHE/build.lock"
flock 9 # two builds at once would only fight over 2 cores
missing=()
for n in "${names[@]}"; do
  [ -x "$BIN/$n" ] || missing+=("$n") # again: another build may have made them while we waited
done
NICE=(nice -n "${SKIFF_BUILD_NICE:-19}")
cd "$MOD"
if [ ! -s go.sum ]; then
  "${NICE[@]}" go mod tidy
fi

# The version stamps Kubernetes' own build (hack/lib/version.sh) sets, so that servers and kubectl
# report v1.X.Y instead of v0.0.0-master (kubectl and client-go warn on skew otherwise).
minor="${ver#v1.}"; minor="${minor%%.*}"
vpkgs=(k8s.io/component-base/version k8s.io/client-go/pkg/version)
ldflags="-s -w"
for p in "${vpkgs[@]}"; do
  ldflags+=" -X $p.gitVersion=$ver -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  ldflags+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
done

for n in "${missing[@]}"; do
  case "$n" in
    etcd) pkg=go.etcd.io/etcd/server/v3 ;;
    pause) pkg=./pause ;;
    *) pkg="k8s.io/kubernetes/cmd/$n" ;;
  esac
  warm="$(du -sm "$GOCACHE" 2>/dev/null | cut -f1)MB"
  echo "build.sh: building $n ($pkg, $ver) ..." >&2
  t0=$(date +%s.%N)
  "${NICE[@]}" go build -p "${SKIFF_BUILD_P:-2}" -trimpath -ldflags "$ldflags" -o "$BIN/$n.tmp" "$pkg"
  mv "$BIN/$n.tmp" "$BIN/$n"
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  echo "$(date -u +%FT%TZ) $key $n ${secs}s gocache-before=$warm" >>"$CACHE/build-times.log"
  echo "build.sh: built $n in ${secs}s" >&2
done
echo "$BIN"
