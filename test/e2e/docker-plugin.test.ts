/**
 * The Docker CLI plugin with the real docker CLI: `sidekick plugins install` into $DOCKER_CONFIG
 * (a temporary one here), `docker --help` lists it, `docker sidekick exec NAME` debugs the Docker
 * container NAME, `sidekick plugins uninstall` removes it; failures leave no file behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { dockerEngine, eventually, type StartedTarget } from '../helpers/engines.js';

const docker = (args: string[], config: string) => execa('docker', args, { env: { DOCKER_CONFIG: config }, reject: false, timeout: 60_000 });

describe('the Docker CLI plugin', () => {
  let target: StartedTarget;
  const made: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sk-docker-config-'));
    made.push(dir);
    return dir;
  };
  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
  });
  afterAll(async () => {
    if (target) await dockerEngine.remove(target);
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('installs into $DOCKER_CONFIG/cli-plugins, debugs a container by its bare name, uninstalls', async () => {
    const config = tempDir();
    const installed = await sidekick(['plugins', 'install'], { env: { DOCKER_CONFIG: config } });
    expect(installed.exitCode, installed.stderr).toBe(0);
    const plugin = join(config, 'cli-plugins', 'docker-sidekick');
    expect(statSync(plugin).mode & 0o111).not.toBe(0);
    expect(readdirSync(join(config, 'cli-plugins'))).toEqual(['docker-sidekick']);

    const help = await docker(['--help'], config);
    expect(help.stdout).toMatch(/sidekick\*?\s+Debug any container/);

    const r = await docker(['sidekick', 'exec', target.name, '--', 'sh', '-c', 'ls /; echo err >&2; exit 7'], config);
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toMatch(/^app$/m);
    expect(r.stderr).toBe('err');
    // the engine is shared: only this target's debuggers count (an auto-removed one may still be
    // "Removal In Progress" for a moment after the CLI exits)
    expect(await eventually(async () => (await dockerEngine.debuggers()).every((d) => !d.includes(target.name)), 10_000)).toBe(true);

    const removed = await sidekick(['plugins', 'uninstall'], { env: { DOCKER_CONFIG: config } });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(existsSync(plugin)).toBe(false);
    expect((await docker(['--help'], config)).stdout).not.toMatch(/sidekick/);
    // again: nothing to remove is not a failure
    expect((await sidekick(['plugins', 'uninstall'], { env: { DOCKER_CONFIG: config } })).exitCode).toBe(0);
  });

  it('says in one line when it cannot write the directory, and leaves nothing there', async () => {
    const config = tempDir();
    const plugins = join(config, 'cli-plugins');
    mkdirSync(plugins);
    chmodSync(config, 0o755);
    // nobody may not write root's directory
    const r = await sidekick(['plugins', 'install'], { env: { DOCKER_CONFIG: config, PATH: process.env.PATH! }, asUser: 65534 });
    expectOneLineError(r, /cannot write the Docker plugin into .*cli-plugins \(EACCES\): set DOCKER_CONFIG/);
    expect(readdirSync(plugins)).toEqual([]);
  });

  it('leaves no half-written file when the last step fails', async () => {
    const config = tempDir();
    // a directory where the plugin goes: the temporary file is written, the rename fails
    mkdirSync(join(config, 'cli-plugins', 'docker-sidekick', 'inside'), { recursive: true });
    const r = await sidekick(['plugins', 'install'], { env: { DOCKER_CONFIG: config } });
    expectOneLineError(r, /cannot write the Docker plugin into .*\((EISDIR|ENOTEMPTY|EEXIST)\)/);
    expect(readdirSync(join(config, 'cli-plugins'))).toEqual(['docker-sidekick']);
  });

  it('refuses a Docker CLI too old for plugins', async () => {
    const config = tempDir();
    const bin = tempDir();
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\necho "Docker version 18.09.9, build 039a7df"\n', { mode: 0o755 });
    const r = await sidekick(['plugins', 'install'], { env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` } });
    expectOneLineError(r, /the Docker CLI 18\.9 is too old for CLI plugins \(they came with 19\.03\)/);
    expect(existsSync(join(config, 'cli-plugins', 'docker-sidekick'))).toBe(false);
  });

  it('names the actions it knows', async () => {
    expectOneLineError(await sidekick(['plugins', 'instal']), /Choices: "install", "uninstall"/);
  });
});
