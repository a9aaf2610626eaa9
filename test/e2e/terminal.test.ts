/**
 * A person at a terminal: the prompt appears, ps shows the target, a resize reaches `stty size`,
 * ^C stops the remote command (not sidekick), ^P is not swallowed, and `exit 3` exits sidekick with 3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedTarget } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';
import { ENGINES } from '../contract/engines.js';

describe.each(ENGINES)('interactive shell on $name', (engine) => {
  let target: StartedTarget;

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
  });

  afterAll(async () => {
    await engine.remove(target);
    expect(await engine.debuggers()).toEqual([]);
  });

  it('behaves like a shell inside the target', async () => {
    const session = new PtySession(['exec', target.address], { cols: 100, rows: 30, env: engine.env });
    try {
      let at = await session.expect(/\[sidekick [^\]]+\] \/app # /);

      session.write('ps -o pid,args\r');
      at = await session.expect(/1\s+\/app\/server/, at);

      session.write('stty size\r');
      at = await session.expect(/30 100/, at);
      session.resize(120, 40);
      await new Promise((r) => setTimeout(r, 300));
      session.write('stty size\r');
      at = await session.expect(/40 120/, at);

      // ^C reaches the remote command; the session goes on
      session.write('sleep 30\r');
      await new Promise((r) => setTimeout(r, 500));
      session.write('\x03');
      at = await session.expect(/\/app # /, at);
      session.write('echo still-here\r');
      at = await session.expect(/\nstill-here\r*\n/, at);

      // ^P goes through to the remote side (no detach keys in the way)
      session.write('cat -v\r');
      await new Promise((r) => setTimeout(r, 300));
      session.write('\x10\r\x04');
      at = await session.expect(/\^P/, at);

      session.write('exit 3\r');
      expect(await session.exited).toBe(3);
    } finally {
      session.kill();
    }
  });
});
