/**
 * A stopped target removed while sidekick copies it (Docker, Podman): whatever the moment, the CLI
 * either debugs the copy it made or says in one line that the target went away, and leaves nothing
 * behind (no copy, holder, image or volume). The target is removed as soon as the CLI announces the
 * copy, while a large writable layer keeps the commit busy.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekickProcess } from '../helpers/cli.js';
import type { StartedTarget } from '../helpers/engines.js';
import { ENGINES } from './engines.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };

describe.each(ENGINES.filter((e) => e.name in SOCKETS))('a stopped target removed during its copy on $name', (engine) => {
  const docker = new Docker({ socketPath: SOCKETS[engine.name]! });
  let target: StartedTarget;

  beforeAll(async () => {
    await engine.ready();
    const name = `sk-test-${randomBytes(4).toString('hex')}`;
    // ~200 MB written before the crash: committing it takes a while
    const c = await docker.createContainer({
      name,
      Image: 'busybox:musl',
      Cmd: ['sh', '-c', 'head -c 200000000 /dev/urandom > /big; echo app-log > /app.log; exit 3'],
      Labels: { 'io.sidekick.test': 'target' },
    });
    await c.start();
    await c.wait();
    target = { name, id: c.id, address: `${engine.name}://${name}` };
  }, 120_000);

  afterAll(async () => {
    if (target) await engine.remove(target);
  });

  it('debugs the copy or says the target went away, in one line; nothing is left', async () => {
    const cli = sidekickProcess(['exec', target.address, '--', 'cat', '/app.log'], { env: engine.env, timeout: 120_000 });
    let removed: Promise<unknown> | undefined;
    cli.stderr!.on('data', (chunk: Buffer) => {
      if (!removed && /debugging a copy of its filesystem/.test(chunk.toString())) removed = docker.getContainer(target.id).remove({ force: true });
    });
    const done = await cli;
    const r = { exitCode: done.exitCode ?? -1, stdout: String(done.stdout), stderr: String(done.stderr) };
    await removed;
    expect(removed, r.stderr).toBeDefined();
    if (r.exitCode === 0) expect(r.stdout).toBe('app-log\n');
    else expectOneLineError({ ...r, stderr: r.stderr.replace(/^sidekick: target is exited.*\n/, '') }, new RegExp(`target ${target.address} was removed while sidekick was copying it`));
    const filters = { label: [`io.sidekick.target=${target.id}`] };
    const left = [
      ...(await docker.listContainers({ all: true, filters })).map((c) => c.Names[0]),
      ...(await docker.listImages({ all: true, filters })).map((i) => i.Id),
      ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name),
    ];
    expect(left).toEqual([]);
  }, 150_000);
});
