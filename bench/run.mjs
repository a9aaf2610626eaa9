// `npm run bench`: sidekick against the engine's own floor, runs interleaved, medians and ratios.
// Not a test: it prints figures and never fails on them.
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { CLI, NODE, RUNS, cdebug, compare, median, peakRssMb, reportSides, timeIt } from './measure.mjs';

// root and a writable root filesystem: cdebug links its toolkit into the target's root
const TARGET = 'sidekick-bench-target';

// port-forward: an echo round trip of BENCH_FORWARD_MB (200 MB each way) through `sidekick port-forward`
// against the same transfer over the port published with `docker run -p` (docker-proxy), interleaved;
// then the time from connect() to the first echoed byte, and the CLI's time until it forwards.
const FWD_TARGET = 'sidekick-bench-forward';
const FWD_MB = Number(process.env.BENCH_FORWARD_MB ?? 200);
const FWD_RUNS = Number(process.env.BENCH_FORWARD_RUNS ?? 5);

/** Sends `bytes` to an echo port and waits for all of them to come back; resolves with the time taken. */
function echoRoundTrip(port, bytes) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1 << 20, 0x5a);
    const start = process.hrtime.bigint();
    const socket = connect(port, '127.0.0.1');
    let got = 0;
    let sent = 0;
    socket.on('data', (c) => (got += c.length));
    socket.on('end', () => (got === bytes ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`echo: ${got} of ${bytes} bytes`))));
    socket.on('error', reject);
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
}

/** connect() to the first echoed byte, in ms. */
function firstByte(port) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const socket = connect(port, '127.0.0.1', () => socket.write('x'));
    socket.once('data', () => {
      resolve(Number(process.hrtime.bigint() - start) / 1e6);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** Starts `sidekick port-forward --json` and resolves once it forwards, with its local port and start-up time. */
function startForward(via, target, remotePort) {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'port-forward', '-q', '--json', '--via', via, `docker://${target}`, String(remotePort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (!out.includes('\n')) return;
      const line = JSON.parse(out.split('\n')[0]);
      resolve({ child, port: Number(line.local.split(':').pop()), via: line.via, startMs: Number(process.hrtime.bigint() - start) / 1e6 });
    });
    child.once('exit', (code) => reject(new Error(`port-forward --via ${via} exited with ${code}`)));
  });
}

async function benchPortForward() {
  execFileSync('docker', ['rm', '-f', FWD_TARGET], { stdio: 'ignore' });
  execFileSync('docker', ['run', '-d', '--name', FWD_TARGET, '-p', '127.0.0.1::7070', 'sidekick-fixture/target:latest'], { stdio: 'ignore' });
  try {
    const published = Number(execFileSync('docker', ['port', FWD_TARGET, '7070']).toString().trim().split('\n')[0].split(':').pop());
    const bytes = FWD_MB * 1024 * 1024;
    for (const via of ['nsenter', 'exec']) {
      const fwd = await startForward(via, FWD_TARGET, 7070);
      try {
        const label = `port-forward --via ${fwd.via}`;
        await echoRoundTrip(published, bytes);
        await echoRoundTrip(fwd.port, bytes);
        const direct = [];
        const forwarded = [];
        for (let i = 0; i < FWD_RUNS; i++) {
          direct.push(await echoRoundTrip(published, bytes));
          forwarded.push(await echoRoundTrip(fwd.port, bytes));
        }
        const mbps = (ms) => ((2 * FWD_MB) / (ms / 1000)).toFixed(0).padStart(5);
        console.log(
          `${`${label}: ${FWD_MB} MB echo`.padEnd(44)} sidekick ${median(forwarded).toFixed(0).padStart(5)} ms  floor ${median(direct).toFixed(0).padStart(5)} ms  ` +
            `throughput ratio ${(median(direct) / median(forwarded)).toFixed(2)}  (goal >= 0.8; ${mbps(median(forwarded))} vs ${mbps(median(direct))} MB/s both ways)`,
        );
        const latencyDirect = [];
        const latencyForwarded = [];
        for (let i = 0; i < RUNS; i++) {
          latencyDirect.push(await firstByte(published));
          latencyForwarded.push(await firstByte(fwd.port));
        }
        console.log(
          `${`${label}: connect to first byte`.padEnd(44)} sidekick ${median(latencyForwarded).toFixed(1).padStart(5)} ms  floor ${median(latencyDirect).toFixed(1).padStart(5)} ms  ` +
            `(CLI forwarding after ${fwd.startMs.toFixed(0)} ms)`,
        );
      } finally {
        if (fwd.child.exitCode === null && fwd.child.signalCode === null) {
          fwd.child.kill('SIGINT');
          await new Promise((r) => fwd.child.once('exit', r));
        }
      }
    }
  } finally {
    execFileSync('docker', ['rm', '-f', FWD_TARGET], { stdio: 'ignore' });
  }
}

const CDEBUG = cdebug();
execFileSync('docker', ['rm', '-f', TARGET], { stdio: 'ignore' });
execFileSync('docker', ['run', '-d', '--name', TARGET, 'sidekick-fixture/target:latest'], { stdio: 'ignore' });
try {
  console.log(`${RUNS} interleaved runs each, medians`);
  compare('startup: sidekick --version vs node -e 0', [process.execPath, [CLI, '--version']], NODE, '<= 1.3', RUNS, false);
  // docker: the floor, cdebug and sidekick on the same target, interleaved
  const exec = {
    floor: ['docker', ['run', '--rm', `--pid=container:${TARGET}`, `--network=container:${TARGET}`, 'busybox:musl', 'true']],
    ...(CDEBUG && { cdebug: [CDEBUG, ['exec', '--rm', '-q', '--image', 'busybox:musl', `docker://${TARGET}`, 'true']] }),
    sidekick: [process.execPath, [CLI, 'exec', '-q', `docker://${TARGET}`, '--', 'true']],
  };
  reportSides('docker: exec T -- true', { ...exec, node: NODE }, { cdebug: '<= 1.5' });
  // peak RSS of the CLI's process: a session that runs `true`, and one that streams 50 MB of output
  const rss = (file, args) => `${median(Array.from({ length: 5 }, () => peakRssMb(file, args))).toFixed(0)} MB`;
  const stream = ['--', 'head', '-c', '50000000', '/dev/zero'];
  console.log(
    `${'docker: peak RSS of exec T -- true'.padEnd(44)} sidekick ${rss(...exec.sidekick)}${CDEBUG ? `  cdebug ${rss(...exec.cdebug)}` : ''}  ` +
      `(-- head -c 50MB /dev/zero: sidekick ${rss(process.execPath, [CLI, 'exec', '-q', `docker://${TARGET}`, ...stream])}; goal <= 80 MB)`,
  );
  const diag = [];
  for (let i = 0; i < RUNS; i++) diag.push(timeIt(process.execPath, [CLI, 'diagnose', `docker://${TARGET}`, '--json']));
  console.log(`${'docker: diagnose T --json wall time'.padEnd(44)} median ${median(diag).toFixed(0).padStart(5)} ms  (goal < 2000 ms)`);
  await benchPortForward();
} finally {
  execFileSync('docker', ['rm', '-f', TARGET], { stdio: 'ignore' });
}
