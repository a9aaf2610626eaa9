/**
 * `sidekick exec image://REF --engine E`: the engine is the user's pick (Docker, Podman, containerd,
 * nerdctl), and `--pull always` pulls the image there first (from the local registry). On containerd
 * and nerdctl the container is a copy of the image's unpacked layers (a snapshot of sidekick's own
 * over them, mounted): the image is left as it was and no snapshot, mount or container stays.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { TARGET_IMAGE } from '../helpers/engines.js';
import { containerdEngine } from '../helpers/containerd-engine.js';
import { ENGINES } from './engines.js';

const run = (args: string[]) => sidekick(['exec', ...args]);
const ctr = async (...args: string[]) => (await execa('ctr', ['--address', '/run/containerd/containerd.sock', '-n', 'default', ...args])).stdout;
// Pushed here once (a tag of their own: other suites pull and forget theirs meanwhile).
const REGISTRY = '127.0.0.1:5055/sidekick-test';
const PULLED_TARGET = `${REGISTRY}/image-target:1`;
const PULLED_TOOLKIT = `${REGISTRY}/toolkit:1`;

/** what an image session on containerd leaves: labelled containers, the copy's snapshot, directory and mount */
async function containerdLeftovers(address: string, name: string): Promise<string[]> {
  const copy = `sidekick-copy-sidekick-${name}-`;
  const containers = (await ctr('containers', 'ls', '-q', `labels."io.sidekick.target-name"==${address}`)).split('\n').filter(Boolean);
  const snapshots = (await ctr('snapshots', 'ls')).split('\n').map((l) => l.split(/\s+/)[0]!).filter((k) => k.startsWith(copy));
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(copy));
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(copy));
  return [...containers, ...snapshots, ...dirs, ...mounts];
}

describe.each(['containerd', 'nerdctl'])('exec on an image with --engine %s', (engine) => {
  beforeAll(() => containerdEngine.ready());

  it('runs a command in a copy of the image with its env and workdir, and leaves nothing', async () => {
    const address = `image://${TARGET_IMAGE}`;
    const before = await ctr('images', 'ls', `name==docker.io/${TARGET_IMAGE}`);
    const r = await run(['--engine', engine, address, '--', 'sh', '-c', 'pwd; echo "$APP_MODE"; ls /app; echo scratch > /app/new; exit 5']);
    expect(r.stderr.split('\n')[0]).toBe('sidekick: target is an image: debugging a disposable container of it; changes are discarded');
    expect(r.stdout).toBe('/app\ndemo\ndata\nserver\n');
    expect(r.exitCode).toBe(5);
    expect(await ctr('images', 'ls', `name==docker.io/${TARGET_IMAGE}`)).toBe(before);
    expect(await containerdLeftovers(address, 'target-latest')).toEqual([]);
    // a second session does not see the first one's file
    const again = await run(['-q', '--engine', engine, address, '--', 'ls', '/app']);
    expect(again.stdout).toBe('data\nserver\n');
  });
});

describe('exec on an image: choosing and pulling', () => {
  beforeAll(async () => {
    await Promise.all(ENGINES.filter((e) => ['docker', 'podman', 'containerd'].includes(e.name)).map((e) => e.ready()));
    for (const [from, to] of [
      [TARGET_IMAGE, PULLED_TARGET],
      ['busybox:musl', PULLED_TOOLKIT],
    ] as const) {
      await execa('docker', ['tag', from, to]);
      await execa('docker', ['push', to]);
      await execa('docker', ['rmi', to]);
    }
  }, 120_000);

  afterAll(async () => {
    for (const ref of [PULLED_TARGET, PULLED_TOOLKIT]) await ctr('images', 'rm', ref).catch(() => undefined);
  });

  it('looks only on the engine --engine names, and --pull never does not pull', async () => {
    // on Docker only
    const ref = `sidekick-test/only-docker-${process.pid}:1`;
    await execa('docker', ['tag', TARGET_IMAGE, ref]);
    try {
      const r = await run(['--engine', 'podman', '--pull', 'never', `image://${ref}`, '--', 'true']);
      expectOneLineError(r, new RegExp(`image ${ref.replace(/[/.]/g, '\\$&')} is not on Podman and --pull never forbids pulling`));
      const docker = await run(['-q', '--engine', 'docker', `image://${ref}`, '--', 'sh', '-c', 'echo "$APP_MODE"']);
      expect(docker.stdout).toBe('demo\n');
    } finally {
      await execa('docker', ['rmi', ref]);
    }
  });

  it('pulls the image on the chosen engine first with --pull always, then debugs it', async () => {
    await ctr('images', 'rm', PULLED_TARGET, PULLED_TOOLKIT).catch(() => undefined);
    const address = `image://${PULLED_TARGET}`;
    const r = await run(['--engine', 'containerd', '--pull', 'always', '--image', PULLED_TOOLKIT, address, '--', 'sh', '-c', 'echo "$APP_MODE"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('demo\n');
    expect(r.stderr).toMatch(new RegExp(`Pulled ${PULLED_TARGET.replace(/[/.]/g, '\\$&')}`));
    expect(await ctr('images', 'ls', '-q', `name==${PULLED_TARGET}`)).toBe(PULLED_TARGET);
    expect(await containerdLeftovers(address, 'image-target-1')).toEqual([]);
  });

  it('refuses --engine with an address that names its engine', async () => {
    expectOneLineError(await run(['--engine', 'docker', 'podman://web', '--', 'true']), /--engine picks the engine of an image:\/\/REF address/);
  });
});
