#!/usr/bin/env bash
# Builds the test toolchain from Go modules (nothing is downloaded but
# modules): the Kubernetes control plane (etcd 3.5, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl 1.32) plus kwok, the
# Pulumi CLI, the Kubernetes provider plugin, actionlint and fake-gcs-server. Binaries are cached under ~/.cache/unlimited-translation,
# keyed by the pinned versions (tools/*/go.mod and go.sum), and linked into
# the git-ignored bin/. A cold build takes 10-20 minutes on 2 cores; a warm
# one is instant.
#
#   tools/build-tools.sh [controlplane|pulumi|k8sprovider|actionlint|fakegcs|all]   (default: all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/unlimited-translation
mkdir -p "$root/bin" "$cache"
# The checksum database has no record for these two (see toolchain notes);
# their go.sum lines are committed, so nothing is looked up.
export GONOSUMDB=k8s.io/kubernetes,k8s.io/controller-manager
export CGO_ENABLED=0 GOFLAGS=-mod=mod

key() { cat "$@" | sha256sum | cut -c1-16; }

link() { for f in "$1"/*; do ln -sf "$f" "$root/bin/$(basename "$f")"; done; }

build_controlplane() {
  local dir="$cache/controlplane-$(key "$root"/tools/{kube,etcd,kwok}/go.{mod,sum})"
  if [ ! -f "$dir/.done" ]; then
    echo "building the control plane into $dir (cold: ~12 minutes)" >&2
    local out="$dir.tmp"; rm -rf "$out"; mkdir -p "$out"
    local v=v1.32.4 pkg=k8s.io/component-base/version cg=k8s.io/client-go/pkg/version
    local ld="-s -w"
    for p in $pkg $cg; do
      ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=32 -X $p.gitTreeState=clean -X $p.buildDate=2025-04-22T00:00:00Z"
    done
    (cd "$root/tools/kube" && go build -trimpath -ldflags "$ld" -o "$out/" tool)
    (cd "$root/tools/etcd" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" .)
    (cd "$root/tools/kwok" && go build -trimpath -ldflags "-s -w" -o "$out/" tool)
    touch "$out/.done"; rm -rf "$dir"; mv "$out" "$dir"
  fi
  link "$dir"
}

build_pulumi() {
  local dir="$cache/pulumi-$(key "$root"/tools/pulumi/go.{mod,sum})"
  if [ ! -f "$dir/.done" ]; then
    echo "building the Pulumi CLI into $dir (cold: ~7 minutes)" >&2
    local out="$dir.tmp"; rm -rf "$out"; mkdir -p "$out"
    # Unstamped, `pulumi version` is empty and the Automation API disables
    # inline refresh/destroy and streamed events.
    (cd "$root/tools/pulumi" && go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.230.0" \
      -o "$out/" tool)
    touch "$out/.done"; rm -rf "$dir"; mv "$out" "$dir"
  fi
  link "$dir"
}

# The real Kubernetes provider, v4.25.0 (tools/k8sprovider/go.mod). Its
# command embeds schema-embed.json and terraform-mapping-embed.json, which
# its generate.go writes from the schema.json and terraform-mapping.json
# the module ships: build a copy of the command directory after running
# the generator. Engine tests find it on PATH as pulumi-resource-kubernetes.
build_k8sprovider() {
  local dir="$cache/k8sprovider-$(key "$root"/tools/k8sprovider/go.{mod,sum})"
  if [ ! -f "$dir/.done" ]; then
    echo "building the Kubernetes provider plugin into $dir (cold: ~15 minutes)" >&2
    local out="$dir.tmp" mod=github.com/pulumi/pulumi-kubernetes/provider/v4 work src
    rm -rf "$out"; mkdir -p "$out"
    work=$(mktemp -d)
    cp "$root"/tools/k8sprovider/go.{mod,sum} "$work/"
    (cd "$work" && go mod download "$mod")
    src=$(cd "$work" && go list -m -f '{{.Dir}}' "$mod")/cmd/pulumi-resource-kubernetes
    cp "$src"/{main.go,generate.go,schema.json,terraform-mapping.json} "$work/"
    chmod u+w "$work"/*
    (cd "$work" && VERSION=4.25.0 go run generate.go &&
      go build -trimpath -ldflags "-s -w -X $mod/pkg/version.Version=4.25.0" -o "$out/pulumi-resource-kubernetes" .)
    rm -rf "$work"
    touch "$out/.done"; rm -rf "$dir"; mv "$out" "$dir"
  fi
  link "$dir"
}

# A tool that is one `go build` of its module's tool directive.
build_tool() {
  local dir="$cache/$1-$(key "$root"/tools/"$1"/go.{mod,sum})"
  if [ ! -f "$dir/.done" ]; then
    local out="$dir.tmp"; rm -rf "$out"; mkdir -p "$out"
    (cd "$root/tools/$1" && go build -trimpath -ldflags "-s -w" -o "$out/" tool)
    touch "$out/.done"; rm -rf "$dir"; mv "$out" "$dir"
  fi
  link "$dir"
}

case "$what" in
  controlplane) build_controlplane ;;
  pulumi) build_pulumi ;;
  k8sprovider) build_k8sprovider ;;
  actionlint) build_tool actionlint ;;
  # fake-gcs-server: the Cloud Storage emulator the gs:// backend tests use.
  fakegcs) build_tool fakegcs ;;
  all) build_controlplane; build_pulumi; build_k8sprovider; build_tool actionlint; build_tool fakegcs ;;
  *) echo "usage: $0 [controlplane|pulumi|k8sprovider|actionlint|fakegcs|all]" >&2; exit 2 ;;
esac
