/**
 * A session in a stopped, exited or crashed containerd (or nerdctl) container: the debugger runs in a
 * disposable copy of its filesystem, and the original is never started or written to.
 *
 * How: the container's own snapshot is left alone; its layers, writable layer on top, become the
 * read-only lower layers of a new overlay whose upper layer is a fresh snapshot of sidekick's own
 * (`ctr snapshots prepare`, which containerd's GC leaves alone). Overlayfs never writes to a lower
 * layer, so nothing reaches the original: what the session writes lands in that snapshot, removed at
 * the end. The overlay is mounted on this machine in a private directory and bound into the usual
 * debugger (the toolkit image as its root, its own namespaces) at COPY_ROOT, with what a running
 * container of the original's spec sees around its files (copy-view.ts: /proc, /dev with the
 * session's terminal, /sys, the original's mounts, its hostname in a UTS namespace kept by a file
 * here); the entry script takes COPY_ROOT as the target's root (SIDEKICK_TARGET_ROOT).
 * Everything is named after the debugger, so the reaper's recipe is known before the first step.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { CleanupRecipe, DebuggerSpec, Target } from '../runtime.js';
import { inPasses } from './cleanup-passes.js';
import type { Ctr } from './ctr.js';
import { CtrFailure, isGone } from './errors.js';
import { hostnameNamespace, validHostname } from './copy-view.js';

const run = promisify(execFile);

/** The container's snapshot, as findTarget read it from the container's record. */
export interface SnapshotRef {
  snapshotter: string;
  key: string;
}

/** An image's unpacked layers: the snapshot named by its chain ID. */
export interface ImageSnapshot {
  snapshotter: string;
  parent: string;
}

interface SnapshotMount {
  Type?: string;
  Source?: string;
  Options?: string[];
}

/** The name of an image's top snapshot: the chain ID of its layers (OCI image spec). */
export function chainId(diffIds: readonly string[]): string {
  return diffIds.reduce((chain, diff) => (chain ? `sha256:${createHash('sha256').update(`${chain} ${diff}`).digest('hex')}` : diff), '');
}

/** What a copy makes, all named after the debugger: a snapshot, and a directory holding the mount, the hostname's namespace and ctr's pid file. */
export function copyNames(spec: Pick<DebuggerSpec, 'name'>) {
  const dir = join(tmpdir(), `sidekick-copy-${spec.name}`);
  return { snapshot: `sidekick-copy-${spec.name}`, dir, root: join(dir, 'root'), uts: join(dir, 'uts'), run: join(dir, 'run') };
}

/** The layers of a snapshot's mount as `ctr snapshots mounts` prints it: top first. */
export function snapshotLayers(mountCommand: string): string[] | undefined {
  const words = mountCommand.trim().split(/\s+/);
  const type = words[words.indexOf('-t') + 1];
  const source = words[words.indexOf('-t') + 2];
  const options = (words[words.indexOf('-o') + 1] ?? '').split(',');
  const option = (name: string) => options.find((o) => o.startsWith(`${name}=`))?.slice(name.length + 1);
  if (type === 'overlay') {
    const lower = option('lowerdir');
    if (!lower) return undefined;
    const upper = option('upperdir');
    return [...(upper ? [upper] : []), ...lower.split(':')];
  }
  // a snapshot with no parent is its own directory, bound
  if (type === 'bind' && source?.startsWith('/')) return [source];
  return undefined;
}

/** Removes the debugger, then the copy's mount, directory and snapshot: for the reaper, as one sh. */
export function copyCleanup(ctr: Ctr, namespace: string, snapshotter: string, spec: DebuggerSpec): CleanupRecipe {
  const n = copyNames(spec);
  return {
    kind: 'exec',
    file: '/bin/sh',
    args: [
      '-c',
      inPasses(
        [
          'c() { "$CTR" --address "$SOCK" -n "$NS" "$@" >/dev/null 2>&1; }',
          'CTR=$0 SOCK=$1 NS=$2',
          'c tasks rm -f "$3"; c containers rm "$3"',
          // the mounts go before the directory: rm never reaches into the copy
          'umount "$4/root" 2>/dev/null; rmdir "$4/root" 2>/dev/null; umount "$4/uts" 2>/dev/null; rm -f "$4/uts"; rm -rf "$4/run"; rmdir "$4" 2>/dev/null',
          'c snapshots --snapshotter "$6" rm "$5"',
        ].join('\n'),
      ),
      ctr.file!,
      ctr.socket,
      namespace,
      spec.name,
      n.dir,
      n.snapshot,
      snapshotter,
    ],
  };
}

export interface Copy {
  /** the mounted copy on this machine */
  root: string;
  /** a UTS namespace with the original's hostname, for the debugger to join */
  uts?: string;
  /** a private directory for ctr's pid file */
  runDir: string;
  remove(): Promise<void>;
}

