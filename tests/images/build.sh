#!/usr/bin/env bash
# Builds the local test image `localhost/skiff-test:latest` that the podman runtime's tests (and the
# default image map of `skiff run --runtime podman` on a machine without a registry) use in place of
# docker/whalesay, python:alpine, node, busybox, alpine, ...
#
# No image can be pulled here, so the rootfs is made from Debian packages with debootstrap
# (--variant=minbase, from the mirror apt is configured with) and brought in with `podman import`.
# Contents: sh and coreutils, busybox, python3 (with its standard library), nodejs, cowsay (on PATH,
# as in docker/whalesay).
#
# Cached: does nothing when the image exists (set SKIFF_TEST_IMAGE_REBUILD=1 to rebuild).
# Usage: bash tests/images/build.sh        (needs root and podman: see tests/images/setup-podman.sh)
set -euo pipefail

IMAGE="${SKIFF_TEST_IMAGE:-localhost/skiff-test:latest}"
# What goes into the image; change it and the image is rebuilt (its label records the list).
PACKAGES="busybox,python3,nodejs,cowsay"
RECIPE="debootstrap-minbase:$PACKAGES:v2"
PODMAN=(podman)

if [ "${SKIFF_TEST_IMAGE_REBUILD:-}" != "1" ] && "${PODMAN[@]}" image exists "$IMAGE" 2>/dev/null; then
  have="$("${PODMAN[@]}" image inspect --format '{{index .Labels "skiff.recipe"}}' "$IMAGE" 2>/dev/null || true)"
  if [ "$have" = "$RECIPE" ]; then
    echo "build-image: $IMAGE already exists"
    exit 0
  fi
  echo "build-image: $IMAGE was built from another recipe (${have:-none}); rebuilding"
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

# The Debian mirror and suite apt is configured with (deb822 or one-line format), else deb.debian.org.
MIRROR="" SUITE=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  MIRROR="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  SUITE="$(awk '/^Suites:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
if [ -z "$MIRROR" ] && [ -f /etc/apt/sources.list ]; then
  read -r MIRROR SUITE < <(awk '$1 == "deb" && $0 !~ /security/ {print $2, $3; exit}' /etc/apt/sources.list) || true
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SUITE="${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"

WORK="$(mktemp -d /var/tmp/skiff-image.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"

echo "build-image: debootstrap $SUITE from $MIRROR (a few minutes the first time)"
debootstrap --variant=minbase --include="$PACKAGES" \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -30 "$WORK/debootstrap.log" >&2
  echo "build-image: debootstrap failed (log above)" >&2
  exit 1
}

# Slim it: the package caches, docs and locales are not needed to run steps.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*
# `python` as well as `python3`, as python images have it.
[ -e "$ROOTFS/usr/bin/python" ] || ln -s python3 "$ROOTFS/usr/bin/python"

# Check what the tests rely on before importing.
for check in "true" "busybox true" "python3 -c 'import http.server, json, random'" "node -e 0" "cowsay hi"; do
  chroot "$ROOTFS" /usr/bin/env PATH=/usr/local/bin:/usr/bin:/bin:/usr/games /bin/sh -c "$check" >/dev/null || {
    echo "build-image: '$check' does not run in the rootfs" >&2
    exit 1
  }
done

tar -C "$ROOTFS" -c . | "${PODMAN[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games' \
  --change 'CMD ["/bin/sh"]' \
  --change "LABEL skiff.recipe=$RECIPE" \
  - "$IMAGE" >"$WORK/import.log" 2>&1 || {
  cat "$WORK/import.log" >&2
  echo "build-image: podman import failed" >&2
  exit 1
}
# The previous build of the image, if any, is now unnamed.
"${PODMAN[@]}" image prune -f >/dev/null 2>&1 || true
echo "build-image: built $IMAGE ($("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE") bytes)"
