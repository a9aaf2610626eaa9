// `npm run bench`, Kubernetes part: time to first command through an ephemeral container,
// sidekick against `kubectl debug --attach` of the same image (kubectl built from the same module),
// the floor, and against cdebug (built from its source archive, see measure.mjs).
// Needs the test cluster (bash scripts/k8s/cluster.sh up); prints a note and exits 0 without it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI, cdebug, interleave, report } from './measure.mjs';

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
const CDEBUG = cdebug();
try {
  // How long the kubelet takes to start a container depends on where its 1 s cycles stand when the
  // request arrives, and back-to-back runs lock onto one phase (either side can then look twice as
  // fast): a random pause before each run samples every phase for every side, and the order rotates.
  const pause = () => execFileSync('sleep', [(Math.random() * 2).toFixed(3)]);
  const sides = {
    floor: [KUBECTL, ['debug', '-n', NS, 'target', '-q', '--image=busybox:musl', '--image-pull-policy=Never', '--target=app', '--attach=true', '--', 'true'], env],
    // cdebug chroots into the target (root, writable root filesystem) and links its toolkit there
    ...(CDEBUG && { cdebug: [CDEBUG, ['exec', '-q', '--image', 'busybox:musl', '--kubeconfig', KUBECONFIG, '-n', NS, 'pod/target/app', 'true'], env] }),
    sidekick: [process.execPath, [CLI, 'exec', '-q', `k8s://${NS}/target/app`, '--', 'true'], env],
  };
  report('kubernetes: exec k8s://T -- true', interleave(sides, { runs: RUNS, pause }), { floor: '<= 1.0', cdebug: '<= 0.8' });
} finally {
  kubectl(['delete', 'namespace', NS, '--wait=false']);
}
// port-forward's throughput against kubectl port-forward's (its own file: it also runs alone)
await import('./k8s-forward.mjs');
