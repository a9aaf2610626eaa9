/**
 * What `npm pack` makes, installed as a user installs it: offline, from the tarball, into a prefix
 * of its own; then its `sidekick` run from another directory against a real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerEngine, type StartedTarget } from '../helpers/engines.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sk-npm-package-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'sidekick');

describe('the npm package', () => {
  let target: StartedTarget;
  let tarball: string;
  let install: { exitCode?: number; stderr: string };

  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
    // prepack builds dist/ first
    const pack = await execa('npm', ['pack', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: ROOT });
    tarball = join(work, (JSON.parse(String(pack.stdout)) as Array<{ filename: string }>)[0]!.filename);
    const r = await execa('npm', ['install', '-g', '--prefix', prefix, tarball, '--offline', '--no-audit', '--no-fund'], { cwd: work, reject: false });
    install = { exitCode: r.exitCode, stderr: String(r.stderr) };
  }, 300_000);
  afterAll(async () => {
    if (target) await dockerEngine.remove(target);
    rmSync(work, { recursive: true, force: true });
  });

  it('carries the built CLI and its bins, no tests, fixtures or sources', async () => {
    const files = String((await execa('tar', ['tzf', tarball])).stdout).split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/dist/cli.js', 'package/dist/boot.js', 'package/dist/package.json', 'package/bin/package.json', 'package/dist/reaper.js', 'package/dist/docker-sidekick.js', 'package/bin/sidekick.js', 'package/bin/kubectl-sidekick.js', 'package/README.md']));
    expect(files.filter((f) => /^package\/(test|fixtures|src|scripts|bench)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('installs offline with no dependencies and no install scripts', () => {
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/install script|gyp|WARN/i);
    expect(readdirSync(join(prefix, 'lib', 'node_modules'))).toEqual(['sidekick']);
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(['kubectl-sidekick', 'sidekick']);
  });

  it('runs from any directory and debugs a container on a real engine', async () => {
    const sidekick = join(prefix, 'bin', 'sidekick');
    const version = await execa(sidekick, ['--version'], { cwd: tmpdir() });
    expect(String(version.stdout)).toMatch(/^\d+\.\d+\.\d+/);
    const r = await execa(sidekick, ['exec', target.address, '--', 'sh', '-c', 'ls /; exit 3'], { cwd: '/', reject: false, stdin: 'ignore', timeout: 60_000 });
    expect(r.exitCode, String(r.stderr)).toBe(3);
    expect(String(r.stdout)).toMatch(/^app$/m);
    expect(String(r.stderr)).toBe('');
  });
});
