/**
 * `sidekick port-forward` against every engine, Kubernetes included: ports the target never published
 * (its loopback, a host only it can resolve), bytes both ways, many connections at once, a large
 * transfer intact, a refused connection that ends only itself, and a session that leaves nothing behind.
 * Every scenario runs through each way connections reach the target on that engine: exec (nc in a
 * debugger, through the engine) everywhere; nsenter (a socket from the target's namespace; the tests
 * run as root beside the engine) where the engine runs here; and, on Kubernetes, the API's
 * pods/portforward with no debugger at all, which --via auto takes for the pod's own ports
 * (test/k8s/port-forward-native.test.ts has what is its own: other hosts beside it, RBAC fallback).
 * The local ports are learnt from the --json lines the CLI prints once it forwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { connect, createServer, type Server } from 'node:net';
import { exchange } from '../helpers/sockets.js';
import { startForward, type Forward, type Session } from '../helpers/port-forward.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { debuggersLeft, debuggersOf, forScenario, has, itIf } from './engines.js';

// Each engine declares whether --via nsenter can work on it (it runs here and names the target's
// process: capability nsenter), and whether it forwards to the target's own ports itself (capability
// nativePorts), which --via auto then takes with no debugger. `shows`: the "via" of its --json lines.
const ENGINES = forScenario('portForward');
const CASES = ENGINES.flatMap((engine) => [
  { engine, via: 'exec', shows: 'exec', viaDebugger: true },
  ...(has(engine, 'nsenter') ? [{ engine, via: 'nsenter', shows: 'nsenter', viaDebugger: true }] : []),
  ...(has(engine, 'nativePorts') ? [{ engine, via: 'auto', shows: 'portforward', viaDebugger: false }] : []),
]).map((c) => ({ ...c, label: `${c.engine.name} via ${c.shows}` }));

const httpGet = async (port: number) => (await exchange(port, 'GET / HTTP/1.0\r\n\r\n')).toString();

describe.each(CASES)('port-forward on $label', ({ engine, via, shows, viaDebugger }) => {
  let target: StartedTarget;
  const started: StartedTarget[] = [];
  let session: Session;
  const portOf = (remote: string) => session.forwards.find((f) => f.remote === remote)!.port;
  const debuggers = (t: StartedTarget) => debuggersOf(engine, [t]);
  /** a forward's own debugger: one where connections go through one, none through the engine's own forwarding */
  const own = viaDebugger ? 1 : 0;
  /**
   * How many debuggers of this target run: at once where debuggers come and go with their session,
   * and once the kubelet's status caught up where they are ephemeral containers (it reports one
   * running, or ended, up to a status cycle after it did).
   */
  const settled = async (t: StartedTarget, expected: number) => {
    let count = -1;
    await eventually(async () => (count = (await debuggers(t)).length) === expected, has(engine, 'removableDebuggers') ? 0 : 20_000);
    return count;
  };

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
    started.push(target);
    // one session, several forwards at once
    session = await startForward(engine, ['--via', via, target.address, '6060', '0:127.0.0.1:7070', '8080'], 3);
  });

  afterAll(async () => {
    session?.cli.kill('SIGTERM');
    const result = await session?.cli;
    // before the targets go: a deleted pod's debuggers are not counted
    const left = await debuggersLeft(engine, started);
    await Promise.all(started.map((t) => engine.remove(t)));
    expect(result?.exitCode, String(result?.stderr)).toBe(143);
    expect(left).toEqual([]);
  });

  it('prints one JSON line per forward, on a free local port, with one debugger for them all (none without one)', async () => {
    expect(session.forwards.map((f) => [f.target, f.remote, f.via])).toEqual([
      [target.address, '127.0.0.1:6060', shows],
      [target.address, '127.0.0.1:7070', shows],
      [target.address, '127.0.0.1:8080', shows],
    ]);
    for (const f of session.forwards) expect(f.local).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await settled(target, own)).toBe(own);
  });

  it("reaches a port that listens on the target's loopback only", async () => {
    expect(await httpGet(portOf('127.0.0.1:6060'))).toMatch(/^HTTP\/1\.0 200[^]*\r\n\r\nloopback only\n$/);
    expect(await httpGet(portOf('127.0.0.1:8080'))).toMatch(/hello from sidekick target\n$/);
  });

  it('carries bytes both ways through the echo port, with a half-close', async () => {
    const payload = randomBytes(256 * 1024);
    const back = await exchange(portOf('127.0.0.1:7070'), payload);
    expect(back.equals(payload)).toBe(true);
  });

  it('relays 50 parallel connections through one forward, each with its own data', async () => {
    const port = portOf('127.0.0.1:7070');
    const payloads = Array.from({ length: 50 }, (_, i) => Buffer.concat([Buffer.from(`connection ${i}\n`), randomBytes(32 * 1024)]));
    const answers = await Promise.all(payloads.map((p) => exchange(port, p)));
    answers.forEach((answer, i) => expect(answer.equals(payloads[i]!), `connection ${i}`).toBe(true));
  });

  it('moves 100 MB intact (sha256 on both sides)', async () => {
    const total = 100 * 1024 * 1024;
    const sentHash = createHash('sha256');
    const gotHash = createHash('sha256');
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(portOf('127.0.0.1:7070'), '127.0.0.1');
      socket.on('data', (c: Buffer) => {
        got += c.length;
        gotHash.update(c);
      });
      socket.on('end', resolve);
      socket.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const chunk = randomBytes(1024 * 1024);
          sentHash.update(chunk);
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    expect(got).toBe(total);
    expect(gotHash.digest('hex')).toBe(sentHash.digest('hex'));
  }, 180_000);

  itIf(engine, 'networks')('reaches a host that only the target can resolve, on a network only it joins', async () => {
    // The peer sits on a user-defined network with the target and is known there as backend.internal,
    // a name only the target's resolver answers: the engine's DNS seen from inside its namespace
    // (Docker, Podman), or its /etc/hosts (containerd and nerdctl, as nerdctl writes it). (On Docker
    // and Podman its IP would be routable from this Linux host; what the scenario shows is a name and
    // a container as the target sees them, through the target's own resolver.)
    const network = await engine.createNetwork();
    try {
      const peer = await engine.startTarget({ network, networkAliases: ['backend.internal'], env: ['PORT=8181'] });
      started.push(peer);
      const inside = await engine.startTarget({ network });
      started.push(inside);
      await expect(lookup('backend.internal')).rejects.toThrow();
      const s = await startForward(engine, ['--via', via, inside.address, 'backend.internal:8181'], 1);
      try {
        expect(s.forwards[0]!.remote).toBe('backend.internal:8181');
        expect(await httpGet(s.forwards[0]!.port)).toMatch(/hello from sidekick target\n$/);
      } finally {
        s.cli.kill('SIGINT');
        await s.cli;
        await Promise.all([peer, inside].map((t) => engine.remove(t)));
      }
    } finally {
      await engine.removeNetwork(network);
    }
  });

  it('a refused connection closes only that connection, never the forward', async () => {
    const s = await startForward(engine, ['--via', via, target.address, '6061', '7070'], 2);
    const [refused, echo] = s.forwards as [Forward, Forward];
    // nothing listens on 6061 inside the target: the local connection ends without a byte
    expect((await exchange(refused.port, 'GET / HTTP/1.0\r\n\r\n').catch(() => Buffer.alloc(0))).length).toBe(0);
    expect((await exchange(echo.port, 'still here')).toString()).toBe('still here');
    // the refused forward still listens
    expect((await exchange(refused.port, 'again').catch(() => Buffer.alloc(0))).length).toBe(0);
    // the local socket can close before the CLI has written its line (the relay ends the socket
    // first): wait for both lines rather than racing the interrupt against them
    const failedLines = () => s.stderr().split('\n').filter((l) => l.includes('failed'));
    await eventually(async () => failedLines().length >= 2);
    s.cli.kill('SIGINT');
    const result = await s.cli;
    expect(result.exitCode).toBe(130);
    const failures = String(result.stderr)
      .split('\n')
      .filter((l) => l.includes('failed'));
    expect(failures).toHaveLength(2);
    // Podman's exec stream sometimes loses nc's message (see src/port-forward/relay.ts); the line says so.
    expect(failures[0]).toMatch(/^sidekick: connection to 127\.0\.0\.1:6061 in .* failed: (.*refused|nc exited with code 1 before answering, and the engine lost its message)/i);
  });

  it('SIGINT removes its debugger (ends it, where debuggers stay) and exits 130', async () => {
    const s = await startForward(engine, ['-q', '--via', via, target.address, '8080'], 1);
    expect(await settled(target, 2 * own)).toBe(2 * own); // the shared session's and this one
    s.cli.kill('SIGINT');
    const result = await s.cli;
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toBe('');
    expect(await settled(target, own)).toBe(own);
  });

  it('reports a target that stops and exits 123', async () => {
    const doomed = await engine.startTarget();
    started.push(doomed);
    const s = await startForward(engine, ['--via', via, doomed.address, '8080'], 1);
    await engine.kill(doomed);
    const result = await s.cli;
    expect(result.exitCode).toBe(123);
    const removed = viaDebugger ? ' and the debugger was removed' : '';
    expect(String(result.stderr)).toMatch(new RegExp(`^sidekick: the target ${doomed.address.replace(/[/.]/g, '\\$&')} stopped; port-forward ended${removed}$`, 'm'));
    expect(await eventually(async () => (await debuggers(doomed)).length === 0)).toBe(true);
  });

  it('with --follow-restarts, refuses connections while the target is down and forwards again once it runs', async () => {
    const phoenix = await engine.startTarget();
    started.push(phoenix);
    const s = await startForward(engine, ['--via', via, '--follow-restarts', phoenix.address, '8080'], 1);
    const port = s.forwards[0]!.port;
    let stderr = '';
    s.cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await httpGet(port)).toMatch(/hello from sidekick target/);

    await engine.crash(phoenix);
    expect(await eventually(async () => stderr.includes('waiting for it to run again'), 60_000)).toBe(true);
    // Where a crashed container stays down until started again; the kubelet restarts a pod's at once.
    if (has(engine, 'stoppedTargets')) {
      expect(await debuggers(phoenix)).toEqual([]);
      expect((await exchange(port, 'GET / HTTP/1.0\r\n\r\n').catch(() => Buffer.alloc(0))).length).toBe(0);
      const refusedLine = /connection to 127\.0\.0\.1:8080 in .* refused: the target .* is not running/;
      expect(await eventually(async () => refusedLine.test(stderr), 5_000)).toBe(true);
    }

    await engine.startAgain(phoenix);
    const answers = async () => /hello from sidekick target/.test(await httpGet(port).catch(() => ''));
    expect(await eventually(answers, 90_000, 250)).toBe(true);
    expect(stderr).toMatch(/runs again; forwarding resumes/);
    expect(await settled(phoenix, own)).toBe(own);
    s.cli.kill('SIGINT');
    expect((await s.cli).exitCode).toBe(130);
    expect(await eventually(async () => (await debuggers(phoenix)).length === 0, 20_000)).toBe(true);
  }, 180_000);
});

