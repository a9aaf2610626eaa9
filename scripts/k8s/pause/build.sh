#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image locally (no registry is reachable here) and
# imports it into containerd's k8s.io namespace under the name containerd's CRI plugin
# expects (sandbox_image). No docker needed: the image is assembled as a docker-archive
# tarball (one layer holding a static /pause) that `ctr images import` reads.
#   usage: pause/build.sh [IMAGE_REF]     (default registry.k8s.io/pause:3.9)
#   env:   CONTAINERD_ADDRESS (default /run/containerd/containerd.sock)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ref="${1:-${SIDEKICK_PAUSE_IMAGE:-registry.k8s.io/pause:3.9}}"
address="${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}"
ctr=(ctr --address "$address" -n k8s.io)

# Captured, not piped into `grep -q`: under pipefail an early-exiting grep SIGPIPEs ctr at random.
has_image() { local names; names="$("${ctr[@]}" images ls -q 2>/dev/null || true)"; grep -xF "$ref" <<<"$names" >/dev/null; }

if has_image; then
  echo "pause: $ref already in containerd namespace k8s.io" >&2
  exit 0
fi

command -v gcc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/image"
gcc -static -Os -s -o "$work/rootfs/pause" "$here/pause.c"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
layer_sha="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
mkdir -p "$work/image/$layer_sha"
mv "$work/layer.tar" "$work/image/$layer_sha/layer.tar"
cat >"$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Entrypoint":["/pause"],"User":"65535:65535","WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"sidekick scripts/k8s/pause/build.sh"}]}
EOF
config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$work/image/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
  "$config_sha" "$ref" "$layer_sha" >"$work/image/manifest.json"
tar -C "$work/image" -cf "$work/pause.tar" .
"${ctr[@]}" images import "$work/pause.tar" >/dev/null
has_image || { echo "pause: import of $ref failed" >&2; exit 1; }
echo "pause: imported $ref into containerd namespace k8s.io" >&2
