#!/usr/bin/env bash
# A real single-node Kubernetes cluster for sidekick's integration tests, on this machine:
# etcd (Debian's etcd-server), kube-apiserver, kube-controller-manager, kube-scheduler and a
# kubelet on containerd's CRI (unix:///run/containerd/containerd.sock), with a bridge CNI
# (Debian's containernetworking-plugins) so pods get their own IPs.
#
#   cluster.sh up              build/reuse the binaries, start everything, wait for node Ready
#   cluster.sh down            stop what `up` started, remove the pods' containers, restore sysctls
#   cluster.sh status          what runs; exit 0 only when the node is Ready
#   cluster.sh env             shell lines to eval: KUBECONFIG, node name, binaries...
#   cluster.sh import IMAGE..  copy images from docker into containerd's k8s.io namespace
#
# State: /var/lib/sidekick/k8s (pki/, kubeconfigs, *.pid), etcd data /var/lib/sidekick/etcd,
# kubelet root /var/lib/sidekick/kubelet, logs /var/log/sidekick/*.log. Every `up` starts
# from an empty etcd (set SIDEKICK_K8S_KEEP_DATA=1 to keep it); the PKI is made once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

state=/var/lib/sidekick/k8s
pki=$state/pki
etcd_dir=/var/lib/sidekick/etcd
kubelet_dir=/var/lib/sidekick/kubelet
cni_data=/var/lib/sidekick/cni
log_dir=/var/log/sidekick
node_name="${SIDEKICK_K8S_NODE:-sidekick-node}"
containerd_sock="${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}"
cni_conf_dir="${SIDEKICK_CNI_CONF_DIR:-/etc/cni/net.d}"
cni_conf="$cni_conf_dir/10-sidekick-k8s.conflist"
pod_cidr=10.244.0.0/24
bridge=sidekick-k8s0
service_cidr=10.96.0.0/16
service_ip=10.96.0.1
etcd_client=127.0.0.1:23790
etcd_peer=127.0.0.1:23800
pause_image="${SIDEKICK_PAUSE_IMAGE:-registry.k8s.io/pause:3.9}"
admin_kubeconfig=$state/admin.kubeconfig
# The sysctls kubelet sets at start (protectKernelDefaults=false); `up` saves them, `down`
# restores them. The bridge CNI plugin may turn on ip_forward.
sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward)
components=(kubelet kube-scheduler kube-controller-manager kube-apiserver etcd)

say() { echo "k8s: $*" >&2; }
die() { echo "k8s: $*" >&2; exit 1; }

version() { awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/go.mod"; }
bin_dir() { echo "${SIDEKICK_CACHE:-${SIDEKICK_K8S_CACHE:-/var/cache/sidekick}}/k8s-$(version)/bin"; }

node_ip() {
  if [[ -n "${SIDEKICK_K8S_NODE_IP:-}" ]]; then echo "$SIDEKICK_K8S_NODE_IP"; return; fi
  local ip
  ip="$(ip -4 -o addr show dev eth0 scope global 2>/dev/null | awk '!done {split($4,a,"/"); print a[1]; done=1}' || true)"
  if [[ -z "$ip" ]]; then # no eth0: the address of the default route's device
    local dev; dev="$(ip -4 route show default | awk '!done {for(i=1;i<=NF;i++) if($i=="dev" && !done){print $(i+1); done=1}}')"
    [[ -n "$dev" ]] && ip="$(ip -4 -o addr show dev "$dev" scope global | awk '!done {split($4,a,"/"); print a[1]; done=1}')"
  fi
  [[ -n "$ip" ]] || die "no non-loopback IPv4 address found (kubelet refuses a loopback node IP); set SIDEKICK_K8S_NODE_IP"
  echo "$ip"
}

pid_alive() { [[ -f "$state/$1.pid" ]] && running "$(cat "$state/$1.pid")"; }

start_bg() { # name binary args...
  local name=$1; shift
  # from /, so nothing a daemon writes to its working directory lands in the clone
  (cd / && exec setsid "$@" >"$log_dir/$name.log" 2>&1 </dev/null) &
  echo $! >"$state/$name.pid"
}

wait_for() { # seconds description command...
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

fail_with_log() { # name message
  say "$2; last lines of $log_dir/$1.log:"
  tail -25 "$log_dir/$1.log" >&2 || true
  exit 1
}

# ---------------------------------------------------------------- certificates

cert() { # name CN O [serving SANs]
  local name=$1 cn=$2 o=$3 sans=${4:-}
  local ext="$pki/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$sans" ]]; then
      echo "extendedKeyUsage=serverAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  local subj="/CN=$cn"; [[ -n "$o" ]] && subj="/O=$o$subj"
  openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

ensure_pki() {
  local ip=$1
  mkdir -p "$pki"; chmod 700 "$pki"
  if [[ ! -f "$pki/ca.crt" ]]; then
    say "generating certificates in $pki"
    openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=sidekick-k8s-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$pki/ca.crt" 2>/dev/null
    openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
    cert admin sidekick-admin system:masters
    cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
    cert kube-controller-manager system:kube-controller-manager ""
    cert kube-scheduler system:kube-scheduler ""
    rm -f "$pki/node-ip"
  fi
  # The node's address may differ on another machine: re-issue what names it.
  if [[ "$(cat "$pki/node-ip" 2>/dev/null)" != "$ip|$node_name" ]]; then
    cert apiserver kube-apiserver "" \
      "IP:$ip,IP:127.0.0.1,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$(hostname)"
    cert kubelet-client "system:node:$node_name" system:nodes
    cert kubelet-serving "$node_name" "" "IP:$ip,DNS:$node_name,DNS:$(hostname)"
    echo "$ip|$node_name" >"$pki/node-ip"
  fi
}

kubeconfig() { # file user-cert-name server
  local file=$1 name=$2 server=$3 kubectl
  kubectl="$(bin_dir)/kubectl"
  rm -f "$file"
  "$kubectl" config --kubeconfig="$file" set-cluster sidekick --server="$server" \
    --certificate-authority="$pki/ca.crt" --embed-certs=true >/dev/null
  "$kubectl" config --kubeconfig="$file" set-credentials "$name" \
    --client-certificate="$pki/$name.crt" --client-key="$pki/$name.key" --embed-certs=true >/dev/null
  "$kubectl" config --kubeconfig="$file" set-context sidekick --cluster=sidekick --user="$name" >/dev/null
  "$kubectl" config --kubeconfig="$file" use-context sidekick >/dev/null
  chmod 600 "$file"
}

# ---------------------------------------------------------------- prerequisites

ensure_packages() {
  local missing=()
  command -v etcd >/dev/null || missing+=(etcd-server)
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || missing+=(containernetworking-plugins)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # containerd's CRI looks for CNI plugins in its bin_dir (Debian default /usr/lib/cni;
  # containerd's built-in default /opt/cni/bin): make both work.
  if [[ ! -e /opt/cni/bin/bridge ]]; then
    mkdir -p /opt/cni/bin
    local p; for p in bridge host-local loopback portmap; do ln -sf "/usr/lib/cni/$p" "/opt/cni/bin/$p"; done
  fi
}

containerd_ok() { ctr --address "$containerd_sock" version >/dev/null 2>&1; }

ensure_containerd() {
  if ! containerd_ok; then
    if [[ -f "$repo/scripts/engines/containerd.sh" ]]; then
      bash "$repo/scripts/engines/containerd.sh" >&2
    fi
    containerd_ok || die "containerd is not answering on $containerd_sock (start it with scripts/engines/containerd.sh: CRI plugin, restrict_oom_score_adj = true, runc v2, cgroupfs, sandbox_image = \"$pause_image\")"
  fi
  CONTAINERD_ADDRESS="$containerd_sock" bash "$here/pause/build.sh" "$pause_image"
}

write_cni_conf() {
  mkdir -p "$cni_conf_dir" "$cni_data"
  cat >"$cni_conf" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "sidekick-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$pod_cidr"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$cni_data"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

# Docker's FORWARD policy is DROP; with br_netfilter on, pod-to-pod traffic over the bridge
# passes FORWARD. Allow it (on the bridge only), and drop the rule again on `down`.
fw_rule=(FORWARD -i "$bridge" -o "$bridge" -m comment --comment sidekick-k8s -j ACCEPT)
fw_add() { iptables -C "${fw_rule[@]}" 2>/dev/null || iptables -I "${fw_rule[@]}" 2>/dev/null || true; }
fw_del() { while iptables -D "${fw_rule[@]}" 2>/dev/null; do :; done; }

save_sysctls() {
  [[ -f "$state/sysctl.saved" ]] && return 0 # a previous `up` without `down`: keep the originals
  local k
  for k in "${sysctls[@]}"; do
    [[ -e "/proc/sys/${k//.//}" ]] && echo "$k=$(cat "/proc/sys/${k//.//}")"
  done >"$state/sysctl.saved.tmp"
  mv "$state/sysctl.saved.tmp" "$state/sysctl.saved"
}

restore_sysctls() {
  [[ -f "$state/sysctl.saved" ]] || return 0
  local line k v
  while IFS= read -r line; do
    k=${line%%=*}; v=${line#*=}
    [[ "$(cat "/proc/sys/${k//.//}" 2>/dev/null)" == "$v" ]] || echo "$v" >"/proc/sys/${k//.//}" 2>/dev/null ||
      say "could not restore $k=$v"
  done <"$state/sysctl.saved"
  rm -f "$state/sysctl.saved"
}

# ---------------------------------------------------------------- up

kubectl_admin() { "$(bin_dir)/kubectl" --kubeconfig="$admin_kubeconfig" "$@"; }

node_ready() {
  [[ "$(kubectl_admin get node "$node_name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

apiserver_ready() {
  curl -sf --max-time 2 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://$1:6443/readyz" >/dev/null
}

cmd_up() {
  local t0=$SECONDS ip bin
  mkdir -p "$state" "$log_dir"
  if pid_alive kube-apiserver && pid_alive kubelet && node_ready; then
    say "already up (node $node_name Ready)"
    return 0
  fi
  # Anything left from a half-started cluster goes first.
  local c; for c in "${components[@]}"; do pid_alive "$c" && { cmd_down; break; }; done

  ensure_packages
  bin="$(bash "$here/build.sh")"
  ip="$(node_ip)"
  ensure_pki "$ip"
  ensure_containerd
  write_cni_conf
  fw_add
  local server="https://$ip:6443"
  kubeconfig "$admin_kubeconfig" admin "$server"
  kubeconfig "$state/kube-controller-manager.kubeconfig" kube-controller-manager "$server"
  kubeconfig "$state/kube-scheduler.kubeconfig" kube-scheduler "$server"
  kubeconfig "$state/kubelet.kubeconfig" kubelet-client "$server"
  local t1=$SECONDS

  # etcd
  if [[ "${SIDEKICK_K8S_KEEP_DATA:-}" != 1 ]]; then rm -rf "$etcd_dir"; fi
  mkdir -p "$etcd_dir"; chmod 700 "$etcd_dir"
  start_bg etcd etcd --name sidekick --data-dir "$etcd_dir" \
    --listen-client-urls "http://$etcd_client" --advertise-client-urls "http://$etcd_client" \
    --listen-peer-urls "http://$etcd_peer" --initial-advertise-peer-urls "http://$etcd_peer" \
    --initial-cluster "sidekick=http://$etcd_peer" --initial-cluster-state new \
    --listen-metrics-urls "" --snapshot-count 10000
  wait_for 30 etcd curl -sf --max-time 1 "http://$etcd_client/health" || fail_with_log etcd "etcd did not become healthy"

  # kube-apiserver
  start_bg kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers="http://$etcd_client" \
    --bind-address="$ip" --advertise-address="$ip" --secure-port=6443 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction,PodSecurity \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" \
    --api-audiences=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range="$service_cidr" \
    --allow-privileged=true \
    --profiling=false \
    --event-ttl=15m
  wait_for 60 apiserver apiserver_ready "$ip" || fail_with_log kube-apiserver "kube-apiserver did not become ready"
  local t2=$SECONDS

  start_bg kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig="$state/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$state/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$state/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$pki/sa.key" \
    --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --service-cluster-ip-range="$service_cidr" \
    --allocate-node-cidrs=false \
    --profiling=false
  start_bg kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig="$state/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$state/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$state/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 \
    --leader-elect=false \
    --profiling=false

  # kubelet
  save_sysctls
  remove_pods # a previous cluster that was never taken down
  cleanup_kubelet_dir
  remove_cgroups
  mkdir -p "$kubelet_dir"
  cat >"$state/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: "$ip"
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$pki/ca.crt"}
authorization:
  mode: Webhook
tlsCertFile: "$pki/kubelet-serving.crt"
tlsPrivateKeyFile: "$pki/kubelet-serving.key"
cgroupDriver: cgroupfs
containerRuntimeEndpoint: "unix://$containerd_sock"
failSwapOn: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
registerNode: true
serializeImagePulls: false
# Images cannot be pulled here: never garbage-collect the imported ones.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
nodeStatusReportFrequency: 10s
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
fileCheckFrequency: 60s
EOF
  start_bg kubelet "$bin/kubelet" \
    --config="$state/kubelet.yaml" \
    --kubeconfig="$state/kubelet.kubeconfig" \
    --hostname-override="$node_name" \
    --node-ip="$ip" \
    --root-dir="$kubelet_dir" \
    --pod-infra-container-image="$pause_image" \
    --v=1

  wait_for 90 node node_ready || {
    pid_alive kubelet || fail_with_log kubelet "kubelet exited"
    fail_with_log kubelet "node $node_name did not become Ready"
  }
  # Pods need the namespace's "default" ServiceAccount and the kube-root-ca.crt ConfigMap
  # (made by kube-controller-manager).
  wait_for 60 sa kubectl_admin -n default get serviceaccount default || fail_with_log kube-controller-manager "no default ServiceAccount"
  wait_for 60 ca kubectl_admin -n default get configmap kube-root-ca.crt || fail_with_log kube-controller-manager "no kube-root-ca.crt ConfigMap"
  local k; for k in kube-controller-manager kube-scheduler; do pid_alive "$k" || fail_with_log "$k" "$k exited"; done
  say "up in $((SECONDS - t0)) s (binaries+certs $((t1 - t0)) s, etcd+apiserver $((t2 - t1)) s, rest $((SECONDS - t2)) s): node $node_name ($ip) Ready"
  say "KUBECONFIG=$admin_kubeconfig"
}

# ---------------------------------------------------------------- down

# Alive and not a zombie (the stopped daemons are reparented; a zombie still answers kill -0).
running() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

stop_pids() { # names... : TERM together, then wait (KILL after 10 s)
  local name pid pids=() i
  for name in "$@"; do
    [[ -f "$state/$name.pid" ]] || continue
    pid="$(cat "$state/$name.pid")"
    if running "$pid"; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
    rm -f "$state/$name.pid"
  done
  any_running() { local p; for p in "${pids[@]}"; do running "$p" && return 0; done; return 1; }
  for i in $(seq 1 100); do any_running || return 0; sleep 0.1; done
  for pid in "${pids[@]}"; do running "$pid" && kill -KILL "$pid" 2>/dev/null; done
  return 0
}

cleanup_kubelet_dir() {
  [[ -d "$kubelet_dir" ]] || return 0
  # projected/secret volumes are tmpfs mounts under pods/: unmount them before removing.
  # kubelet also bind-mounts its root dir onto itself (shared propagation).
  local m i
  for i in 1 2 3; do
    awk -v d="$kubelet_dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r |
      while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    awk -v d="$kubelet_dir" '$2 == d || index($2, d "/") == 1 {f=1} END {exit !f}' /proc/self/mounts || break
  done
  rm -rf "$kubelet_dir" 2>/dev/null || say "could not remove all of $kubelet_dir"
}

remove_pods() {
  containerd_ok || return 0
  local crictl; crictl="$(bin_dir)/crictl"
  if [[ -x "$crictl" ]]; then
    # Through the CRI: stops containers, tears down the pod network, removes sandboxes.
    "$crictl" --runtime-endpoint "unix://$containerd_sock" --timeout 30s rmp -fa >/dev/null 2>&1 || true
  fi
  # Whatever is left (no crictl, or a sandbox the CRI failed to remove): plain containerd,
  # only containers the CRI plugin made (labelled io.cri-containerd.kind).
  local ctr=(ctr --address "$containerd_sock" -n k8s.io) id
  for id in $("${ctr[@]}" containers ls -q 'labels."io.cri-containerd.kind"' 2>/dev/null); do
    "${ctr[@]}" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || true
  done
}

remove_cgroups() { # the pod cgroups kubelet made (cgroupfs driver, cgroup v1)
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "$d" ]] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

cmd_down() {
  mkdir -p "$state"
  stop_pids kubelet kube-scheduler kube-controller-manager
  stop_pids kube-apiserver
  stop_pids etcd
  remove_pods
  cleanup_kubelet_dir
  remove_cgroups
  ip link del "$bridge" 2>/dev/null || true
  rm -f "$cni_conf"; rm -rf "$cni_data"
  fw_del
  # chains kubelet adds (KUBE-KUBELET-CANARY, KUBE-FIREWALL...) go with it
  local table chain
  for table in filter nat mangle; do
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1=="-N" && $2 ~ /^KUBE-/ {print $2}'); do
      iptables -t "$table" -S 2>/dev/null | awk -v c="$chain" '$1=="-A" && $0 ~ ("-j " c "( |$)") {sub(/^-A/, "-D"); print}' |
        while read -r rule; do eval "iptables -t $table $rule" 2>/dev/null || true; done
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  restore_sysctls
  say "down"
}

# ---------------------------------------------------------------- status / env / import

cmd_status() {
  local c rc=0
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet; do
    if pid_alive "$c"; then echo "$c: running (pid $(cat "$state/$c.pid"))"; else echo "$c: stopped"; rc=1; fi
  done
  if [[ -f "$admin_kubeconfig" ]] && pid_alive kube-apiserver && node_ready; then
    echo "node $node_name: Ready"
  else
    echo "node $node_name: not ready"; rc=1
  fi
  return $rc
}

cmd_env() {
  local bin; bin="$(bin_dir)"
  cat <<EOF
export KUBECONFIG=$admin_kubeconfig
export SIDEKICK_K8S_KUBECONFIG=$admin_kubeconfig
export SIDEKICK_K8S_NODE=$node_name
export SIDEKICK_K8S_NODE_IP=$(node_ip)
export SIDEKICK_K8S_BIN=$bin
export SIDEKICK_K8S_CONTAINERD=$containerd_sock
export PATH=$bin:\$PATH
EOF
}

cmd_import() { # docker images -> containerd k8s.io (names become docker.io/library/...)
  (($#)) || die "usage: cluster.sh import IMAGE..."
  containerd_ok || die "containerd is not answering on $containerd_sock"
  docker save "$@" | ctr --address "$containerd_sock" -n k8s.io images import - >/dev/null
  say "imported into containerd k8s.io: $*"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  import) shift; cmd_import "$@" ;;
  *) echo "usage: $0 up|down|status|env|import IMAGE..." >&2; exit 2 ;;
esac