/** Makes the copy: a snapshot for its writes, and the overlay of the original's layers under it, mounted. */
export async function makeCopy(ctr: Ctr, namespace: string, target: Target, source: SnapshotRef | ImageSnapshot, spec: DebuggerSpec, hostname?: string): Promise<Copy> {
  const n = copyNames(spec);
  const snapshots = (...args: string[]) => ctr.run(namespace, ['snapshots', '--snapshotter', source.snapshotter, ...args]);
  let made = false;
  let mounted = false;
  let prepared = false;
  let named: Promise<boolean> | undefined;
  const remove = async () => {
    // its file is bound (or about to be) whether or not `hostname` then worked
    if (named) await named.then(() => run('umount', [n.uts])).catch(() => undefined);
    if (mounted) await run('umount', [n.root]).then(() => (mounted = false), (e: unknown) => debugLog(`umount ${n.root}: ${String(e)}`));
    // never recursive over a mount that stayed, nor over a directory of that name not made here
    if (made && !mounted) {
      try {
        rmSync(n.dir, { recursive: true, force: true });
      } catch (e) {
        debugLog(`could not remove ${n.dir}: ${String(e)}`);
      }
    }
    if (prepared) {
      await snapshots('rm', n.snapshot).catch((e: unknown) => {
        if (!isGone(e)) debugLog(`could not remove snapshot ${n.snapshot}: ${String(e)}`);
      });
    }
  };
  const unlike = (snapshotter: string) =>
    new UserError(`cannot copy ${target.address}: its snapshotter "${snapshotter}" is not one sidekick can copy`, {
      hint: "containerd's default snapshotter, overlayfs, is",
    });
  /** A container: its layers, writable layer on top, read-only under an empty snapshot for the copy's writes. */
  const containerOverlay = async (ref: SnapshotRef): Promise<string> => {
    // both at once: the original's layers (read, never changed) and the copy's own snapshot; both
    // settle before a failure is thrown, so that a snapshot made meanwhile is removed too
    const [read, own] = await Promise.allSettled([
      snapshots('mounts', n.root, ref.key).then(snapshotLayers),
      snapshots('prepare', '--mounts', n.snapshot).then((json) => {
        prepared = true;
        return (JSON.parse(json) as SnapshotMount[])[0]?.Source;
      }),
    ]);
    if (read.status === 'rejected') throw gone(read.reason, target);
    if (own.status === 'rejected') throw own.reason;
    const [layers, upper] = [read.value, own.value];
    if (!layers || !upper) throw unlike(ref.snapshotter);
    // containerd's overlayfs snapshotter keeps an active snapshot's work directory beside its files
    return `index=off,lowerdir=${layers.join(':')},upperdir=${upper},workdir=${join(dirname(upper), 'work')}`;
  };
  /** An image: a snapshot of the copy's own on top of the image's, as containerd mounts a new container. */
  const imageOverlay = async (ref: ImageSnapshot): Promise<string> => {
    const json = await snapshots('prepare', '--mounts', n.snapshot, ref.parent).catch((e: unknown) => {
      if (!isGone(e)) throw e;
      throw new UserError(`image ${target.image} is not unpacked for containerd's ${ref.snapshotter} snapshotter`, {
        hint: `unpack it (ctr images pull and import do), or pick the snapshotter with CONTAINERD_SNAPSHOTTER`,
        cause: e,
      });
    });
    const mount = (JSON.parse(json) as SnapshotMount[])[0];
    prepared = true;
    if (mount?.Type !== 'overlay' || !mount.Options) throw unlike(ref.snapshotter);
    return mount.Options.join(',');
  };
  try {
    mkdirSync(n.dir, { mode: 0o700 });
    made = true;
    mkdirSync(n.root);
    mkdirSync(n.run);
    const t0 = Date.now();
    // the hostname's namespace is made while containerd prepares the snapshots
    if (validHostname(hostname)) {
      closeSync(openSync(n.uts, 'w'));
      named = hostnameNamespace(n.uts, hostname);
    }
    const options = 'key' in source ? await containerOverlay(source) : await imageOverlay(source);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, n.root]).catch((e: unknown) => {
      throw new UserError(`cannot mount a copy of ${target.address}: ${String((e as { stderr?: string }).stderr || e).trim()}`, {
        hint: 'sidekick mounts the copy on the machine containerd runs on: run it there, as root',
        cause: e,
      });
    });
    mounted = true;
    const uts = (await named) ? n.uts : undefined;
    debugLog(`copy of ${target.address} mounted at ${n.root} after ${Date.now() - t0} ms`);
    return { root: n.root, uts, runDir: n.run, remove };
  } catch (e) {
    await remove();
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${n.dir} exists already`, { hint: 'pick another --name' });
    throw e;
  }
}

/**
 * What a debugger's copy left when neither its CLI nor its reaper could remove it (`sidekick cleanup`):
 * the mount, the directory and the snapshot named after it, where they are.
 */
export async function removeLeftCopy(ctr: Ctr, namespace: string, debuggerName: string): Promise<void> {
  const n = copyNames({ name: debuggerName });
  if (existsSync(n.dir)) {
    await run('umount', [n.root]).catch(() => undefined);
    await run('umount', [n.uts]).catch(() => undefined);
    const mounts = readFileSync('/proc/self/mounts', 'utf8');
    const mounted = mounts.includes(` ${n.root} `) || mounts.includes(` ${n.uts} `);
    // never recursive over a mount that stayed
    if (!mounted) rmSync(n.dir, { recursive: true, force: true });
  }
  const snapshotter = process.env.CONTAINERD_SNAPSHOTTER || 'overlayfs';
  await ctr.run(namespace, ['snapshots', '--snapshotter', snapshotter, 'rm', n.snapshot]).catch((e: unknown) => {
    if (!(e instanceof CtrFailure)) throw e;
  });
}

function gone(e: unknown, target: Target): Error {
  if (isGone(e)) {
    return new UserError(`target ${target.address} was removed while sidekick was copying it`, {
      hint: 'nothing to debug: check what removed it',
      kind: 'not-found',
      cause: e,
    });
  }
  return e instanceof CtrFailure ? new UserError(`cannot copy ${target.address}: ${e.message}`, { cause: e }) : (e as Error);
}
