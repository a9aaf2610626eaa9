#!/usr/bin/env bash
# Installs (Debian, as root, when missing) and starts a standalone containerd on the default socket
# /run/containerd/containerd.sock, imports the fixture images into its "default" and "k8s.io"
# namespaces, and builds nerdctl from its source archive when the clone has ../shared; idempotent.
# This is not Docker's own containerd (/var/run/docker/containerd): both run side by side.
# The config also serves a kubelet (CRI plugin): runc v2, cgroupfs, restrict_oom_score_adj (the VM
# lacks CAP_SYS_RESOURCE), sandbox image registry.k8s.io/pause:3.9 (built and imported elsewhere).
# Needs dockerd and the fixture images first: bash scripts/engines/docker.sh && bash fixtures/build.sh
set -euo pipefail
log_dir=/var/log/sidekick
conf_dir=/etc/sidekick/containerd
socket=/run/containerd/containerd.sock
images=(sidekick-fixture/target:latest sidekick-fixture/nosh:latest sidekick-fixture/proctitle:latest sidekick-fixture/nginx:latest sidekick-fixture/redis:latest sidekick-fixture/postgres:latest sidekick-fixture/dyntools:latest sidekick-fixture/crash:latest busybox:musl)
namespaces=(default k8s.io)
mkdir -p "$log_dir" "$conf_dir"

need=()
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  echo "containerd: installing ${need[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cat >"$conf_dir/config.toml.new" <<'TOML'
# Written by sidekick's scripts/engines/containerd.sh; rewritten on every run.
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.9"
    # No CAP_SYS_RESOURCE here: never lower oom_score_adj below the daemon's own.
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
    # The local test registry (scripts/engines/registry.sh) speaks plain HTTP: the kubelet's pulls
    # from it are what sidekick shows as the node pulling the debugger's image.
    [plugins."io.containerd.grpc.v1.cri".registry.mirrors."127.0.0.1:5055"]
      endpoint = ["http://127.0.0.1:5055"]
TOML
config_changed=false
if ! cmp -s "$conf_dir/config.toml.new" "$conf_dir/config.toml"; then
  mv "$conf_dir/config.toml.new" "$conf_dir/config.toml"
  config_changed=true
else
  rm -f "$conf_dir/config.toml.new"
fi

ctr_ok() { timeout 5 ctr --address "$socket" version >/dev/null 2>&1; }
# Our containerd, told apart from Docker's by its --config argument.
our_pid() { pgrep -f -x "containerd --config $conf_dir/config.toml" | awk 'NR==1'; }

if [ "$config_changed" = true ] && [ -n "$(our_pid)" ]; then
  echo "containerd: config changed, restarting"
  kill "$(our_pid)"
  for _ in $(seq 1 50); do [ -z "$(our_pid)" ] && break; sleep 0.2; done
fi
if ! ctr_ok; then
  if [ -S "$socket" ] && [ -z "$(our_pid)" ]; then rm -f "$socket"; fi
  echo "containerd: starting (config: $conf_dir/config.toml, log: $log_dir/containerd.log)"
  (cd / && exec nohup containerd --config "$conf_dir/config.toml" >>"$log_dir/containerd.log" 2>&1 </dev/null) &
  for _ in $(seq 1 60); do ctr_ok && break; sleep 0.5; done
  ctr_ok || { echo "containerd: did not start; see $log_dir/containerd.log" >&2; tail -20 "$log_dir/containerd.log" >&2; exit 1; }
fi

