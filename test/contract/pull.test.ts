/**
 * The pull path against a real registry (a local one: scripts/engines/registry.sh): a missing
 * toolkit is pulled with progress shown, --pull always pulls again, and the session then works.
 * Docker only for now: Podman and containerd would need this plain-HTTP registry declared insecure.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import { dockerEngine, type StartedTarget } from '../helpers/engines.js';
import { PtySession } from '../helpers/pty.js';

const IMAGE = '127.0.0.1:5055/sidekick/toolkit:pull-test';
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const forget = () => docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);

describe('pulling the toolkit from a registry (docker)', () => {
  let target: StartedTarget;

  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
  });

  afterAll(async () => {
    await dockerEngine.remove(target);
    await forget();
  });

  it('pulls a missing toolkit, says so, and runs the command', async () => {
    await forget();
    const r = await sidekick(['exec', '--image', IMAGE, target.address, '--', 'cat', '/app/data/greeting.txt']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from the target filesystem\n');
    expect(r.stderr).toBe(`Pulling ${IMAGE}...\nPulled ${IMAGE}\n`);
  });

  it('pulls again with --pull always, and not at all with -q', async () => {
    const r = await sidekick(['exec', '--pull', 'always', '-q', '--image', IMAGE, target.address, '--', 'true']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('shows the progress on one line at a terminal', async () => {
    await forget();
    const session = new PtySession(['exec', '--image', IMAGE, target.address, '--', 'true']);
    try {
      expect(await session.exited).toBe(0);
      expect(session.text).toMatch(/\r\x1b\[2KPulled 127\.0\.0\.1:5055\/sidekick\/toolkit:pull-test/);
      expect(session.text).not.toMatch(/Pulling [^\n]*\.\.\.\r?\n/);
    } finally {
      session.kill();
    }
  });
});
