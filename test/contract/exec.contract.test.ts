/**
 * The same `sidekick exec` scenarios against every engine, Kubernetes included: the target's
 * processes, files, network, environment, exit codes, and cleanup. Targets are the distroless fixture
 * (no shell, no tools).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { forScenario, itIf } from './engines.js';

describe.each(forScenario('exec'))('exec on $name', (engine) => {
  let target: StartedTarget;
  let readOnly: StartedTarget;
  let nonRoot: StartedTarget;
  const run = (args: string[], input?: string) => sidekick(['exec', ...args], { env: engine.env, input });

  beforeAll(async () => {
    await engine.ready();
    [target, readOnly, nonRoot] = await Promise.all([
      engine.startTarget(),
      engine.startTarget({ readOnly: true }),
      engine.startTarget({ user: '65532:65532', readOnly: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([target, readOnly, nonRoot].filter(Boolean).map((t) => engine.remove(t)));
    expect(await engine.debuggers()).toEqual([]);
  });

  it("shows the target's processes, PID 1 first", async () => {
    const r = await run([target.address, '--', 'ps', '-o', 'pid,args']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\s*1\s+\/app\/server/m);
  });

  it("shows the target's filesystem as /", async () => {
    const r = await run([target.address, '--', 'sh', '-c', 'ls /; cat /app/data/greeting.txt']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hello from the target filesystem');
    // the target image has no /bin: only its own files are at /
    expect(r.stdout.split('\n')).not.toContain('bin');
    expect(r.stdout.split('\n')).toContain('app');
  });

  it('reaches a port the target never published, on its loopback', async () => {
    const r = await run([target.address, '--', 'wget', '-qO-', 'http://127.0.0.1:6060/']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('loopback only\n');
  });

  it.each([
    [['true'], 0],
    [['sh', '-c', 'exit 7'], 7],
    [['no-such-command'], 127],
  ])('passes on the exit code of %j (%i)', async (command, code) => {
    const r = await run([target.address, '--', ...command]);
    expect(r.exitCode).toBe(code);
  });

  it('keeps stdout and stderr apart', async () => {
    const r = await run([target.address, '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('passes stdin with -i', async () => {
    const r = await run(['-i', target.address, '--', 'wc', '-l'], 'a\nb\nc\n');
    expect(r.stdout.trim()).toBe('3');
  });

  it('runs a shell script from stdin when there is no terminal', async () => {
    const r = await run([target.address], 'echo from-stdin; exit 4\n');
    expect(r.stdout).toBe('from-stdin\n');
    expect(r.exitCode).toBe(4);
  });

  it("gives the target's environment and working directory, -e winning", async () => {
    const r = await run([target.address, '--', 'sh', '-c', 'echo "$APP_MODE $GREETING_FILE"; pwd']);
    expect(r.stdout).toBe('demo /app/data/greeting.txt\n/app\n');
    const over = await run(['-e', 'APP_MODE=debugging', target.address, '--', 'sh', '-c', 'echo $APP_MODE']);
    expect(over.stdout).toBe('debugging\n');
  });

  it('passes shell metacharacters literally', async () => {
    const r = await run([target.address, '--', 'echo', '$(id)', ';', '&&', '`uname`', "'q'"]);
    expect(r.stdout).toBe("$(id) ; && `uname` 'q'\n");
  });

  it('works on a read-only target and writes nothing into it', async () => {
    const r = await run([readOnly.address, '--', 'sh', '-c', 'cat /app/data/greeting.txt; ls -a /']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hello from the target filesystem');
    expect(r.stdout).not.toMatch(/sidekick/);
  });

  it('works on a non-root target without --privileged, and as its user with -u', async () => {
    const asRoot = await run([nonRoot.address, '--', 'cat', '/app/data/greeting.txt']);
    expect(asRoot.exitCode).toBe(0);
    expect(asRoot.stdout).toContain('hello from the target filesystem');
    const asUser = await run(['-u', 'nonroot', nonRoot.address, '--', 'sh', '-c', 'id -u; ls /app/data']);
    expect(asUser.stdout).toBe('65532\ngreeting.txt\n');
    const numeric = await run(['-u', '65532:65532', nonRoot.address, '--', 'id', '-g']);
    expect(numeric.stdout).toBe('65532\n');
  });

  it("runs a dynamically linked toolkit in its own filesystem, the target's at /proc/1/root, and says so", async () => {
    const r = await run(['--image', 'sidekick-fixture/dyntools:latest', target.address, '--', 'sh', '-c', 'pwd; cat data/greeting.txt; ls /proc/1/root/app']);
    expect(r.exitCode, r.stderr).toBe(0);
    // the shell starts in the target's working directory (/app), as the kernel shows it
    expect(r.stdout).toBe('/proc/1/root/app\nhello from the target filesystem\ndata\nserver\n');
    expect(r.stderr).toMatch(/^sidekick: the toolkit's programs cannot run inside the target's root .*: you are in the toolkit's filesystem, the target's is at \/proc\/1\/root\n$/);
  });

  itIf(engine, 'idPrefix')('finds the target by ID prefix', async () => {
    const r = await run([engine.addressOf(target.id.slice(0, 12)), '--', 'true']);
    expect(r.exitCode).toBe(0);
  });
});
