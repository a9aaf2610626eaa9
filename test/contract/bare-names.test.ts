/**
 * A bare NAME is looked up on every local engine (Docker, Podman, containerd, nerdctl): one match is
 * used, several or none are explained. Each engine has a target only it holds, so a search that
 * skipped one engine fails here.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { containerdEngine, nerdctlEngine } from '../helpers/containerd-engine.js';
import { TARGET_IMAGE, type StartedTarget } from '../helpers/engines.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const podman = new Docker({ socketPath: '/run/podman/podman.sock' });

async function start(engine: Docker, name: string): Promise<Docker.Container> {
  const c = await engine.createContainer({ name, Image: TARGET_IMAGE, Labels: { 'io.sidekick.test': 'target' } });
  await c.start();
  return c;
}

describe('bare names across every local engine', () => {
  const both = `sk-both-${randomBytes(3).toString('hex')}`;
  const onlyPodman = `sk-pod-${randomBytes(3).toString('hex')}`;
  const onlyDocker = `sk-dock-${randomBytes(3).toString('hex')}`;
  const made: Docker.Container[] = [];
  let onContainerd: StartedTarget | undefined;
  let onNerdctl: StartedTarget | undefined;

  beforeAll(async () => {
    await Promise.all([containerdEngine.ready(), nerdctlEngine.ready()]);
    made.push(await start(docker, both), await start(podman, both), await start(podman, onlyPodman), await start(docker, onlyDocker));
    onContainerd = await containerdEngine.startTarget();
    onNerdctl = await nerdctlEngine.startTarget();
  });

  afterAll(async () => {
    await Promise.all(made.map((c) => c.remove({ force: true }).catch(() => undefined)));
    if (onContainerd) await containerdEngine.remove(onContainerd);
    if (onNerdctl) await nerdctlEngine.remove(onNerdctl);
  });

  /** The address the CLI settled on, from its --debug trace. */
  const chosen = (stderr: string) => /target (\S+) \(/.exec(stderr)?.[1];

  it.each([
    ['docker', () => onlyDocker, () => `docker://${onlyDocker}`],
    ['podman', () => onlyPodman, () => `podman://${onlyPodman}`],
    ['containerd', () => onContainerd!.name, () => onContainerd!.address],
    ['nerdctl', () => onNerdctl!.name, () => onNerdctl!.address],
  ])('finds a target that only %s has', async (_engine, name, address) => {
    const r = await sidekick(['exec', '--debug', name(), '--', 'cat', '/app/data/greeting.txt']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from the target filesystem\n');
    expect(chosen(r.stderr)).toBe(address());
  });

  it('lists every full address when several engines have it', async () => {
    const r = await sidekick(['exec', both, '--', 'true']);
    expectOneLineError(r, new RegExp(`is on several engines: docker://${both}, podman://${both}.*full addresses`));
  });

  it('names the engines it searched when none has it', async () => {
    const r = await sidekick(['exec', 'sk-nowhere-xyz', '--', 'true']);
    expectOneLineError(r, /no container "sk-nowhere-xyz" on docker or podman or containerd or nerdctl:/);
  });

  it('explains the endpoint probes under --debug', async () => {
    const r = await sidekick(['exec', '--debug', `docker://${both}`, '--', 'true']);
    expect(r.stderr).toMatch(/docker: unix:\/\/\/var\/run\/docker\.sock from default socket \(probes: DOCKER_HOST \(unset\), \/var\/run\/docker\.sock\)/);
  });
});
