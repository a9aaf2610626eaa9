#!/usr/bin/env bash
# The whole test suite: sets up what it needs (engines, fixtures, build), then unit, contract and
# terminal tests against real engines. Prints "N passed, N failed" last.
set -euo pipefail
cd "$(dirname "$0")/.."
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
# Where slow builds (Go binaries, the Kubernetes build) are cached, keyed by version; point it
# elsewhere to measure a cold run.
export SIDEKICK_CACHE="${SIDEKICK_CACHE:-/var/cache/sidekick}"

bash scripts/setup.sh
npx tsc --noEmit
# Every engine the contract suite runs against, and a real single-node Kubernetes (built from Go
# modules once, cached in /var/cache/sidekick), brought down again when the tests end.
bash scripts/engines/registry.sh
bash scripts/engines/podman.sh
bash scripts/engines/containerd.sh
bash scripts/k8s/cluster.sh up
trap 'bash scripts/k8s/cluster.sh down >/dev/null 2>&1 || true' EXIT

report=$(mktemp)
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A suite that fails in beforeAll (an engine or the cluster down) has no failed test: count each
  // failed suite without a failed test of its own as one failure too (numFailedTestSuites counts both kinds).
  const brokenSuites = r.testResults.filter((s) => s.status === "failed" && !s.assertionResults.some((t) => t.status === "failed")).length;
  const failed = r.numFailedTests + brokenSuites;
  if (brokenSuites) console.log(`${brokenSuites} of ${r.numFailedTestSuites} failed suites failed outside any test (beforeAll, import)`);
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" || echo "0 passed, 1 failed"
rm -f "$report"
exit $status
