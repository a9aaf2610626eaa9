#!/usr/bin/env bash
# Installs (Debian, as root, when missing) and starts rootful Podman's API service on
# unix:///run/podman/podman.sock, and loads the fixture images from Docker into it; idempotent.
# The VM lacks CAP_SYS_RESOURCE and has hybrid cgroups v1, so Podman reads our containers.conf
# (runc, cgroupfs, file events, ulimits within the service's own limits) through CONTAINERS_CONF,
# and our registries.conf (the plain-HTTP test registry of registry.sh declared insecure) through
# CONTAINERS_REGISTRIES_CONF. Run Podman's CLI against the same setup with:
#   export CONTAINERS_CONF=/etc/sidekick/podman/containers.conf
#   export CONTAINERS_REGISTRIES_CONF=/etc/sidekick/podman/registries.conf
# Needs the fixture images in Docker (bash fixtures/build.sh); builds them when they are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_dir=/var/log/sidekick
conf_dir=/etc/sidekick/podman
socket=/run/podman/podman.sock
url=unix://$socket
images=(sidekick-fixture/target:latest sidekick-fixture/nosh:latest sidekick-fixture/proctitle:latest sidekick-fixture/nginx:latest sidekick-fixture/redis:latest sidekick-fixture/postgres:latest sidekick-fixture/dyntools:latest busybox:musl)
export CONTAINERS_CONF=$conf_dir/containers.conf
export CONTAINERS_REGISTRIES_CONF=$conf_dir/registries.conf
mkdir -p "$log_dir" "$conf_dir" /run/podman

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "podman: installing ${need[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Each file is written aside and moved in place only when it differs: the API service is
# restarted only when its configuration really changed.
config_changed=false
install_conf() { # file; the content on stdin
  cat >"$1.new"
  if cmp -s "$1.new" "$1"; then rm -f "$1.new"; else mv "$1.new" "$1"; config_changed=true; fi
}

# Soft and hard ulimits are equal on purpose: Podman 4.3's Docker-compatible create swaps the soft
# and hard values of default_ulimits (nofile=1024:4096 arrives as soft 4096 > hard 1024 and runc
# fails with EINVAL), while its own CLI applies them right. Limits above the service's own hard
# limits fail with EPERM (no CAP_SYS_RESOURCE), and Podman's default is 1048576.
install_conf "$CONTAINERS_CONF" <<'CONF'
# Written by sidekick's scripts/engines/podman.sh; rewritten on every run.
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
# No registry is reachable: never pull an image that exists locally.
pull_policy = "missing"
CONF
# Replaces /etc/containers/registries.conf for this service (its drop-ins in registries.conf.d
# still apply). Podman, unlike Docker, has no localhost exception: the test registry
# (scripts/engines/registry.sh, plain HTTP) must be declared insecure.
install_conf "$CONTAINERS_REGISTRIES_CONF" <<'CONF'
# Written by sidekick's scripts/engines/podman.sh; rewritten on every run.
[[registry]]
location = "127.0.0.1:5055"
insecure = true
CONF

podman_ping() { [ "$(curl -s --max-time 2 --unix-socket "$socket" http://d/_ping 2>/dev/null)" = OK ]; }
service_cmd=(podman system service --time=0 "$url")
our_pid() { pgrep -f -x "${service_cmd[*]}" | awk 'NR==1' || true; }

# A service started without our files (by an older version of this script) is restarted too.
uses_our_conf() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -xF "CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF" >/dev/null; }
pid=$(our_pid)
if [ -n "$pid" ] && { [ "$config_changed" = true ] || ! uses_our_conf "$pid"; }; then
  echo "podman: config changed, restarting the API service"
  kill "$pid"
  for _ in $(seq 1 50); do [ -z "$(our_pid)" ] && break; sleep 0.2; done
fi
if ! podman_ping; then
  if [ -z "$(our_pid)" ]; then
    rm -f "$socket"
    echo "podman: starting the API service (config: $CONTAINERS_CONF, log: $log_dir/podman-service.log)"
    # setsid: the service outlives this script's process group.
    (cd / && exec setsid nohup "${service_cmd[@]}" >>"$log_dir/podman-service.log" 2>&1 </dev/null) &
  fi
  for _ in $(seq 1 60); do podman_ping && break; sleep 0.5; done
  podman_ping || { echo "podman: the API service did not answer within 30 s; see $log_dir/podman-service.log" >&2; tail -20 "$log_dir/podman-service.log" >&2; exit 1; }
fi

# Fixture images, from the local Docker engine (never the one behind this socket).
[ "${DOCKER_HOST:-}" = "$url" ] && unset DOCKER_HOST
[ -f "$here/docker.sh" ] && bash "$here/docker.sh" >/dev/null
missing=()
for image in "${images[@]}"; do docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "podman: ${missing[*]} not in Docker, running fixtures/build.sh"
  bash "$here/../../fixtures/build.sh"
fi

# Docker's name for an image, fully qualified the way Docker resolves it (busybox:musl ->
# docker.io/library/busybox:musl). podman load names an image saved as NAME "localhost/NAME";
# Podman resolves short names to local images, but the qualified docker.io name only if tagged.
qualified() {
  local name=$1
  if [[ $name != */* ]]; then name=docker.io/library/$name
  else case "${name%%/*}" in *.*|*:*|localhost) ;; *) name=docker.io/$name ;; esac; fi
  echo "$name"
}
# Image IDs (config digests) are the same in Docker and Podman.
docker_ids=$(docker image inspect -f '{{.Id}}' "${images[@]}" | sed 's/^sha256://')
mapfile -t ids <<<"$docker_ids"
declare -A have=() # Podman's image name -> ID
while read -r name id; do have[$name]=${id#sha256:}; done < <(podman images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}')
for i in "${!images[@]}"; do
  image=${images[$i]} id=${ids[$i]}
  old=${have["localhost/$image"]:-}
  if [ "$old" != "$id" ]; then
    echo "podman: loading $image from Docker"
    docker save "$image" | podman load -q >/dev/null
  fi
  name=$(qualified "$image")
  [ "${have[$name]:-}" = "$id" ] || podman tag "$id" "$name"
  # The replaced version, once untagged, is removed (errors ignored: a container still uses it).
  if [ -n "$old" ] && [ "$old" != "$id" ] && [ -z "$(podman image inspect -f '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ]; then
    podman rmi "$old" >/dev/null 2>&1 || true
  fi
done
# The short names must resolve, locally, to the images Docker has.
resolved=$(podman image inspect -f '{{.Id}}' "${images[@]}")
[ "$resolved" = "$docker_ids" ] || { echo "podman: ${images[*]} resolve to other images than Docker's: $(echo $resolved)" >&2; exit 1; }
echo "podman: ready at $url"
