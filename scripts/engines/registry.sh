#!/usr/bin/env bash
# A local registry (go-containerregistry's in-memory one, built from its Go module, pinned, cached
# outside the clone) holding the toolkit, so the pull path (--pull missing|always, progress) is tested
# against a real registry although none outside this machine is reachable.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v0.20.6
port=5055
bin_dir=${SIDEKICK_CACHE:-/var/cache/sidekick}/bin/registry-$version
image=127.0.0.1:$port/sidekick/toolkit:pull-test
mkdir -p /var/log/sidekick

if [ ! -x "$bin_dir/registry" ]; then
  echo "registry: building go-containerregistry/cmd/registry@$version"
  GOBIN=$bin_dir go install "github.com/google/go-containerregistry/cmd/registry@$version"
fi

ping() { curl -sf --max-time 2 "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; }
if ! ping; then
  # in-memory: a restart empties it, so the toolkit is pushed again below
  (cd / && exec setsid nohup "$bin_dir/registry" -port "$port" >>/var/log/sidekick/registry.log 2>&1) &
  for _ in $(seq 1 50); do ping && break; sleep 0.1; done
  ping || { echo "registry: did not start; see /var/log/sidekick/registry.log" >&2; exit 1; }
fi

if ! curl -sf "http://127.0.0.1:$port/v2/sidekick/toolkit/manifests/pull-test" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null; then
  docker tag busybox:musl "$image"
  docker push -q "$image" >/dev/null
  docker rmi "$image" >/dev/null
fi
echo "registry: ready at 127.0.0.1:$port with $image"
