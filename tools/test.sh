#!/usr/bin/env bash
# The whole test suite: the README's test command, and what CI runs.
# It builds (or reuses from its cache) the test control plane and the Pulumi
# CLI and the Kubernetes provider first; the first run on a fresh 2-core
# machine takes over an hour, later ones about 20 minutes.
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
# Most of the engine tests' time is spent waiting (the engine's plugins
# starting, injected delays, rollouts), so they run as three processes of
# the e2e package beside the other packages; each process has its own
# stand-ins, temp dirs and ports. The third shard is "every other test",
# so a new test always runs. Test binaries are compiled first, once.
go test -count=1 -run '^$' -exec /bin/true ./... >/dev/null
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
shard1='TestScenariosAgreeWithTheRealProvider|TestInterruptedDestroyKeepsClusterObjects|TestConcurrentRunNamesTheLockHolder|TestTruncatedCheckpointIsRepaired|TestFailedCreateThenFixedRerunConverges|TestProdDestroyRefused|TestNewStackAllCreate'
shard2='TestBucketBackend|TestSleepAndWake|TestGKEStacksOnTheRealProvider|TestMLflowLifecycle|TestKilledCLIIsRepaired|TestForgedJournalIsRefused|TestBootstrapApply'
start() {
  local name=$1; shift
  ( set +e; go test -count=1 "$@" >"$logs/$name.log" 2>&1; echo $? >"$logs/$name.rc" ) &
}
begin=$SECONDS
start unit -timeout 20m $(go list ./... | grep -v -e /integration -e /e2e)
# Verbose, so the log shows the control plane's timings and every step.
start integration -timeout 20m -v ./integration
start e2e-1 -timeout 30m -v ./e2e -run "^($shard1)\$"
start e2e-2 -timeout 30m -v ./e2e -run "^($shard2)\$"
start e2e-3 -timeout 30m -v ./e2e -skip "^($shard1|$shard2)\$"
wait
failed=""
for name in unit integration e2e-1 e2e-2 e2e-3; do
  echo "=== $name"
  cat "$logs/$name.log"
  [ "$(cat "$logs/$name.rc")" = 0 ] || failed="$failed $name"
done
echo "timing: tests took $((SECONDS - begin)) s"
if [ -n "$failed" ]; then
  echo "tests failed in:$failed" >&2
  exit 1
fi

# The GitHub workflows: valid, and the infra commands they run offline work.
bin/actionlint -color=false -shellcheck="$(command -v shellcheck)" .github/workflows/*.yml
shellcheck .github/scripts/*.sh
base=HEAD
git rev-parse --verify --quiet HEAD~1 >/dev/null && base=HEAD~1
go run ./cmd/infra plan --stack dev,prod --against "$base" > /dev/null
go run ./cmd/infra plan --stack dev,prod --against "$base" --json > /dev/null
echo "workflows: actionlint and shellcheck clean; infra plan --against $base works for dev and prod"
