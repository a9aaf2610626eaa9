/** A bare NAME is looked up on every local engine: one match is used, several or none are explained. */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { TARGET_IMAGE } from '../helpers/engines.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const podman = new Docker({ socketPath: '/run/podman/podman.sock' });

async function start(engine: Docker, name: string): Promise<Docker.Container> {
  const c = await engine.createContainer({ name, Image: TARGET_IMAGE, Labels: { 'io.sidekick.test': 'target' } });
  await c.start();
  return c;
}

describe('bare names across docker and podman', () => {
  const both = `sk-both-${randomBytes(3).toString('hex')}`;
  const onlyPodman = `sk-pod-${randomBytes(3).toString('hex')}`;
  const made: Docker.Container[] = [];

  beforeAll(async () => {
    made.push(await start(docker, both), await start(podman, both), await start(podman, onlyPodman));
  });

  afterAll(async () => {
    await Promise.all(made.map((c) => c.remove({ force: true }).catch(() => undefined)));
  });

  it('uses the one engine that has the name', async () => {
    const r = await sidekick(['exec', onlyPodman, '--', 'cat', '/app/data/greeting.txt']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('hello from the target filesystem\n');
  });

  it('lists every full address when several engines have it', async () => {
    const r = await sidekick(['exec', both, '--', 'true']);
    expectOneLineError(r, new RegExp(`is on several engines: docker://${both}, podman://${both}.*full addresses`));
  });

  it('names the engines it searched when none has it', async () => {
    const r = await sidekick(['exec', 'sk-nowhere-xyz', '--', 'true']);
    expectOneLineError(r, /no container "sk-nowhere-xyz" on docker or podman/);
  });

  it('explains the endpoint probes under --debug', async () => {
    const r = await sidekick(['exec', '--debug', `docker://${both}`, '--', 'true']);
    expect(r.stderr).toMatch(/docker: unix:\/\/\/var\/run\/docker\.sock from default socket \(probes: DOCKER_HOST \(unset\), \/var\/run\/docker\.sock\)/);
  });
});
