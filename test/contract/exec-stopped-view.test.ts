/**
 * A stopped target's copy seen as the original saw its root: the original's bind mounts and named
 * volume (read-only: they are the original's), its tmpfs (fresh), its hostname, /sys, and a /dev whose
 * /dev/pts holds the session's terminal (`tty` names it, a shell in a pseudo-terminal works); the
 * original and its volume unchanged, and nothing left. containerd and nerdctl mount the copy's root
 * over the original's snapshot (copy-view.ts); Docker and Podman run a container of the committed
 * image with the original's mounts given again (copy-mounts.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';
import { MOUNTED, stoppedDriver } from '../helpers/stopped-targets.js';
import { forScenario } from './engines.js';

describe.each(forScenario('copyView').map((engine) => ({ engine, name: engine.name })))(
  "a stopped target's copy sees what the original saw on $name",
  ({ engine }) => {
    const driver = stoppedDriver(engine)!;
    const dir = mkdtempSync(join(tmpdir(), 'sk-copy-bind-'));
    let target: StartedTarget;
    let hostname: string;
    let volume: string | undefined;
    let before: { state: unknown; diff: string };
    const run = (args: string[]) => sidekick(['exec', '-q', ...args], { env: engine.env });

    beforeAll(async () => {
      await engine.ready();
      writeFileSync(join(dir, 'host.txt'), 'from-the-host\n');
      ({ target, hostname, volume } = await driver.crashedWithMounts!(dir));
      before = { state: await driver.state(target), diff: await driver.diff(target) };
    });

    afterAll(async () => {
      if (target) await engine.remove(target);
      if (volume) await driver.removeVolume?.(volume);
      rmSync(dir, { recursive: true, force: true });
    });

    it("the original's bind mounts (read-only), volume and tmpfs; its hostname; /sys and its cgroups", async () => {
      const script = [
        `cat ${MOUNTED.bind}/host.txt`,
        `touch ${MOUNTED.bind}/new 2>/dev/null && echo wrote || echo read-only`,
        `grep -c '^tmpfs ${MOUNTED.tmpfs} ' /proc/mounts`,
        'hostname',
        'test -d /sys/class/net && echo sys',
        // cgroup v1 (a tmpfs of controllers) or v2
        'test -d /sys/fs/cgroup/memory -o -f /sys/fs/cgroup/cgroup.controllers && echo cgroups',
        `cat ${MOUNTED.volume}/file 2>/dev/null || echo no-volume`,
        `touch ${MOUNTED.volume}/new 2>/dev/null && echo wrote || echo read-only`,
        // what the app wrote into its tmpfs went with it
        `ls ${MOUNTED.tmpfs}`,
      ].join('; ');
      const r = await run([target.address, '--', 'sh', '-c', script]);
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines.slice(0, 6)).toEqual(['from-the-host', 'read-only', '1', hostname, 'sys', 'cgroups']);
      // a named volume where the engine makes one (nerdctl -v NAME:/vol), with what the app wrote into it
      expect(lines[6]).toBe(volume ? MOUNTED.volumeFile : 'no-volume');
      expect(lines.slice(7)).toEqual(['read-only', '']);
      expect(r.exitCode).toBe(0);
      expect(readdirSync(dir)).toEqual(['host.txt']);
    });

    it('/dev as a container has it, with /dev/pts; without a terminal, `tty` says so', async () => {
      const r = await run([target.address, '--', 'sh', '-c', 'ls /dev/pts; test -c /dev/null && test -L /dev/fd && test -d /dev/shm && echo dev; tty']);
      expect(r.stdout).toBe('ptmx\ndev\nnot a tty\n');
      expect(r.exitCode).toBe(1);
    });

    it('a shell in a pseudo-terminal: `tty` names its terminal in /dev/pts, the exit code comes back', async () => {
      const session = new PtySession(['exec', target.address], { env: engine.env });
      try {
        let at = await session.expect(/\] \S+ # /, 0, 60_000);
        session.write('tty; ls /dev/pts | tr "\\n" " "; echo end\r');
        at = await session.expect(/\/dev\/pts\/(\d+)\r*\n(?:\S+ )*\1 (?:\S+ )*ptmx end/, at);
        session.write('stty size\r');
        at = await session.expect(/^30 100\r*$/m, at);
        session.write('exit 3\r');
        expect(await session.exited).toBe(3);
      } finally {
        session.kill();
      }
    });

    it("leaves nothing when the CLI is killed mid-session (the hostname's namespace included)", async () => {
      const cli = sidekickProcess(['exec', target.address, '--', 'sleep', '60'], { env: engine.env });
      expect(await eventually(() => driver.debuggerRunning(target), 30_000)).toBe(true);
      cli.kill('SIGKILL');
      await cli.catch(() => undefined);
      expect(await eventually(async () => (await driver.leftovers(target)).length === 0, 30_000)).toBe(true);
    });

    it('leaves the original as it was, and nothing behind', async () => {
      expect(await driver.state(target)).toEqual(before.state);
      expect(await driver.diff(target)).toEqual(before.diff);
      expect(await driver.leftovers(target)).toEqual([]);
    });
  },
);
