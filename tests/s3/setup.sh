#!/usr/bin/env bash
# Installs s3proxy (github.com/gaul/s3proxy, an S3 API server) from Maven Central for the tests of
# skiff's S3 artifact repository (tests/s3, tests/kube): its jar and dependencies are copied into
# /var/cache/skiff-s3/lib (outside the checkout), and run on the machine's Java 17. A no-op once
# cached. Prints the directory of jars as its last line.
# Usage: bash tests/s3/setup.sh
set -euo pipefail
VERSION=2.6.0
CACHE="${SKIFF_S3_CACHE:-/var/cache/skiff-s3}"
LIB="$CACHE/s3proxy-$VERSION"
if [ -f "$LIB/.complete" ]; then
  echo "$LIB"
  exit 0
fi
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
      break
    fi
    echo "s3 setup: $tool is missing (apt-get install openjdk-17-jre-headless maven)" >&2
    exit 1
  fi
done
mkdir -p "$CACHE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A one-dependency project: Maven resolves s3proxy's dependencies and copies them all beside it.
cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.skiff</groupId>
  <artifactId>s3proxy-deps</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.gaul</groupId><artifactId>s3proxy</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
POM
rm -rf "$LIB.tmp"
mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB.tmp" -DincludeScope=runtime
touch "$LIB.tmp/.complete"
rm -rf "$LIB"
mv "$LIB.tmp" "$LIB"
echo "$LIB"
