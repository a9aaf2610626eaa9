/**
 * `sidekick exec` on a container that is not running: the session runs in a disposable copy of its
 * filesystem (writable layer included), the original is left exactly as it was, and nothing the copy
 * needed (container, image, volume) is left behind, also when the CLI is killed.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { ENGINES } from './engines.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const NOTICE = /^sidekick: target is exited \(code 3\): debugging a copy of its filesystem; changes are discarded$/m;

describe.each(ENGINES.filter((e) => e.name in SOCKETS))('exec on a stopped target on $name', (engine) => {
  const docker = new Docker({ socketPath: SOCKETS[engine.name]! });
  const made: StartedTarget[] = [];
  let crashed: StartedTarget;
  const run = (args: string[], input?: string) => sidekick(['exec', ...args], { env: engine.env, input });

  /** A container that wrote a file, then exited with code 3 (or ran as user 65534 and exited). */
  async function createCrashed(user?: string): Promise<StartedTarget> {
    const name = `sk-test-${randomBytes(4).toString('hex')}`;
    const c = await docker.createContainer({
      name,
      Image: 'busybox:musl',
      User: user,
      WorkingDir: '/tmp',
      Env: ['APP_VAR=from-the-engine'],
      Cmd: ['sh', '-c', user ? 'true' : 'echo written-before-the-crash > /tmp/crash.log; exit 3'],
      Labels: { 'io.sidekick.test': 'target' },
    });
    await c.start();
    await c.wait();
    const t = { name, id: c.id, address: `${engine.name}://${name}` };
    made.push(t);
    return t;
  }

  const state = async (t: StartedTarget) => {
    const info = await docker.getContainer(t.id).inspect();
    return { status: info.State.Status, exitCode: info.State.ExitCode, restarts: info.RestartCount, startedAt: info.State.StartedAt };
  };
  const diff = async (t: StartedTarget) => JSON.stringify(await docker.getContainer(t.id).changes());
  /** everything sidekick made for this target: containers, images, volumes (all labelled with its id) */
  const leftovers = async (t: StartedTarget) => {
    const filters = { label: [`io.sidekick.target=${t.id}`] };
    const containers = await docker.listContainers({ all: true, filters });
    const images = await docker.listImages({ all: true, filters });
    const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
    return [...containers.map((c) => c.Id), ...images.map((i) => i.Id), ...volumes.map((v) => v.Name)];
  };

  beforeAll(async () => {
    await engine.ready();
    crashed = await createCrashed();
  });

  afterAll(async () => {
    await Promise.all(made.map((t) => engine.remove(t)));
  });

  it('runs a command in a copy with the files, env and workdir of the crashed container', async () => {
    const before = { state: await state(crashed), diff: await diff(crashed) };
    const r = await run([crashed.address, '--', 'sh', '-c', 'cat /tmp/crash.log; pwd; echo "$APP_VAR"; echo scratch > /tmp/new; exit 7']);
    expect(r.stderr.split('\n')[0]).toMatch(NOTICE);
    expect(r.stdout.split('\n')).toEqual(['written-before-the-crash', '/tmp', 'from-the-engine', '']);
    expect(r.exitCode).toBe(7);
    expect(await state(crashed)).toEqual(before.state);
    expect(await diff(crashed)).toEqual(before.diff);
    expect(await leftovers(crashed)).toEqual([]);
  });

  it("runs as the container's user", async () => {
    const nobody = await createCrashed('65534');
    const r = await run([nobody.address, '--', 'id', '-u']);
    expect(r.stderr.split('\n')[0]).toMatch(/^sidekick: target is exited \(code 0\)/);
    expect(r.stdout).toBe('65534\n');
    expect(r.exitCode).toBe(0);
    expect(await leftovers(nobody)).toEqual([]);
  });

  it("keeps the container's user under --profile restricted, and -u overrides it", async () => {
    const nobody = await createCrashed('65534');
    const restricted = await run(['--profile', 'restricted', nobody.address, '--', 'id', '-u']);
    expect(restricted.stdout).toBe('65534\n');
    expect(restricted.exitCode).toBe(0);
    const asRoot = await run(['-u', '0', nobody.address, '--', 'id', '-u']);
    expect(asRoot.stdout).toBe('0\n');
    expect(asRoot.exitCode).toBe(0);
    expect(await leftovers(nobody)).toEqual([]);
  });

  it('has the toolkit on PATH in a copy of a never-started target with no shell', async () => {
    const created = await engine.createStopped();
    made.push(created);
    const r = await run([created.address, '--', 'sh', '-c', 'ls /app; command -v wget']);
    expect(r.stderr.split('\n')[0]).toMatch(/^sidekick: target is (created|configured): debugging a copy/);
    expect(r.stdout).toMatch(/server/);
    expect(r.stdout).toMatch(/wget/);
    expect(r.exitCode).toBe(0);
    expect((await state(created)).status).toMatch(/created|configured/);
    expect(await leftovers(created)).toEqual([]);
  });

  it('says nothing with -q and reads a script from stdin', async () => {
    const r = await run(['-q', crashed.address], 'cat /tmp/crash.log\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('written-before-the-crash\n');
    expect(r.exitCode).toBe(0);
  });

  it('leaves nothing behind when the CLI is killed', async () => {
    const before = await diff(crashed);
    const cli = sidekickProcess(['exec', crashed.address, '--', 'sleep', '60'], { env: engine.env });
    const running = async () => (await docker.listContainers({ filters: { label: [`io.sidekick.target=${crashed.id}`, 'io.sidekick.role=debugger'] } })).length > 0;
    expect(await eventually(running, 30_000)).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await leftovers(crashed)).length === 0, 30_000)).toBe(true);
    expect(await diff(crashed)).toEqual(before);
    expect((await state(crashed)).status).toBe('exited');
  });

  it('leaves nothing behind when the CLI is killed while the copy is being made', async () => {
    const cli = sidekickProcess(['exec', crashed.address, '--', 'true'], { env: engine.env });
    // the reaper is armed before the commit: killed as soon as the first thing of the copy exists
    expect(await eventually(async () => (await leftovers(crashed)).length > 0, 30_000, 20)).toBe(true);
    cli.kill('SIGKILL');
    await cli.catch(() => undefined);
    expect(await eventually(async () => (await leftovers(crashed)).length === 0, 30_000)).toBe(true);
    expect((await state(crashed)).status).toBe('exited');
  });

  it('cleans up on SIGINT and exits non-zero', async () => {
    const cli = sidekickProcess(['exec', crashed.address, '--', 'sleep', '60'], { env: engine.env });
    const running = async () => (await docker.listContainers({ filters: { label: [`io.sidekick.target=${crashed.id}`, 'io.sidekick.role=debugger'] } })).length > 0;
    expect(await eventually(running, 30_000)).toBe(true);
    cli.kill('SIGINT');
    const result = await cli;
    expect(result.exitCode).not.toBe(0);
    expect(await leftovers(crashed)).toEqual([]);
  });
});
