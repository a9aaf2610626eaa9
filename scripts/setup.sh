#!/usr/bin/env bash
# Sets up everything sidekick and its tests need on a fresh Debian machine (as root):
# Debian packages, npm dependencies, the build, the Docker engine and the fixture images.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io runc)
# the completion scripts are tested in the shells they are for
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build

bash scripts/engines/docker.sh
bash fixtures/build.sh
