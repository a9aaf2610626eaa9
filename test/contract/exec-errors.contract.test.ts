/** Bad input gets one actionable line, a non-zero exit, no stack trace, and leaves nothing behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { ENGINES } from './engines.js';
import { stoppedDriver } from '../helpers/stopped-targets.js';

describe.each(ENGINES)('exec errors on $name', (engine) => {
  let target: StartedTarget;
  const made: StartedTarget[] = [];
  const run = (args: string[], env: Record<string, string> = {}) =>
    sidekick(['exec', ...args], { env: { ...engine.env, ...env } });

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
    made.push(target);
  });

  afterAll(async () => {
    await Promise.all(made.map((t) => engine.remove(t)));
    expect(await engine.debuggers()).toEqual([]);
  });

  it.each([['docker://'], ['nosuch://x'], ['bad name!'], ['a/b']])('rejects the malformed address %j', async (address) => {
    const r = await run([`${address}`, '--', 'true']);
    expectOneLineError(r, /malformed target address.*: use NAME/);
  });

  it('names an unknown target and says how to list them', async () => {
    const r = await run([`${engine.name}://no-such-container-xyz`, '--', 'true']);
    expectOneLineError(r, /no container "no-such-container-xyz".*sidekick targets/);
  });

  it('says when the target is not running, or fails the copy of a stopped one in one line', async () => {
    const stopped = await engine.createStopped();
    made.push(stopped);
    const r = await run(['--pull', 'never', '--image', 'sidekick-fixture/absent:1', stopped.address, '--', 'true']);
    // where the engine debugs a copy of a stopped target (exec-stopped.contract.test.ts), the copy fails on the image
    if (stoppedDriver(engine)) {
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^sidekick: target is (created|configured): debugging a copy/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^sidekick: image sidekick-fixture\/absent:1 is not on .* --pull never/);
      expect(r.exitCode).not.toBe(0);
    } else {
      expectOneLineError(r, /is not running.*start/);
    }
  });

  it('lists the candidates of an ambiguous ID prefix', async () => {
    // 17 containers guarantee two that share a first hex digit.
    for (let i = 0; i < 17; i++) made.push(await engine.createStopped());
    const ids = await engine.allIds();
    const prefix = '0123456789abcdef'.split('').find((c) => ids.filter((id) => id.startsWith(c)).length > 1)!;
    const r = await run([`${engine.name}://${prefix}`, '--', 'true']);
    expectOneLineError(r, /matches several containers.*give more characters/);
  });

  it('names the socket it tried when the engine is unreachable', async () => {
    const env: Record<string, string> = { [engine.endpointVariable]: 'unix:///nonexistent/engine.sock' };
    const r = await run([`${engine.name}://whatever`, '--', 'true'], env);
    expectOneLineError(r, /cannot reach .* at unix:\/\/\/nonexistent\/engine\.sock/);
  });

  it('says permission denied on the socket', async () => {
    // the CLI as an unprivileged user (nobody) cannot open the root-owned socket
    const r = await sidekick(['exec', `${engine.name}://${target.name}`, '--', 'true'], {
      env: engine.env,
      asUser: 65534,
    });
    expectOneLineError(r, /permission denied on .*sock/);
  });

  it('refuses to pull with --pull never when the image is missing', async () => {
    const r = await run(['--pull', 'never', '--image', 'sidekick-fixture/absent:1', target.address, '--', 'true']);
    expectOneLineError(r, /image sidekick-fixture\/absent:1 is not on .* --pull never/);
  });

  it('reports a failed pull', async () => {
    const r = await run(['-q', '--image', '127.0.0.1:9/sidekick/absent:1', target.address, '--', 'true']);
    expectOneLineError(r, /cannot pull 127\.0\.0\.1:9\/sidekick\/absent:1/);
  });

  it('explains a toolkit image without sh', async () => {
    const r = await run(['--image', 'sidekick-fixture/nosh:latest', target.address, '--', 'true']);
    expectOneLineError(r, /has no sh.*busybox/);
  });

  it('shows the stack trace only with --debug', async () => {
    const r = await run(['--debug', `${engine.name}://no-such-container-xyz`, '--', 'true']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
