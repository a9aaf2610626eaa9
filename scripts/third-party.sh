#!/usr/bin/env bash
# Builds a peer program (not part of sidekick) from its Go source archive into the cache outside the
# clone, once per version, and prints the binary's path. The archives sit beside the clone, in
# ../shared/third_party/ (SIDEKICK_THIRD_PARTY names another folder); their README says why they are
# not fetched from the Go module proxy, which still serves their dependencies.
#
#   bash scripts/third-party.sh ARCHIVE PACKAGE CACHED_BINARY
#   bash scripts/third-party.sh cdebug-fdfdf9a.tar.gz . cdebug-fdfdf9a/cdebug
#
# CACHED_BINARY is relative to ${SIDEKICK_CACHE:-/var/cache/sidekick}/bin. Exit 3: the archive or Go
# is missing here (nothing to build from); exit 1: the build failed (its log is named).
# `--where ARCHIVE [CACHED_BINARY]` prints the archive's path, or the binary already built from it,
# and exits 0 if either is there, 3 if not, without building.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SIDEKICK_THIRD_PARTY:-$root/../shared/third_party}
if [ "${1:-}" = --where ]; then
  [ -f "$dir/$2" ] && { echo "$dir/$2"; exit 0; }
  # a clone elsewhere (no ../shared) on a machine that built it once: the setup uses that binary
  [ -n "${3:-}" ] && [ -x "${SIDEKICK_CACHE:-/var/cache/sidekick}/bin/$3" ] && { echo "${SIDEKICK_CACHE:-/var/cache/sidekick}/bin/$3"; exit 0; }
  exit 3
fi
archive=$dir/$1 package=$2
out=${SIDEKICK_CACHE:-/var/cache/sidekick}/bin/$3
log_dir=/var/log/sidekick

if [ -x "$out" ]; then echo "$out"; exit 0; fi
[ -f "$archive" ] || { echo "no $archive (a clone without ../shared; SIDEKICK_THIRD_PARTY names the folder that holds it)" >&2; exit 3; }
command -v go >/dev/null 2>&1 || { echo "no Go toolchain here to build $archive" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
# the archive holds one folder, named like the archive
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | awk 'NR==1')
mkdir -p "$log_dir" "$(dirname "$out")"
log=$log_dir/$(basename "$archive" .tar.gz)-build.log
echo "building $(basename "$archive") (Go, a few minutes on 2 cores; log: $log)" >&2
# nice: the machine is shared; -buildvcs=false: the unpacked copy is no git checkout
if ! (cd "$src" && GOFLAGS=-buildvcs=false nice -n 10 go build -o "$work/bin" "$package") >"$log" 2>&1; then
  echo "building $(basename "$archive") failed; see $log" >&2
  exit 1
fi
# moved into place whole: a concurrent run never sees half a binary
mv "$work/bin" "$out.tmp.$$" && mv "$out.tmp.$$" "$out"
echo "$out"
