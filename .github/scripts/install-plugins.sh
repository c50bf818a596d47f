#!/usr/bin/env bash
# Installs the Pulumi resource plugins at exactly the versions of the Go
# SDKs in go.mod, before any engine command. Credentialed jobs also set
# PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true, so the engine never
# downloads a plugin on its own (for instance from a pluginDownloadURL
# recorded in the state, which others than the deployer can write):
# https://www.pulumi.com/docs/iac/cli/environment-variables/
#
# usage: install-plugins.sh [GO_MOD]   (default go.mod)
set -euo pipefail

gomod=${1:-go.mod}
[ -f "$gomod" ] || { echo "::error::$gomod not found: run this from the repository root" >&2; exit 1; }

# version MODULE prints MODULE's version from a require block or a
# one-line require.
version() {
  awk -v m="$1" '
    $1 == m { print $2; exit }
    $1 == "require" && $2 == m { print $3; exit }
  ' "$gomod"
}

install() {
  local plugin=$1 module=$2 v
  v=$(version "$module")
  if ! [[ "$v" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "::error::$gomod has no released version of $module (found '$v'): the $plugin plugin cannot be pinned" >&2
    exit 1
  fi
  echo "pulumi plugin install resource $plugin ${v#v}"
  pulumi plugin install resource "$plugin" "${v#v}"
}

install gcp github.com/pulumi/pulumi-gcp/sdk/v7
install kubernetes github.com/pulumi/pulumi-kubernetes/sdk/v4
