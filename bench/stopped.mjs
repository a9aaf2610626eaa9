// `npm run bench` (or `node bench/stopped.mjs [ENGINE...]` alone): time to the first command in a copy
// of a stopped container against a running target's, per engine: `sidekick exec -q STOPPED -- true`
// vs `sidekick exec -q RUNNING -- true`, interleaved, medians (goal: the copy at most 2x, issue #9).
// An engine that is not set up here is named and skipped (this is a benchmark, not a test).
import { execFileSync } from 'node:child_process';
import { CLI, interleave } from './measure.mjs';

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
    const exec = (address) => [process.execPath, [CLI, 'exec', '-q', address, '--', 'true'], name === 'podman' ? PODMAN_ENV : process.env];
    // a failing session would time nothing: both must work once first
    for (const address of [targets.running, targets.stopped]) execFileSync(...exec(address).slice(0, 2), { stdio: 'ignore', env: exec(address)[2] });
    const m = interleave({ running: exec(targets.running), copy: exec(targets.stopped) }, { runs: RUNS });
    const ms = (x) => `${x.toFixed(0).padStart(5)} ms`;
    console.log(`${`${name}: exec STOPPED vs RUNNING -- true`.padEnd(44)} running ${ms(m.running)}  copy ${ms(m.copy)}  copy/running ${(m.copy / m.running).toFixed(2)} (goal <= 2)`);
  } catch (e) {
    console.log(`${name}: ${String(e.message ?? e).split('\n')[0]}`);
  } finally {
    engine.down();
  }
}
