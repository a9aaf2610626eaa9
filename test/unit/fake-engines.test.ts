/**
 * The logic above the seam, against engines in memory (test/helpers/fake-runtime.ts): a bare name
 * asked of every local engine, port-forward's rounds as the target stops, runs again and its engine
 * goes away, and cleanup's choice of what is stale. Fast; the real engines' tests prove the rest.
 */
import { connect as tcpConnect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanupCommand, isStale } from '../../src/commands/sessions.js';
import { portForwardCommand } from '../../src/commands/port-forward.js';
import { EXIT, UserError } from '../../src/errors.js';
import { parseAddress } from '../../src/runtimes/address.js';
import { resolveTarget } from '../../src/runtimes/engines.js';
import type { EngineName } from '../../src/runtimes/address.js';
import type { DebuggerInfo } from '../../src/runtimes/runtime.js';
import { eventually } from '../helpers/engines.js';
import { fakeEngines, type FakeRuntime } from '../helpers/fake-runtime.js';

let engines: Record<EngineName, FakeRuntime>;
let restore: () => void;
beforeEach(() => {
  ({ engines, restore } = fakeEngines());
});
afterEach(() => restore());

const LOCAL = ['docker', 'podman', 'containerd', 'nerdctl'] as const;
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as UserError);

describe('a bare name, asked of every local engine', () => {
  it.each(LOCAL)('is found when only %s has it, after asking every local engine', async (engine) => {
    engines[engine].add('app');
    const { runtime, target } = await resolveTarget(parseAddress('app'));
    expect(runtime.engine).toBe(engine);
    expect(target.address).toBe(`${engine}://app`);
    for (const e of LOCAL) expect(engines[e].asked, e).toEqual(['app']);
    expect(engines.kubernetes.asked).toEqual([]);
  });

  it('lists every full address when several engines have it', async () => {
    engines.podman.add('app');
    engines.nerdctl.add('app');
    const e = await failure(resolveTarget(parseAddress('app')));
    expect(e?.kind).toBe('ambiguous');
    expect(e?.line).toBe('"app" is on several engines: podman://app, nerdctl://app: use one of these full addresses');
  });

  it('names only the engines that answered when none has it', async () => {
    engines.podman.unreachable = true;
    const e = await failure(resolveTarget(parseAddress('app')));
    expect(e?.kind).toBe('not-found');
    expect(e?.message).toBe('no container "app" on docker or containerd or nerdctl');
  });

  it('says no engine is reachable when none answers', async () => {
    for (const e of LOCAL) engines[e].unreachable = true;
    const e = await failure(resolveTarget(parseAddress('app')));
    expect(e?.kind).toBe('unreachable');
    expect(e?.message).toBe('no container engine is reachable (searched docker, podman, containerd, nerdctl)');
  });

  it("reports one engine's real problem (not running, an ambiguous prefix) over the others' not-found", async () => {
    engines.containerd.add('app', { running: false });
    expect((await failure(resolveTarget(parseAddress('app'))))?.kind).toBe('not-running');
    engines.containerd.containers.length = 0;
    engines.docker.add('one', { idPrefix: 'ab1' });
    engines.docker.add('two', { idPrefix: 'ab2' });
    expect((await failure(resolveTarget(parseAddress('ab'))))?.line).toMatch(/^"ab" matches several containers on docker: give more characters$/);
  });

  it('asks only the engine a full address names', async () => {
    engines.podman.add('app');
    const { target } = await resolveTarget(parseAddress('podman://app'));
    expect(target.address).toBe('podman://app');
    expect(engines.docker.asked).toEqual([]);
  });
});

/** Sends a payload, half-closes, and collects the answer ('' when the connection is refused). */
function exchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString()));
    socket.on('end', () => resolve(got));
    socket.on('error', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.end(payload);
  });
}

describe('port-forward rounds', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  /** Starts the command; resolves its local port once it announced it. */
  async function forward(followRestarts: boolean) {
    const run = portForwardCommand({ target: 'docker://app', specs: ['7070'], json: true, via: 'exec', quiet: true, followRestarts }).then(
      (code) => ({ code }),
      (error: unknown) => ({ error: error as UserError }),
    );
    expect(await eventually(async () => lines.length > 0, 5_000, 10)).toBe(true);
    const announced = JSON.parse(lines[0]!) as { local: string; via: string; remote: string };
    expect(announced).toMatchObject({ via: 'exec', remote: '127.0.0.1:7070' });
    return { run, port: Number(announced.local.split(':').pop()) };
  }

  it('ends with 123 and removes its debugger when the target stops', async () => {
    const docker = engines.docker;
    docker.add('app', { echoPorts: [7070] });
    const { run, port } = await forward(false);
    expect(await exchange(port, 'ping')).toBe('ping');
    docker.stop('app');
    expect(await run).toEqual({ code: EXIT.TARGET_STOPPED });
    expect(docker.live()).toEqual([]);
  });

  it('with --follow-restarts, refuses while the target is down, forwards through a new debugger once it runs, and ends with 122 when the engine goes', async () => {
    const docker = engines.docker;
    docker.add('app', { echoPorts: [7070] });
    const { run, port } = await forward(true);
    expect(await exchange(port, 'first')).toBe('first');
    expect(docker.debuggers).toHaveLength(1);

    docker.stop('app');
    expect(await eventually(async () => docker.live().length === 0, 10_000, 20)).toBe(true);
    expect(await exchange(port, 'while down')).toBe('');

    docker.start('app');
    expect(await eventually(async () => (await exchange(port, 'again')) === 'again', 10_000, 50)).toBe(true);
    expect(docker.debuggers).toHaveLength(2);
    expect(docker.live()).toHaveLength(1);

    docker.lose();
    const ended = await run;
    expect('error' in ended && ended.error.exitCode).toBe(EXIT.ENGINE_LOST);
    expect('error' in ended && ended.error.message).toMatch(/^lost docker at unix:\/\/\/fake\/docker\.sock during the session/);
    expect(docker.live()).toEqual([]);
    expect(docker.connections).toBe(2);
  }, 30_000);
});

