/**
 * A stopped containerd (or nerdctl) target removed while sidekick copies it: whatever the moment, the
 * CLI either debugs the copy it made or says in one line that the target went away, and leaves no
 * snapshot, mount, directory or container behind. The target is removed as soon as the copy's first
 * thing exists.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekickProcess } from '../helpers/cli.js';
import { eventually, type StartedTarget } from '../helpers/engines.js';
import { ContainerdEngine } from '../helpers/containerd-engine.js';
import { stoppedDriver } from '../helpers/stopped-targets.js';
import { ENGINES } from './engines.js';

const ctr = (...args: string[]) => execa('ctr', ['--address', '/run/containerd/containerd.sock', '-n', 'default', ...args], { reject: false });

describe.each(ENGINES.filter((e) => e instanceof ContainerdEngine).map((engine) => ({ engine, name: engine.name })))(
  'a stopped target removed during its copy on $name',
  ({ engine }) => {
    const driver = stoppedDriver(engine)!;
    let target: StartedTarget;

    beforeAll(async () => {
      await engine.ready();
      target = await driver.crashed();
    });

    afterAll(async () => {
      if (target) await engine.remove(target);
    });

    it('debugs the copy or says the target went away, in one line, and leaves nothing', async () => {
      const cli = sidekickProcess(['exec', target.address, '--', 'true'], { env: engine.env });
      expect(await eventually(async () => (await driver.leftovers(target)).length > 0, 30_000, 10)).toBe(true);
      await ctr('tasks', 'rm', '-f', target.id);
      await ctr('containers', 'rm', target.id);
      const r = await cli;
      if (r.exitCode !== 0) {
        const lines = String(r.stderr).trim().split('\n');
        expect(lines.at(-1)).toMatch(/^sidekick: (target .* was removed while sidekick was copying it|cannot)/);
        expect(String(r.stderr)).not.toMatch(/\n\s+at /);
      }
      expect(await eventually(async () => (await driver.leftovers(target)).length === 0, 30_000)).toBe(true);
    });
  },
);
