/**
 * The pull path against a real registry (a local one on plain HTTP: scripts/engines/registry.sh), on
 * every local engine: a missing toolkit is pulled with progress shown, --pull always pulls again, and
 * the session then works. Docker treats a loopback registry as insecure; Podman is told so by the
 * registries.conf of scripts/engines/podman.sh; sidekick has ctr pull from it in plain HTTP (for
 * containerd and nerdctl alike).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';
import { forScenario } from './engines.js';

const IMAGE = '127.0.0.1:5055/sidekick/toolkit:pull-test';
/** The local registry logs each request (scripts/engines/registry.sh): a pull asks for the manifest. */
const manifestRequests = () => readFileSync('/var/log/sidekick/registry.log', 'utf8').split('\n').filter((l) => l.includes('/v2/sidekick/toolkit/manifests/pull-test')).length;
describe.each(forScenario('pull'))('pulling the toolkit from a registry ($name)', (engine) => {
  let target: StartedTarget;
  const run = (args: string[]) => sidekick(['exec', ...args], { env: engine.env });
  // Only this name goes: the image is a copy of busybox:musl, which keeps its own.
  const forget = async () => {
    await engine.forgetImage(IMAGE);
    expect(await engine.hasImage(IMAGE), `${IMAGE} is still on ${engine.name}`).toBe(false);
  };

  beforeAll(async () => {
    await engine.ready();
    target = await engine.startTarget();
  });

  afterAll(async () => {
    if (target) await engine.remove(target);
    await engine.forgetImage(IMAGE);
  });

  describe('with the toolkit missing', () => {
    beforeEach(forget);

    it('pulls it, says so, and runs the command', async () => {
      const r = await run(['--image', IMAGE, target.address, '--', 'cat', '/app/data/greeting.txt']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('hello from the target filesystem\n');
      expect(r.stderr).toBe(`Pulling ${IMAGE}...\nPulled ${IMAGE}\n`);
      expect(await engine.hasImage(IMAGE)).toBe(true);
    });

    it('shows the progress on one line at a terminal', async () => {
      const session = new PtySession(['exec', '--image', IMAGE, target.address, '--', 'true'], { env: engine.env });
      try {
        expect(await session.exited, session.text).toBe(0);
        // an updating line with the engine's status, redrawn in place, then the final line
        const drawn = session.text.search(/\r\x1b\[2KPulling 127\.0\.0\.1:5055\/sidekick\/toolkit:pull-test: \S/);
        const done = session.text.search(/\r\x1b\[2KPulled 127\.0\.0\.1:5055\/sidekick\/toolkit:pull-test/);
        expect(drawn, session.text).toBeGreaterThanOrEqual(0);
        expect(done).toBeGreaterThan(drawn);
        expect(session.text).not.toMatch(/Pulling [^\n]*\.\.\.\r?\n/);
      } finally {
        session.kill();
      }
    });

    it('pulls nothing with --pull never', async () => {
      const r = await run(['--pull', 'never', '--image', IMAGE, target.address, '--', 'true']);
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(/--pull never/);
      expect(await engine.hasImage(IMAGE)).toBe(false);
    });
  });

  it('pulls again with --pull always, and not at all with -q', async () => {
    await run(['--image', IMAGE, target.address, '--', 'true']); // the toolkit is there
    const before = manifestRequests();
    const r = await run(['--pull', 'always', '-q', '--image', IMAGE, target.address, '--', 'true']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(manifestRequests()).toBeGreaterThan(before);
    expect(await engine.hasImage(IMAGE)).toBe(true);
  });

  it('shows a pull with --pull always although the toolkit is there, and does not pull by default', async () => {
    const before = manifestRequests();
    const again = await run(['--image', IMAGE, target.address, '--', 'true']);
    expect(again.stderr).toBe('');
    expect(manifestRequests()).toBe(before);
    const r = await run(['--pull', 'always', '--image', IMAGE, target.address, '--', 'true']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe(`Pulling ${IMAGE}...\nPulled ${IMAGE}\n`);
    expect(manifestRequests()).toBeGreaterThan(before);
  });
});
