#!/usr/bin/env bash
# The whole test suite: the README's test command, and what CI runs.
# It builds (or reuses from its cache) the test control plane first; the
# first run on a fresh machine takes 10-15 minutes for that build.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

bash tools/build-tools.sh controlplane
# The control-plane tests must run here: missing binaries are a failure.
export INFRA_REQUIRE_CONTROLPLANE=1
go test -count=1 $(go list ./... | grep -v /integration)
# Verbose, so the log shows the control plane's timings.
go test -count=1 -v ./integration
