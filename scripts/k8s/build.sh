#!/usr/bin/env bash
# Builds the Kubernetes binaries the integration tests run (kube-apiserver, kubelet,
# kube-controller-manager, kube-scheduler, kubectl) from the k8s.io/kubernetes release
# pinned in scripts/k8s/go.mod, plus crictl (cluster.sh down removes pods through the CRI),
# into a cache outside the repo keyed by the Kubernetes version:
#   ${SIDEKICK_CACHE:-${SIDEKICK_K8S_CACHE:-/var/cache/sidekick}}/k8s-vX.Y.Z/bin
# Skips the build when every binary is already there. Prints the bin dir on the last line.
# Cold build on 2 cores: see README.md. Needs only the Go toolchain and the Go module proxy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

version="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/go.mod")"
[[ -n "$version" ]] || { echo "k8s-build: cannot read the k8s.io/kubernetes version from $here/go.mod" >&2; exit 1; }
cache_root="${SIDEKICK_CACHE:-${SIDEKICK_K8S_CACHE:-/var/cache/sidekick}}"
bin="$cache_root/k8s-$version/bin"
cmds=(kube-apiserver kubelet kube-controller-manager kube-scheduler kubectl)
# crictl: cri-tools v1.30.x is not served by the module proxy here; v1.34.0 is, and talks
# CRI v1 to containerd 1.6 fine. Its go.mod has no replace lines, so `go install @version` works.
crictl_module=sigs.k8s.io/cri-tools/cmd/crictl
crictl_version=v1.34.0

have_k8s() { local c; for c in "${cmds[@]}"; do [[ -x "$bin/$c" ]] || return 1; done; }
have_all() { have_k8s && [[ -x "$bin/crictl" ]]; }

if have_all && [[ "${1:-}" != "--force" ]]; then
  echo "k8s-build: $version binaries cached" >&2
  echo "$bin"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/k8s-$version.lock"
flock 9 # another build of the same version finishes first
if have_all && [[ "${1:-}" != "--force" ]]; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { echo "k8s-build: the Go toolchain is required" >&2; exit 1; }
major="${version#v}"; major="${major%%.*}"
minor="${version#v*.}"; minor="${minor%%.*}"
vpkg=k8s.io/component-base/version
cpkg=k8s.io/client-go/pkg/version
date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for p in $vpkg $cpkg; do
  ldflags+=" -X $p.gitVersion=$version -X $p.gitMajor=$major -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
done

tmp="$cache_root/k8s-$version/bin.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp" "$bin"
trap 'rm -rf "$tmp"' EXIT
pkgs=(); for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
start=$SECONDS
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false"

if ! have_k8s || [[ "${1:-}" == "--force" ]]; then
  echo "k8s-build: building ${cmds[*]} $version into $bin (cold: ~8 min on 2 cores)" >&2
  # providerless: leave out the legacy in-tree cloud providers (unused here, large).
  # -p 2: the machines have 2 cores; one go build shares the common packages.
  (
    cd "$here"
    go build -p "${SIDEKICK_K8S_BUILD_JOBS:-2}" -trimpath -tags providerless -ldflags="$ldflags" \
      -o "$tmp/" "${pkgs[@]}"
  )
fi
if [[ ! -x "$bin/crictl" || "${1:-}" == "--force" ]]; then
  echo "k8s-build: building crictl $crictl_version" >&2
  (cd / && GOBIN="$tmp" go install -trimpath -ldflags="-s -w" "$crictl_module@$crictl_version")
fi
for f in "$tmp"/*; do [[ -e "$f" ]] && mv -f "$f" "$bin/"; done
echo "k8s-build: done in $((SECONDS - start)) s" >&2
echo "$bin"
