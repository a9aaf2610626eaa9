// `npm run bench`, Kubernetes part: time to first command through an ephemeral container,
// sidekick against `kubectl debug --attach` of the same image (kubectl built from the same module).
// Needs the test cluster (bash scripts/k8s/cluster.sh up); prints a note and exits 0 without it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, timeIt } from './measure.mjs';

const CLI = fileURLToPath(new URL('../bin/sidekick.js', import.meta.url));
const KUBECONFIG = '/var/lib/sidekick/k8s/admin.kubeconfig';
const KUBECTL = `${process.env.SIDEKICK_CACHE ?? '/var/cache/sidekick'}/k8s-v1.30.14/bin/kubectl`;
const RUNS = Number(process.env.BENCH_K8S_RUNS ?? 11);
// a namespace of its own each time: the previous run's may still be terminating
const NS = `sidekick-bench-${process.pid}`;
const env = { ...process.env, KUBECONFIG };

function kubectl(args, input) {
  return execFileSync(KUBECTL, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}
function ready() {
  try {
    kubectl(['get', '--raw', '/readyz']);
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(KUBECONFIG) || !existsSync(KUBECTL) || !ready()) {
  console.log('kubernetes: no test cluster running (bash scripts/k8s/cluster.sh up), skipped');
  process.exit(0);
}
kubectl(['create', 'namespace', NS, '--dry-run=client', '-o', 'json'], undefined);
kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target', namespace: NS }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'sidekick-fixture/target:latest', imagePullPolicy: 'Never' }] } };
for (let i = 0; i < 100; i++) {
  try {
    kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    break;
  } catch {
    execFileSync('sleep', ['0.2']); // the namespace's default service account is on its way
  }
}
kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/target', '--timeout=90s']);
try {
  const a = [];
  const b = [];
  // How long the kubelet takes to start a container depends on where its 1 s cycles stand when the
  // request arrives, and back-to-back runs lock onto one phase (either side can then look twice as
  // fast): a random pause before each run samples every phase for both, and the order alternates.
  const pause = () => execFileSync('sleep', [(Math.random() * 2).toFixed(3)]);
  const runSidekick = () => a.push(timeIt(process.execPath, [CLI, 'exec', '-q', `k8s://${NS}/target/app`, '--', 'true'], env));
  const runKubectl = () =>
    b.push(timeIt(KUBECTL, ['debug', '-n', NS, 'target', '-q', '--image=busybox:musl', '--image-pull-policy=Never', '--target=app', '--attach=true', '--', 'true'], env));
  for (let i = 0; i < RUNS; i++) {
    for (const run of i % 2 ? [runKubectl, runSidekick] : [runSidekick, runKubectl]) {
      pause();
      run();
    }
  }
  console.log(
    `${'kubernetes: exec k8s://T -- true vs kubectl debug'.padEnd(44)} sidekick ${median(a).toFixed(0).padStart(5)} ms  floor ${median(b).toFixed(0).padStart(5)} ms  ratio ${(median(a) / median(b)).toFixed(2)}  (goal <= 1.0)`,
  );
} finally {
  kubectl(['delete', 'namespace', NS, '--wait=false']);
}
