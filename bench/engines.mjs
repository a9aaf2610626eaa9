// `npm run bench`, Podman and containerd: `sidekick exec ENGINE://T -- true` against each engine's own
// floor (the same debugger started by the engine's CLI), interleaved, medians and ratios. cdebug has no
// Podman, and on containerd it always pulls the toolkit, which cannot work without a registry.
// An engine that is not running here is named and skipped (this is a benchmark, not a test).
import { execFileSync } from 'node:child_process';
import { CLI, compare } from './measure.mjs';

const PODMAN_ENV = { ...process.env, CONTAINERS_CONF: '/etc/sidekick/podman/containers.conf' };
const T = 'sidekick-bench-engine';

const sh = (file, args, env = process.env) => execFileSync(file, args, { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();


function podman() {
  try {
    sh('podman', ['rm', '-f', T], PODMAN_ENV);
    sh('podman', ['run', '-d', '--name', T, 'sidekick-fixture/target:latest'], PODMAN_ENV);
  } catch {
    return console.log('podman: not set up here (bash scripts/engines/podman.sh), skipped');
  }
  try {
    compare(
      'podman: exec T -- true vs podman run --pid=',
      [process.execPath, [CLI, 'exec', '-q', `podman://${T}`, '--', 'true']],
      ['podman', ['run', '--rm', `--pid=container:${T}`, `--network=container:${T}`, 'busybox:musl', 'true'], PODMAN_ENV],
      '<= 1.5',
    );
  } finally {
    sh('podman', ['rm', '-f', T], PODMAN_ENV);
  }
}

function containerd() {
  const ctr = (...args) => sh('ctr', ['-n', 'default', ...args]);
  let pid;
  try {
    try {
      ctr('tasks', 'kill', '-s', 'SIGKILL', T);
    } catch {}
    try {
      ctr('containers', 'rm', T);
    } catch {}
    ctr('run', '-d', 'docker.io/sidekick-fixture/target:latest', T);
    pid = ctr('tasks', 'ls').split('\n').find((l) => l.startsWith(`${T} `))?.split(/\s+/)[1];
  } catch {
    return console.log('containerd: not set up here (bash scripts/engines/containerd.sh), skipped');
  }
  try {
    compare(
      'containerd: exec T -- true vs ctr run --with-ns',
      [process.execPath, [CLI, 'exec', '-q', `containerd://default/${T}`, '--', 'true']],
      ['ctr', ['-n', 'default', 'run', '--rm', '--with-ns', `pid:/proc/${pid}/ns/pid`, '--with-ns', `network:/proc/${pid}/ns/net`, 'docker.io/library/busybox:musl', `${T}-floor`, 'true']],
      '<= 1.5',
    );
  } finally {
    try {
      ctr('tasks', 'kill', '-s', 'SIGKILL', T);
      execFileSync('sleep', ['0.3']);
      ctr('containers', 'rm', T);
    } catch {}
  }
}

podman();
containerd();
