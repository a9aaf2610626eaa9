/**
 * What a copy's session sees around its files (copy.ts mounts the files): what a running container of
 * that spec would see, as `ctr run` options of the debugger that shows the copy at COPY_ROOT.
 *
 * - /proc: a procfs of the debugger's own, read-only (one of its own is not masked as a container's is).
 * - /dev: the debugger's own /dev, as runc makes it (its devices and links, /dev/pts holding the
 *   session's terminal, /dev/shm, /dev/mqueue). A bind source relative to the bundle is the
 *   container's own root (OCI runtime spec), and runc mounts the default /dev before these and
 *   fills it after them, so the bind sees it all. `tty` then names the session's terminal.
 * - /sys: a sysfs of the debugger's own, read-only, /sys/firmware hidden as runc hides it; its
 *   cgroups at /sys/fs/cgroup where the original had them there.
 * - the original's mounts (binds: volumes, host directories, nerdctl's /etc/hosts...; tmpfs), in
 *   their order. Binds are read-only: their files are the original's, which a copy never writes to.
 * - the hostname, through a UTS namespace made for it (`ctr run` cannot set one).
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { debugLog } from '../../log.js';
import type { SpecMount } from './ctr-text.js';

const run = promisify(execFile);

/** Where the debugger sees the copy. */
export const COPY_ROOT = '/.sidekick/root';
// Paths the copy gets from the debugger itself, whatever the original mounted there.
const OWN = ['/proc', '/dev', '/sys'];
const CGROUPS = '/sys/fs/cgroup';
// Bind options kept from the original's: how, not whether, it may be written.
const BIND_FLAGS = new Set(['bind', 'rbind', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'strictatime']);

/** One `ctr run --mount` option; a field with a comma or quote is quoted, as ctr reads them as CSV. */
export function mountOption(type: string, src: string, dst: string, options: readonly string[]): string {
  const field = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return `--mount=${[`type=${type}`, `src=${src}`, `dst=${dst}`, `options=${options.join(':')}`].map(field).join(',')}`;
}

/**
 * A path of the copy as the copy itself resolves it: symlinks followed inside `root` (an absolute
 * link starts again at root, ".." stops there), as runc's securejoin does for a container; a missing
 * part is taken as written (runc makes it). The mount then lands where the original's did, never
 * outside the copy nor on the toolkit's files.
 */
export function insideRoot(root: string, path: string): string {
  const done: string[] = [];
  let todo = path.split('/').filter(Boolean);
  for (let links = 0; todo.length > 0; ) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    let link: string | undefined;
    try {
      const at = join(root, ...done, part);
      if (lstatSync(at).isSymbolicLink()) link = readlinkSync(at);
    } catch {
      // missing: as written
    }
    if (link === undefined) {
      done.push(part);
      continue;
    }
    if (++links > 40) throw new Error(`too many symbolic links in ${path}`);
    if (link.startsWith('/')) done.length = 0;
    todo = [...link.split('/').filter(Boolean), ...todo];
  }
  return `/${done.join('/')}`;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** The original's mounts as the debugger's options under COPY_ROOT; those that cannot be shown are told under --debug. */
export function originalMounts(root: string, mounts: readonly SpecMount[]): string[] {
  return mounts.flatMap((m) => {
    // the cgroups the original had there (nerdctl and the CRI mount them; a bare `ctr run` does not):
    // the debugger's own, as a running container of that spec sees its own
    if (m.destination === CGROUPS && (m.type === 'cgroup' || m.type === 'cgroup2')) {
      return [mountOption(m.type, 'cgroup', `${COPY_ROOT}${CGROUPS}`, ['ro', 'nosuid', 'noexec', 'nodev'])];
    }
    if (!m.destination?.startsWith('/') || OWN.some((dir) => under(m.destination, dir))) return [];
    const options = m.options ?? [];
    const bind = m.type === 'bind' || options.includes('bind') || options.includes('rbind');
    let dst: string;
    try {
      dst = `${COPY_ROOT}${insideRoot(root, m.destination)}`;
    } catch (e) {
      debugLog(`containerd: the copy leaves out the original's mount at ${m.destination}: ${String(e)}`);
      return [];
    }
    if (bind && m.source?.startsWith('/') && existsSync(m.source)) {
      const kept = options.filter((o) => BIND_FLAGS.has(o));
      return [mountOption('bind', m.source, dst, [...(kept.some((o) => o.endsWith('bind')) ? kept : ['rbind', ...kept]), 'ro'])];
    }
    // a fresh one, as the original gets at each start
    if (m.type === 'tmpfs' && !options.some((o) => /[:,]/.test(o))) return [mountOption('tmpfs', 'tmpfs', dst, options)];
    debugLog(`containerd: the copy leaves out the original's ${m.type ?? 'untyped'} mount at ${m.destination}${bind ? ` (its source ${m.source} is not here)` : ''}`);
    return [];
  });
}

/** The `ctr run` options that show the mounted copy at COPY_ROOT as the original saw its root, and the entry script's input. */
export function copyRunArgs(root: string, mounts: readonly SpecMount[] = [], uts?: string): { options: string[]; env: Record<string, string> } {
  return {
    options: [
      mountOption('bind', root, COPY_ROOT, ['rbind', 'rw']),
      mountOption('proc', 'proc', `${COPY_ROOT}/proc`, ['ro', 'nosuid', 'noexec', 'nodev']),
      mountOption('bind', 'rootfs/dev', `${COPY_ROOT}/dev`, ['rbind', 'rw']),
      mountOption('sysfs', 'sysfs', `${COPY_ROOT}/sys`, ['ro', 'nosuid', 'noexec', 'nodev']),
      mountOption('tmpfs', 'tmpfs', `${COPY_ROOT}/sys/firmware`, ['ro', 'nosuid', 'noexec', 'nodev']),
      ...originalMounts(root, mounts),
      ...(uts ? [`--with-ns=uts:${uts}`] : []),
    ],
    env: { SIDEKICK_TARGET_ROOT: COPY_ROOT },
  };
}

/** A name `hostname` takes as one (RFC 1123 labels): anything else is not set. */
export function validHostname(name: string | undefined): name is string {
  return name !== undefined && name.length <= 64 && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name);
}

/**
 * A UTS namespace named `name`, kept by a bind mount on `file` (an empty file: util-linux's
 * `unshare --uts=FILE`), for the debugger to join; false when it could not be made (no unshare or
 * hostname here): the session then has the debugger's own hostname.
 */
export async function hostnameNamespace(file: string, name: string): Promise<boolean> {
  try {
    await run('unshare', [`--uts=${file}`, 'hostname', name]);
    return true;
  } catch (e) {
    debugLog(`containerd: the copy keeps the debugger's hostname: ${String((e as { stderr?: string }).stderr || e).trim()}`);
    return false;
  }
}