# Fixture images: imported again only when Docker's image ID differs from the one recorded on import.
ref() { # docker name -> containerd name
  local name=$1
  if [[ $name != */* ]]; then name=docker.io/library/$name
  else case "${name%%/*}" in *.*|*:*|localhost) ;; *) name=docker.io/$name ;; esac; fi
  echo "$name"
}
for ns in "${namespaces[@]}"; do
  stale=()
  for image in "${images[@]}"; do
    id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) || { echo "containerd: $image is not in Docker; run: bash fixtures/build.sh" >&2; exit 1; }
    have=$(ctr --address "$socket" -n "$ns" images ls "name==$(ref "$image")" 2>/dev/null | awk 'NR > 1 { print $NF }')
    [[ ",$have," == *",io.sidekick.docker-id=$id,"* ]] || stale+=("$image")
  done
  if [ ${#stale[@]} -gt 0 ]; then
    echo "containerd: importing ${stale[*]} into namespace $ns"
    docker save "${stale[@]}" | ctr --address "$socket" -n "$ns" images import - >/dev/null
    for image in "${stale[@]}"; do
      ctr --address "$socket" -n "$ns" images label "$(ref "$image")" "io.sidekick.docker-id=$(docker image inspect -f '{{.Id}}' "$image")" >/dev/null
    done
  fi
done

# nerdctl: optional (sidekick reaches nerdctl's containers through containerd), built from its source
# archive beside the clone (the Go module proxy refuses nerdctl; v1.7.7 is the last line that supports
# Debian's containerd 1.6), cached by version. Its default bridge network takes the CNI plugins
# firewall and tuning, built at a pinned version into a plugin folder of nerdctl's own (Debian's
# other plugins linked beside them); the kubelet's /usr/lib/cni stays as Debian ships it.
cache_bin=${SIDEKICK_CACHE:-/var/cache/sidekick}/bin
nerdctl_version=v1.7.7
cni_version=v1.4.1
cni_dir=$cache_bin/nerdctl-cni-$cni_version
if nerdctl=$(bash "$(dirname "$0")/../third-party.sh" nerdctl-${nerdctl_version#v}.tar.gz ./cmd/nerdctl nerdctl-$nerdctl_version/nerdctl); then
  for plugin in firewall tuning; do
    [ -x "$cni_dir/$plugin" ] && continue
    echo "containerd: building the CNI plugin $plugin $cni_version for nerdctl"
    mkdir -p "$cni_dir"
    GOBIN=$cni_dir nice -n 10 go install "github.com/containernetworking/plugins/plugins/meta/$plugin@$cni_version" >>"$log_dir/nerdctl-cni-build.log" 2>&1 ||
      { echo "containerd: building the CNI plugin $plugin failed; see $log_dir/nerdctl-cni-build.log" >&2; exit 1; }
  done
  for plugin in /usr/lib/cni/*; do [ -e "$cni_dir/$(basename "$plugin")" ] || ln -s "$plugin" "$cni_dir/"; done
  ln -sfn "$nerdctl" /usr/local/bin/nerdctl
  # nerdctl's own CNI configs stay apart from /etc/cni/net.d, which the kubelet's CRI plugin reads.
  mkdir -p /etc/nerdctl /etc/sidekick/nerdctl/net.d
  marker='# written by sidekick scripts/engines/containerd.sh'
  if [ ! -f /etc/nerdctl/nerdctl.toml ] || grep -xF "$marker" /etc/nerdctl/nerdctl.toml >/dev/null; then
    printf '%s\n' "$marker" "address = \"unix://$socket\"" "cni_path = \"$cni_dir\"" \
      'cni_netconfpath = "/etc/sidekick/nerdctl/net.d"' >/etc/nerdctl/nerdctl.toml
  fi
  echo "containerd: nerdctl $nerdctl_version at $nerdctl (CNI plugins: $cni_dir)"
else
  [ $? -eq 3 ] || exit 1
  echo "containerd: no nerdctl here (its source archive is missing, see above); nerdctl:// works without it"
fi
# The contract tests' networks (test/helpers/cni-networks.ts) are bridges named skcnet*, set up by
# calling the CNI bridge plugin directly (nothing in /etc/cni/net.d). With br_netfilter on, traffic
# between two members crosses FORWARD, whose policy Docker sets to DROP: let it through, on one
# such bridge only (the k8s cluster script does the same for its own bridge).
test_net_rule=(FORWARD -i skcnet+ -o skcnet+ -m comment --comment sidekick-test-networks -j ACCEPT)
iptables -C "${test_net_rule[@]}" 2>/dev/null || iptables -I "${test_net_rule[@]}"
echo "containerd: ready at unix://$socket"
