#!/usr/bin/env bash
# Installs podman (with runc) from Debian so the local runtime's podman tests and `--runtime podman`
# can run. Idempotent: returns at once when podman and runc are already installed.
# Usage: bash tests/images/setup-podman.sh
set -euo pipefail

if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1; then
  echo "setup-podman: podman $(podman --version | awk '{print $3}') and runc already installed"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "setup-podman: podman is not installed and this is not root; run: sudo apt-get install -y podman runc" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# uidmap/slirp4netns/fuse-overlayfs are podman's recommends; debootstrap builds the test image's rootfs.
apt-get install -y -qq --no-install-recommends podman runc conmon containernetworking-plugins \
  uidmap iptables catatonit debootstrap >/dev/null
echo "setup-podman: installed podman $(podman --version | awk '{print $3}')"
