// `npm run bench` (or `node bench/stopped.mjs [ENGINE...]` alone): time to the first command in a copy
// of a stopped container against a running target's, per engine: `sidekick exec -q T -- echo x`, from
// the CLI's start to the command's first output, and to the CLI's exit (the session's whole cost,
// removal included), STOPPED vs RUNNING, interleaved, medians (goal: the copy at most 2x, issue #9).
// An engine that is not set up here is named and skipped (this is a benchmark, not a test).
import { execFileSync, spawn } from 'node:child_process';
import { CLI, median } from './measure.mjs';

const RUNS = Number(process.env.BENCH_STOPPED_RUNS ?? 7);
const PODMAN_ENV = { ...process.env, CONTAINERS_CONF: '/etc/sidekick/podman/containers.conf' };
const RUNNING = 'sidekick-bench-running';
const STOPPED = 'sidekick-bench-stopped';
const CRASH = ['sh', '-c', 'echo written > /crash.log; exit 3'];

const sh = (file, args, env = process.env) => execFileSync(file, args, { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const quietly = (f) => {
  try {
    f();
  } catch {}
};

/** How each engine makes a running target and a crashed one, and removes them; addresses as sidekick takes them. */
const ENGINES = {
  docker: dockerLike('docker', process.env),
  podman: dockerLike('podman', PODMAN_ENV),
  containerd: {
    up() {
      const ctr = (...args) => sh('ctr', ['-n', 'default', ...args]);
      this.down();
      ctr('run', '-d', 'docker.io/sidekick-fixture/target:latest', RUNNING);
      // -d keeps the stopped task, and with it the exit code
      ctr('run', '-d', 'docker.io/library/busybox:musl', STOPPED, ...CRASH);
      execFileSync('sleep', ['1']);
      return { running: `containerd://default/${RUNNING}`, stopped: `containerd://default/${STOPPED}` };
    },
    down() {
      for (const id of [RUNNING, STOPPED]) {
        quietly(() => sh('ctr', ['-n', 'default', 'tasks', 'rm', '-f', id]));
        quietly(() => sh('ctr', ['-n', 'default', 'containers', 'rm', id]));
      }
    },
  },
  nerdctl: {
    up() {
      this.down();
      sh('nerdctl', ['run', '-d', '--net', 'none', '--name', RUNNING, 'sidekick-fixture/target:latest']);
      // -d keeps the stopped task, and with it the exit code, as `nerdctl run` of a service does
      sh('nerdctl', ['run', '-d', '--net', 'none', '--name', STOPPED, 'busybox:musl', ...CRASH]);
      execFileSync('sleep', ['1']);
      return { running: `nerdctl://${RUNNING}`, stopped: `nerdctl://${STOPPED}` };
    },
    down() {
      quietly(() => sh('nerdctl', ['rm', '-f', RUNNING, STOPPED]));
    },
  },
};

function dockerLike(cli, env) {
  return {
    up() {
      this.down();
      sh(cli, ['run', '-d', '--name', RUNNING, 'sidekick-fixture/target:latest'], env);
      quietly(() => sh(cli, ['run', '--name', STOPPED, 'busybox:musl', ...CRASH], env));
      return { running: `${cli}://${RUNNING}`, stopped: `${cli}://${STOPPED}` };
    },
    down() {
      quietly(() => sh(cli, ['rm', '-f', RUNNING, STOPPED], env));
    },
  };
}

/** One run: ms from the start to the first byte of output, and to the exit. */
function firstOutput(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - start) / 1e6;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let first;
    child.stdout.once('data', () => (first = since()));
    child.stdout.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 && first !== undefined ? resolve({ first, whole: since() }) : reject(new Error(`exit ${code}`))));
  });
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ENGINES);
console.log(`stopped targets: ${RUNS} interleaved runs each, medians`);
for (const name of wanted) {
  const engine = ENGINES[name];
  let targets;
  try {
    targets = engine.up();
  } catch {
    console.log(`${name}: not set up here, skipped`);
    continue;
  }
  try {
    const env = name === 'podman' ? PODMAN_ENV : process.env;
    const argv = (address) => [CLI, 'exec', '-q', address, '--', 'echo', 'x'];
    // a failing session would time nothing: both must work once first (and warm up)
    for (const address of [targets.running, targets.stopped]) execFileSync(process.execPath, argv(address), { stdio: 'ignore', env });
    const times = { running: { first: [], whole: [] }, copy: { first: [], whole: [] } };
    for (let i = 0; i < RUNS; i++) {
      for (const side of i % 2 ? ['copy', 'running'] : ['running', 'copy']) {
        const t = await firstOutput(argv(side === 'copy' ? targets.stopped : targets.running), env);
        times[side].first.push(t.first);
        times[side].whole.push(t.whole);
      }
    }
    const ms = (x) => `${x.toFixed(0).padStart(5)} ms`;
    const m = (side, what) => median(times[side][what]);
    console.log(
      `${`${name}: exec STOPPED vs RUNNING, first output`.padEnd(44)} running ${ms(m('running', 'first'))}  copy ${ms(m('copy', 'first'))}  ` +
        `copy/running ${(m('copy', 'first') / m('running', 'first')).toFixed(2)} (goal <= 2)`,
    );
    console.log(
      `${`${name}: exec STOPPED vs RUNNING, whole session`.padEnd(44)} running ${ms(m('running', 'whole'))}  copy ${ms(m('copy', 'whole'))}  ` +
        `copy/running ${(m('copy', 'whole') / m('running', 'whole')).toFixed(2)}`,
    );
  } catch (e) {
    console.log(`${name}: ${String(e.message ?? e).split('\n')[0]}`);
  } finally {
    engine.down();
  }
}
