/**
 * `sidekick exec` on a container that is not running: the session runs in a disposable copy of its
 * filesystem (writable layer included), the original is left exactly as it was, and nothing the copy
 * needed (container, image, volume, snapshot, mount) is left behind, also when the CLI is killed.
 * Every engine with the "stopped targets" capability (test/helpers/stopped-targets.ts) runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { CRASH, stoppedDriver, type StoppedDriver } from '../helpers/stopped-targets.js';
import { forScenario } from './engines.js';

const NOTICE = /^sidekick: target is exited \(code 3\): debugging a copy of its filesystem; changes are discarded$/m;
const CAPABLE = forScenario('stoppedCopy');

describe.each(CAPABLE.map((engine) => ({ engine, name: engine.name })))('exec on a stopped target on $name', ({ engine }) => {
  const driver: StoppedDriver = stoppedDriver(engine)!;
  const made: StartedTarget[] = [];
  let crashed: StartedTarget;
  const run = (args: string[], input?: string) => sidekick(['exec', ...args], { env: engine.env, input });
  const keep = async (t: Promise<StartedTarget>) => {
    const target = await t;
    made.push(target);
    return target;
  };

  beforeAll(async () => {
    await engine.ready();
    crashed = await keep(driver.crashed());
  });

  afterAll(async () => {
    await Promise.all(made.map((t) => engine.remove(t)));
  });

  it('runs a command in a copy with the files, env and workdir of the crashed container', async () => {
    const before = { state: await driver.state(crashed), diff: await driver.diff(crashed) };
    const r = await run([crashed.address, '--', 'sh', '-c', `cat ${CRASH.file}; pwd; echo "$APP_VAR"; echo scratch > /tmp/new; exit 7`]);
    expect(r.stderr.split('\n')[0]).toMatch(NOTICE);
    expect(r.stdout.split('\n')).toEqual([CRASH.text, CRASH.workdir, 'from-the-engine', '']);
    expect(r.exitCode).toBe(7);
    expect(await driver.state(crashed)).toEqual(before.state);
    expect(await driver.diff(crashed)).toEqual(before.diff);
    expect(await driver.leftovers(crashed)).toEqual([]);
  });

  it('with a dynamically linked toolkit: one line where the copy is the debugger\'s root (Docker, Podman), the toolkit\'s own filesystem elsewhere; nothing left', async () => {
    const r = await run(['--image', 'sidekick-fixture/dyntools:latest', crashed.address, '--', 'pwd']);
    if (engine.name === 'docker' || engine.name === 'podman') {
      expect(r.stderr.split('\n').slice(1)).toEqual([
        'sidekick: the toolkit sidekick-fixture/dyntools:latest cannot run inside the copy: its sh is dynamically linked: use a statically linked toolkit for stopped containers, e.g. --image busybox:musl',
        '',
      ]);
      expect(r.stdout).toBe('');
      expect(r.exitCode).toBe(125);
    } else {
      // the copy's workdir, where the toolkit's filesystem shows the copy
      expect(r.stderr).toMatch(/you are in the toolkit's filesystem/);
      expect(r.stdout.endsWith(`${CRASH.workdir}\n`), r.stdout).toBe(true);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    expect(await driver.leftovers(crashed)).toEqual([]);
  });

  it("runs as the container's user", async () => {
    const nobody = await keep(driver.asNobody());
    const r = await run([nobody.address, '--', 'id', '-u']);
    expect(r.stderr.split('\n')[0]).toMatch(/^sidekick: target is (exited \(code 0\)|created): debugging a copy/);
    expect(r.stdout).toBe('65534\n');
    expect(r.exitCode).toBe(0);
    expect(await driver.leftovers(nobody)).toEqual([]);
  });

  it("keeps the container's user under --profile restricted, and -u overrides it", async () => {
    const nobody = await keep(driver.asNobody());
    const restricted = await run(['--profile', 'restricted', nobody.address, '--', 'id', '-u']);
    expect(restricted.stdout).toBe('65534\n');
    expect(restricted.exitCode).toBe(0);
    const asRoot = await run(['-u', '0', nobody.address, '--', 'id', '-u']);
    expect(asRoot.stdout).toBe('0\n');
    expect(asRoot.exitCode).toBe(0);
    expect(await driver.leftovers(nobody)).toEqual([]);
  });

  it('has the toolkit on PATH in a copy of a never-started target with no shell', async () => {
    const created = await keep(engine.createStopped());
    const r = await run([created.address, '--', 'sh', '-c', 'ls /app; command -v wget']);
    expect(r.stderr.split('\n')[0]).toMatch(/^sidekick: target is (created|configured): debugging a copy/);
    expect(r.stdout).toMatch(/server/);
    expect(r.stdout).toMatch(/wget/);
    expect(r.exitCode).toBe(0);
    expect((await driver.state(created)).status).toMatch(/created|configured/);
    expect(await driver.leftovers(created)).toEqual([]);
  });

  it('says nothing with -q and reads a script from stdin', async () => {
    const r = await run(['-q', crashed.address], `cat ${CRASH.file}\n`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${CRASH.text}\n`);
    expect(r.exitCode).toBe(0);
  });

  it('leaves nothing behind when the CLI is killed', async () => {
    const before = { state: await driver.state(crashed), diff: await driver.diff(crashed) };
    const cli = sidekickProcess(['exec', crashed.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await eventually(() => driver.debuggerRunning(crashed), 30_000)).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await driver.leftovers(crashed)).length === 0, 30_000)).toBe(true);
    expect(await driver.diff(crashed)).toEqual(before.diff);
    expect(await driver.state(crashed)).toEqual(before.state);
  });

  it('leaves nothing behind when the CLI is killed while the copy is being made', async () => {
    const cli = sidekickProcess(['exec', crashed.address, '--', 'true'], { env: engine.env });
    // the reaper is armed before the first step: killed as soon as the first thing of the copy exists
    expect(await eventually(async () => (await driver.leftovers(crashed)).length > 0, 30_000, 20)).toBe(true);
    cli.kill('SIGKILL');
    await cli.catch(() => undefined);
    expect(await eventually(async () => (await driver.leftovers(crashed)).length === 0, 30_000)).toBe(true);
    expect((await driver.state(crashed)).status).toMatch(/exited|stopped/);
  });

  it('cleans up on SIGINT and exits non-zero', async () => {
    const cli = sidekickProcess(['exec', crashed.address, '--', 'sleep', '60'], { env: engine.env });
    expect(await eventually(() => driver.debuggerRunning(crashed), 30_000)).toBe(true);
    cli.kill('SIGINT');
    const result = await cli;
    expect(result.exitCode).not.toBe(0);
    expect(await driver.leftovers(crashed)).toEqual([]);
  });
});
