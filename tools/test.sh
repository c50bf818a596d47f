#!/usr/bin/env bash
# The whole test suite: the README's test command, and what CI runs.
# It builds (or reuses from its cache) the test control plane and the Pulumi
# CLI and the Kubernetes provider first; the first run on a fresh machine
# takes about 35 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

bash tools/build-tools.sh all
# The backup tests run the backup scripts against a real MySQL-compatible
# server: Debian's MariaDB (gcloud, the upload client, is on the machine).
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -q --no-install-recommends mariadb-server >/dev/null ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends mariadb-server >/dev/null; }
fi
# actionlint checks the workflows' run: scripts with shellcheck, which it
# finds on PATH and otherwise skips silently: Debian's package.
if ! command -v shellcheck >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -q --no-install-recommends shellcheck >/dev/null ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends shellcheck >/dev/null; }
fi
# The control-plane and engine tests must run here: missing binaries fail.
export INFRA_REQUIRE_CONTROLPLANE=1 INFRA_REQUIRE_PULUMI=1
go test -count=1 -timeout 20m $(go list ./... | grep -v -e /integration -e /e2e)
# Verbose, so the log shows the control plane's timings and every step.
go test -count=1 -timeout 20m -v ./integration ./e2e

# The GitHub workflows: valid, and the infra commands they run offline work.
bin/actionlint -color=false -shellcheck="$(command -v shellcheck)" .github/workflows/*.yml
shellcheck .github/scripts/*.sh
base=HEAD
git rev-parse --verify --quiet HEAD~1 >/dev/null && base=HEAD~1
go run ./cmd/infra plan --stack dev,prod --against "$base" > /dev/null
go run ./cmd/infra plan --stack dev,prod --against "$base" --json > /dev/null
echo "workflows: actionlint and shellcheck clean; infra plan --against $base works for dev and prod"
