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

# dockerd uses the containerd at this socket when the file exists, and otherwise starts its own. A
# socket left behind by a containerd that is gone (a reboot that kept /run) makes dockerd fail, so
# such a file is removed first.
system_containerd=/run/containerd/containerd.sock
remove_stale_containerd_socket() {
  [ -S "$system_containerd" ] || return 0
  if timeout 5 ctr --address "$system_containerd" version >/dev/null 2>&1; then return 0; fi
  echo "docker: removing stale $system_containerd (no containerd answers there)"
  rm -f "$system_containerd" "$system_containerd.ttrpc"
}

if ! docker_ping; then
  remove_stale_containerd_socket
  echo "docker: starting dockerd (log: $log_dir/dockerd.log)"
  rm -f /var/run/docker.pid
  (cd / && exec nohup dockerd >>"$log_dir/dockerd.log" 2>&1) &
  for _ in $(seq 1 60); do docker_ping && break; sleep 0.5; done
  docker_ping || { echo "docker: dockerd did not start; see $log_dir/dockerd.log" >&2; tail -20 "$log_dir/dockerd.log" >&2; exit 1; }
fi
echo "docker: ready at unix:///var/run/docker.sock"
