/**
 * `sidekick exec image://REF`: a session in a disposable container of a local image, on the first of
 * Docker, Podman and containerd that has it; the image is left as it was and nothing the session needed stays.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { TARGET_IMAGE } from '../helpers/engines.js';
import { forScenario } from './engines.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const podman = new Docker({ socketPath: '/run/podman/podman.sock' });
const run = (args: string[]) => sidekick(['exec', ...args]);

/** containers and volumes sidekick made for an image address (labelled with the address) */
async function leftovers(engine: Docker, address: string): Promise<string[]> {
  const filters = { label: [`io.sidekick.target-name=${address}`] };
  const containers = await engine.listContainers({ all: true, filters });
  const volumes = (await engine.listVolumes({ filters })).Volumes ?? [];
  return [...containers.map((c) => c.Id), ...volumes.map((v) => v.Name)];
}

describe('exec on an image (Docker, Podman)', () => {
  const podmanOnly = { repo: `sidekick-test/only-podman-${randomBytes(4).toString('hex')}`, tag: '1' };
  const podmanRef = `${podmanOnly.repo}:${podmanOnly.tag}`;

  beforeAll(async () => {
    await Promise.all(forScenario('imageTargets').map((e) => e.ready()));
    await podman.getImage(TARGET_IMAGE).tag(podmanOnly);
  });

  afterAll(async () => {
    // only this name goes: without force, the fixture image keeps its own
    await podman.getImage(podmanRef).remove().catch(() => undefined);
  });

  it('runs a command in a container of the image with its env and workdir, and leaves nothing', async () => {
    const address = `image://${TARGET_IMAGE}`;
    const before = (await docker.getImage(TARGET_IMAGE).inspect()).Id;
    const r = await run([address, '--', 'sh', '-c', 'pwd; echo "$APP_MODE"; ls /app; echo scratch > /app/new; exit 5']);
    expect(r.stderr.split('\n')[0]).toBe('sidekick: target is an image: debugging a disposable container of it; changes are discarded');
    expect(r.stdout).toBe('/app\ndemo\ndata\nserver\n');
    expect(r.exitCode).toBe(5);
    expect((await docker.getImage(TARGET_IMAGE).inspect()).Id).toBe(before);
    expect(await leftovers(docker, address)).toEqual([]);
    // a second session does not see the first one's file
    const again = await run(['-q', address, '--', 'ls', '/app']);
    expect(again.stdout).toBe('data\nserver\n');
  });

  it('uses Podman when only Podman has the image', async () => {
    expect(await docker.getImage(podmanRef).inspect().then(() => true, () => false)).toBe(false);
    const address = `image://${podmanRef}`;
    const r = await run(['-q', address, '--', 'sh', '-c', 'echo "$APP_MODE"']);
    expect(r.stdout).toBe('demo\n');
    expect(r.exitCode).toBe(0);
    expect(await leftovers(podman, address)).toEqual([]);
  });

  it('fails in one line with --pull never and a missing image, leaving nothing', async () => {
    const address = 'image://sidekick-fixture/absent:1';
    const r = await run(['--pull', 'never', address, '--', 'true']);
    expectOneLineError(r, /image sidekick-fixture\/absent:1 is not on Docker, Podman or containerd and --pull never forbids pulling/);
    expect(await leftovers(docker, address)).toEqual([]);
    expect(await leftovers(podman, address)).toEqual([]);
  });
});
