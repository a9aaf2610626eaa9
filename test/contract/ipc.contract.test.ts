/**
 * The IPC namespace: a target made to share it is joined on every engine; where an engine cannot
 * join the target's (Docker's default private IPC), the debugger says so, and never differs silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { forScenario } from './engines.js';

const compare = ['--', 'sh', '-c', 'readlink /proc/self/ns/ipc; readlink /proc/1/ns/ipc'];
const NOTE = /IPC namespace not shared: the target's ipc mode is "private" \(run it with --ipc=shareable to share it\)/;

describe.each(forScenario('ipc'))('IPC namespace on $name', (engine) => {
  let shareable: StartedTarget;
  let plain: StartedTarget;

  beforeAll(async () => {
    await engine.ready();
    [shareable, plain] = await Promise.all([engine.startTarget({ ipcShareable: true }), engine.startTarget()]);
  });

  afterAll(async () => {
    await Promise.all([shareable, plain].filter(Boolean).map((t) => engine.remove(t)));
  });

  const namespaces = async (target: StartedTarget) => {
    const r = await sidekick(['exec', '--debug', target.address, ...compare], { env: engine.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const [own, targets] = r.stdout.trim().split('\n');
    expect(own).toMatch(/^ipc:\[\d+\]$/);
    return { joined: own === targets, stderr: r.stderr };
  };

  it("joins a shareable target's IPC namespace", async () => {
    const { joined, stderr } = await namespaces(shareable);
    expect(joined).toBe(true);
    expect(stderr).not.toMatch(/IPC namespace not shared/);
  });

  it('joins it, or says why not', async () => {
    const { joined, stderr } = await namespaces(plain);
    if (joined) expect(stderr).not.toMatch(/IPC namespace not shared/);
    else expect(stderr).toMatch(NOTE);
  });
});
