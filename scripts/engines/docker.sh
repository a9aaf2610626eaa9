#!/usr/bin/env bash
# Installs (Debian, as root, when missing) and starts dockerd; idempotent. Nothing is assumed running.
set -euo pipefail
log_dir=/var/log/sidekick
mkdir -p "$log_dir"

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker: installing docker.io (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io runc busybox-static >/dev/null
fi

docker_ping() { curl -sf --max-time 2 --unix-socket /var/run/docker.sock http://docker/_ping >/dev/null 2>&1; }

if ! docker_ping; then
  echo "docker: starting dockerd (log: $log_dir/dockerd.log)"
  rm -f /var/run/docker.pid
  (cd / && exec nohup dockerd >>"$log_dir/dockerd.log" 2>&1) &
  for _ in $(seq 1 60); do docker_ping && break; sleep 0.5; done
  docker_ping || { echo "docker: dockerd did not start; see $log_dir/dockerd.log" >&2; tail -20 "$log_dir/dockerd.log" >&2; exit 1; }
fi
echo "docker: ready at unix:///var/run/docker.sock"