describe.each(ENGINES)('port-forward errors on $name: one line, a hint, nothing left behind', (engine) => {
  let target: StartedTarget;
  const started: StartedTarget[] = [];

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
    started.push(target);
  });

  afterAll(async () => {
    // before the targets go: a deleted pod's debuggers are not counted
    const left = await debuggersOf(engine, started);
    await Promise.all(started.map((t) => engine.remove(t)));
    expect(left).toEqual([]);
  });

  const run = (args: string[], env: Record<string, string> = {}) => sidekick(['port-forward', ...args], { env: { ...engine.env, ...env } });

  it.each([['8080:'], ['http'], ['1:2:3:4:5'], ['9000:-e:80']])('rejects the spec %j', async (spec) => {
    expectOneLineError(await run([target.address, spec]), /bad port-forward spec .*: use \[\[LOCAL_HOST:\]LOCAL_PORT:\]/);
  });

  it('says when the local port is in use', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await run([target.address, '7070', `${port}:8080`]);
      expectOneLineError(r, new RegExp(`local port 127\\.0\\.0\\.1:${port} is already in use: pick another`));
    } finally {
      busy.close();
    }
    expect(await debuggersOf(engine, [target])).toEqual([]);
  });

  it('names an unknown target', async () => {
    expectOneLineError(await run([engine.addressOf('no-such-container-xyz'), '8080']), engine.notFound('no-such-container-xyz'));
  });

  itIf(engine, 'stoppedTargets')('says when the target is not running', async () => {
    const stopped = await engine.createStopped();
    started.push(stopped);
    expectOneLineError(await run([stopped.address, '8080']), /is not running.*start/);
  });

  itIf(engine, 'endpointSocket')('names the socket it tried when the engine is unreachable', async () => {
    const variable = engine.endpointVariable;
    const env = { [variable]: 'unix:///nonexistent/engine.sock' };
    expectOneLineError(await run([`${engine.name}://whatever`, '8080'], env), /cannot reach .* at unix:\/\/\/nonexistent\/engine\.sock/);
  });
});
