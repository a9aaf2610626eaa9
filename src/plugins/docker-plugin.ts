/**
 * Installs and removes the Docker CLI plugin: an executable `docker-sidekick` in Docker's
 * cli-plugins directory that starts sidekick's plugin entry (src/plugins/docker-sidekick.ts).
 * It is written under a temporary name in the same directory and renamed, so a failed install
 * leaves no half-written plugin for Docker to find.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import { ownEntry } from '../self.js';

export const PLUGIN_FILE = 'docker-sidekick';
/** Docker CLI plugins came with Docker 19.03. */
const FIRST_WITH_PLUGINS = [19, 3] as const;
const MARK = '# installed by "sidekick plugins install"';

/** Where the Docker CLI looks for plugins: $DOCKER_CONFIG/cli-plugins, default ~/.docker/cli-plugins. */
export function pluginDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'cli-plugins');
}

/** A POSIX-shell word that stands for `s` exactly (the launcher is written once, by us, from paths). */
const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function launcherScript(command: string[]): string {
  return ['#!/bin/sh', MARK, '# remove with "sidekick plugins uninstall"', `exec ${command.map(shellWord).join(' ')} "$@"`, ''].join('\n');
}

/** The Docker CLI's version as `docker --version` says it (no daemon needed), e.g. [28, 2]. */
async function dockerClientVersion(): Promise<[number, number]> {
  let out: string;
  try {
    out = (await promisify(execFile)('docker', ['--version'], { timeout: 10_000 })).stdout;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(missing ? 'no docker CLI on PATH' : `"docker --version" failed: ${String((e as Error).message).split('\n')[0]}`, {
      hint: 'install the Docker CLI first (sidekick exec docker://NAME works without it)',
    });
  }
  const m = /(\d+)\.(\d+)/.exec(out);
  if (!m) throw new UserError(`cannot read the Docker CLI's version from "${out.trim()}"`, { hint: 'is "docker" the Docker CLI?' });
  return [Number(m[1]), Number(m[2])];
}

function refuse(dir: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new UserError(`cannot write the Docker plugin into ${dir} (${code})`, {
    hint: 'set DOCKER_CONFIG to a directory you can write, or run as its owner',
    cause: e,
  });
}

export async function installDockerPlugin(dir = pluginDirectory()): Promise<string> {
  const [major, minor] = await dockerClientVersion();
  if (major < FIRST_WITH_PLUGINS[0] || (major === FIRST_WITH_PLUGINS[0] && minor < FIRST_WITH_PLUGINS[1])) {
    throw new UserError(`the Docker CLI ${major}.${minor} is too old for CLI plugins (they came with 19.03)`, {
      hint: 'upgrade the Docker CLI, or use "sidekick exec docker://NAME"',
    });
  }
  const entry = ownEntry('docker-sidekick');
  if (!entry) throw new UserError('the plugin entry is not built', { hint: 'run "npm run build" first' });
  const final = join(dir, PLUGIN_FILE);
  const temporary = join(dir, `.${PLUGIN_FILE}.${process.pid}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temporary, launcherScript(entry), { mode: 0o755 });
    await chmod(temporary, 0o755);
    await rename(temporary, final);
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw refuse(dir, e);
  }
  return final;
}

/** Removes the plugin; false when there was none. A file sidekick did not write is left alone. */
export async function uninstallDockerPlugin(dir = pluginDirectory()): Promise<boolean> {
  const file = join(dir, PLUGIN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw refuse(dir, e);
  }
  if (!text.includes(MARK)) throw new UserError(`${file} was not installed by sidekick`, { hint: 'remove it yourself if you mean to' });
  await rm(file).catch((e) => {
    throw refuse(dir, e);
  });
  return true;
}
