// `npm run bench`, Kubernetes port-forward: BENCH_K8S_FORWARD_MB (100) MB downloaded from a pod's port
// through `kubectl port-forward` and through `sidekick port-forward` (the API's pods/portforward, no
// debugger), both running side by side, the downloads interleaved (the order alternates each round),
// medians. The pod serves a file of that size with busybox httpd; the clock stops at its last byte
// (neither path passes a half-close, so waiting for the server's close would time the grace instead).
// Runs alone too: node bench/k8s-forward.mjs. Prints a note and exits 0 without the test cluster.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { CLI, median } from './measure.mjs';

const KUBECONFIG = '/var/lib/sidekick/k8s/admin.kubeconfig';
const KUBECTL = `${process.env.SIDEKICK_CACHE ?? '/var/cache/sidekick'}/k8s-v1.30.14/bin/kubectl`;
const MB = Number(process.env.BENCH_K8S_FORWARD_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_K8S_FORWARD_RUNS ?? 7);
const NS = `sidekick-bench-fwd-${process.pid}`;
const PORT = 8000;
const env = { ...process.env, KUBECONFIG };

function kubectl(args, input) {
  return execFileSync(KUBECTL, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

/** GET /big over a local port; resolves with the ms from connect() to the body's last byte. */
function download(port) {
  const want = MB * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /big HTTP/1.0\r\n\r\n'));
    let head = Buffer.alloc(0);
    let body = -1;
    socket.on('data', (chunk) => {
      if (body < 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        body = head.length - end - 4;
      } else {
        body += chunk.length;
      }
      if (body >= want) {
        resolve(Number(process.hrtime.bigint() - start) / 1e6);
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('end', () => reject(new Error(`download: the connection ended after ${Math.max(body, 0)} of ${want} bytes`)));
  });
}

/** Starts a port-forward command and resolves with its local port once `portOf` finds it in its stdout. */
function startForward(file, args, portOf) {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const port = portOf(out);
      if (port) resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`${file} ${args.join(' ')} exited with ${code}: ${err.trim()}`)));
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGINT');
  return new Promise((r) => child.once('exit', r));
}

let ready = false;
try {
  ready = existsSync(KUBECONFIG) && existsSync(KUBECTL) && Boolean(kubectl(['get', '--raw', '/readyz']));
} catch {
  ready = false;
}
if (!ready) {
  console.log('kubernetes port-forward: no test cluster running (bash scripts/k8s/cluster.sh up), skipped');
  process.exit(0);
}

kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'files', namespace: NS },
  spec: {
    terminationGracePeriodSeconds: 1,
    volumes: [{ name: 'www', emptyDir: {} }],
    containers: [
      {
        name: 'httpd',
        image: 'busybox:musl',
        imagePullPolicy: 'Never',
        volumeMounts: [{ name: 'www', mountPath: '/www' }],
        command: ['sh', '-c', `head -c ${MB * 1024 * 1024} /dev/zero > /www/big && exec httpd -f -p ${PORT} -h /www`],
        readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 1 },
      },
    ],
  },
};
const forwards = [];
try {
  for (let i = 0; ; i++) {
    try {
      kubectl(['apply', '-f', '-'], JSON.stringify(pod));
      break;
    } catch (e) {
      if (i === 100) throw e;
      execFileSync('sleep', ['0.2']); // the namespace's default service account is on its way
    }
  }
  kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/files', '--timeout=90s']);

  const viaKubectl = await startForward(KUBECTL, ['port-forward', '-n', NS, 'pod/files', `:${PORT}`], (out) => Number(/127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]));
  forwards.push(viaKubectl.child);
  let via = '';
  const viaSidekick = await startForward(process.execPath, [CLI, 'port-forward', '-q', '--json', `k8s://${NS}/files`, String(PORT)], (out) => {
    if (!out.includes('\n')) return undefined;
    const line = JSON.parse(out.split('\n')[0]);
    via = line.via;
    return Number(line.local.split(':').pop());
  });
  forwards.push(viaSidekick.child);

  const sides = { kubectl: viaKubectl.port, sidekick: viaSidekick.port };
  const times = { kubectl: [], sidekick: [] };
  for (const port of Object.values(sides)) await download(port); // warm-up: caches, connections, JIT
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 ? ['sidekick', 'kubectl'] : ['kubectl', 'sidekick'];
    for (const side of order) times[side].push(await download(sides[side]));
  }
  const mbps = (ms) => MB / (ms / 1000);
  const k = mbps(median(times.kubectl));
  const s = mbps(median(times.sidekick));
  console.log(
    `${`kubernetes: port-forward, ${MB} MB from a pod`.padEnd(44)} sidekick (${via}) ${s.toFixed(1).padStart(5)} MB/s  kubectl ${k.toFixed(1).padStart(5)} MB/s  ` +
      `ratio ${(s / k).toFixed(2)} (goal >= 0.9; ${ROUNDS} interleaved rounds, medians; each run: ` +
      `sidekick ${times.sidekick.map((t) => mbps(t).toFixed(0)).join(' ')}, kubectl ${times.kubectl.map((t) => mbps(t).toFixed(0)).join(' ')})`,
  );
} finally {
  for (const child of forwards) await stop(child);
  kubectl(['delete', 'namespace', NS, '--wait=false']);
}