describe('cleanup', () => {
  const info = (engine: EngineName, name: string, running: boolean, owner?: string): DebuggerInfo => ({
    engine,
    id: `${engine}://${name}`,
    name,
    target: `${engine}://app`,
    status: running ? 'running' : 'exited',
    running,
    created: new Date(0),
    owner,
  });
  const host = 'this-host';
  const alive = (pid: number) => pid === 100;

  it('calls a debugger stale when it ended, or its CLI on this host is gone; never one of another host', () => {
    expect(isStale(info('docker', 'ended', false), host, alive)).toBe(true);
    expect(isStale(info('docker', 'orphan', true, `root@${host}:200`), host, alive)).toBe(true);
    expect(isStale(info('docker', 'live', true, `root@${host}:100`), host, alive)).toBe(false);
    expect(isStale(info('docker', 'elsewhere', true, 'root@other-host:200'), host, alive)).toBe(false);
    expect(isStale(info('docker', 'unowned', true), host, alive)).toBe(false);
  });

  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('removes the ended ones on every engine and leaves live sessions alone; --all removes those too', async () => {
    engines.docker.listed.push(info('docker', 'ended', false), info('docker', 'live', true, `root@elsewhere:1`));
    engines.containerd.listed.push(info('containerd', 'ended-too', false));
    engines.podman.unreachable = true; // an engine that does not answer is left out, not an error
    expect(await cleanupCommand({ all: false, quiet: false, engineOptions: {} })).toBe(0);
    expect([...engines.docker.removedAddresses, ...engines.containerd.removedAddresses]).toEqual(['docker://ended', 'containerd://ended-too']);
    expect(out).toEqual(['removed docker debugger ended (target docker://app)\n', 'removed containerd debugger ended-too (target containerd://app)\n']);

    out.length = 0;
    expect(await cleanupCommand({ all: false, quiet: false, engineOptions: {} })).toBe(0);
    expect(out).toEqual(['nothing to clean up\n']);
    await cleanupCommand({ all: true, quiet: false, engineOptions: {} });
    expect(engines.docker.removedAddresses).toEqual(['docker://ended', 'docker://live']);
  });

  it('says nothing of an ended debugger its engine cannot remove (an ephemeral container), and counts it out', async () => {
    engines.containerd.listed.push(info('containerd', 'ended', false));
    const cannot = vi.spyOn(engines.containerd, 'removeDebugger').mockResolvedValue(undefined);
    expect(await cleanupCommand({ all: false, quiet: false, engineOptions: {} })).toBe(0);
    expect(cannot).toHaveBeenCalledTimes(1);
    expect(out).toEqual(['nothing to clean up\n']);
  });

  it('--engine asks just that engine, and one that does not answer is then an error, not an empty list', async () => {
    engines.docker.listed.push(info('docker', 'ended', false));
    engines.containerd.listed.push(info('containerd', 'ended-too', false), info('containerd', 'live', true, 'root@elsewhere:1'));
    expect(await cleanupCommand({ all: true, quiet: false, engineOptions: { listOn: 'containerd' } })).toBe(0);
    expect(engines.docker.removedAddresses).toEqual([]);
    expect(engines.containerd.removedAddresses).toEqual(['containerd://ended-too', 'containerd://live']);
    engines.podman.unreachable = true;
    const e = await failure(cleanupCommand({ all: true, quiet: true, engineOptions: { listOn: 'podman' } }));
    expect(e?.message).toMatch(/^cannot reach podman at /);
  });

  it('--only asks just the engine its address names', async () => {
    engines.nerdctl.listed.push(info('nerdctl', 'one', true, `root@${host}:100`));
    engines.docker.unreachable = true;
    await cleanupCommand({ all: false, quiet: false, only: 'nerdctl://one', engineOptions: {} });
    expect(engines.nerdctl.removedAddresses).toEqual(['nerdctl://one']);
    expect(out).toEqual(['removed nerdctl debugger one (target nerdctl://app)\n']);
    out.length = 0;
    await cleanupCommand({ all: false, quiet: false, only: 'nerdctl://one', engineOptions: {} });
    expect(out).toEqual(['nothing to clean up\n']);
    expect((await failure(cleanupCommand({ all: false, quiet: true, only: 'one', engineOptions: {} })))?.message).toBe('"one" is not a debugger\'s address');
  });
});
