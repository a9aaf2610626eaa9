/**
 * The CLI's V8 code cache (src/boot.ts): made by a command's first run in a directory only its user
 * can write, used from then on, and never a reason to fail or a file to trust from someone else.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sidekick } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'sk-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `sidekick --version` with its cache under `base`; the cache's files afterwards. */
async function versionWithCache(base: string, env: Record<string, string> = {}): Promise<string[]> {
  const r = await sidekick(['--version'], { env: { ...process.env, XDG_CACHE_HOME: base, ...env } });
  expect(r).toMatchObject({ exitCode: 0, stderr: '' });
  expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  const dir = join(base, 'sidekick', 'code-cache');
  try {
    return readdirSync(dir).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

describe('the code cache', () => {
  it('is made by the first run, private to its user, and used (not rewritten) by the next', async () => {
    const base = join(work, 'fresh');
    const [file, ...others] = await versionWithCache(base);
    expect(others).toEqual([]);
    expect(file).toMatch(/-other\.bin$/);
    expect(statSync(join(base, 'sidekick', 'code-cache')).mode & 0o777).toBe(0o700);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    const made = statSync(file!).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(await versionWithCache(base)).toEqual([file]);
    expect(statSync(file!).mtimeMs).toBe(made);
  });

  it('keeps one cache per command and engine, since each runs other functions', async () => {
    const base = join(work, 'per-engine');
    const env = { ...process.env, XDG_CACHE_HOME: base, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    // a session that fails at once on an engine nobody runs still leaves the command's cache
    for (const address of ['docker://x', 'pod/x', 'x']) await sidekick(['exec', '-q', address, '--', 'true'], { env });
    const names = readdirSync(join(base, 'sidekick', 'code-cache')).map((f) => f.replace(/^.*-(exec(-[a-z0-9]+)?)\.bin$/, '$1'));
    expect(names.sort()).toEqual(['exec', 'exec-docker', 'exec-k8s']);
  });

  it('replaces a cache V8 refuses, and the command still runs', async () => {
    const base = join(work, 'corrupt');
    const [file] = await versionWithCache(base);
    writeFileSync(file!, 'not a code cache');
    expect(await versionWithCache(base)).toEqual([file]);
    expect(readFileSync(file!).length).toBeGreaterThan(1000);
  });

  it('leaves a directory that others may write alone', async () => {
    const base = join(work, 'shared');
    const [file] = await versionWithCache(base);
    rmSync(file!);
    chmodSync(join(base, 'sidekick', 'code-cache'), 0o777);
    // the fallback in the temporary directory is another place: point it inside the test's folder
    expect(await versionWithCache(base, { TMPDIR: join(work, 'tmp-unused') })).toEqual([]);
  });

  it('is off with SIDEKICK_NO_CODE_CACHE=1', async () => {
    expect(await versionWithCache(join(work, 'off'), { SIDEKICK_NO_CODE_CACHE: '1' })).toEqual([]);
  });
});
