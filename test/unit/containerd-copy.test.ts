import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyCleanup, copyNames, snapshotLayers } from '../../src/runtimes/containerd/copy.js';
import { copyRunArgs, insideRoot, mountOption, originalMounts, validHostname } from '../../src/runtimes/containerd/copy-view.js';
import { exitStatusOf, getRequest, protoFields } from '../../src/runtimes/containerd/task-status.js';
import type { Ctr } from '../../src/runtimes/containerd/ctr.js';
import type { DebuggerSpec } from '../../src/runtimes/runtime.js';

// the folders the tests make, gone with the file
const roots: string[] = [];
const tempRoot = () => roots.at(roots.push(mkdtempSync(join(tmpdir(), 'sidekick-unit-'))) - 1)!;
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const S = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots';

describe('a stopped containerd container as layers of a copy', () => {
  it('reads an overlay mount: the writable layer first, then the image layers', () => {
    const text = `mount -t overlay overlay /x -o index=off,workdir=${S}/9/work,upperdir=${S}/9/fs,lowerdir=${S}/7/fs:${S}/6/fs\n`;
    expect(snapshotLayers(text)).toEqual([`${S}/9/fs`, `${S}/7/fs`, `${S}/6/fs`]);
  });

  it('reads a snapshot with no parent (a bind of its own directory)', () => {
    expect(snapshotLayers(`mount -t bind ${S}/3/fs /x -o rbind,rw\n`)).toEqual([`${S}/3/fs`]);
  });

  it('refuses a mount it does not know', () => {
    expect(snapshotLayers('mount -t btrfs /dev/sdb /x -o subvol=3\n')).toBeUndefined();
  });

  it('names everything after the debugger, and the reaper removes the debugger before the copy', () => {
    const spec = { name: 'sidekick-app-1a2b3c' } as DebuggerSpec;
    const n = copyNames(spec);
    expect(n.snapshot).toBe('sidekick-copy-sidekick-app-1a2b3c');
    const recipe = copyCleanup({ file: '/usr/bin/ctr', socket: '/run/containerd/containerd.sock' } as Ctr, 'default', 'overlayfs', spec);
    expect(recipe.kind).toBe('exec');
    if (recipe.kind !== 'exec') return;
    const script = recipe.args[1]!;
    expect(script.indexOf('containers rm')).toBeLessThan(script.indexOf('umount'));
    expect(script.indexOf('umount')).toBeLessThan(script.indexOf('rm -rf'));
    expect(recipe.args.slice(2)).toEqual(['/usr/bin/ctr', '/run/containerd/containerd.sock', 'default', spec.name, n.dir, n.snapshot, 'overlayfs']);
  });

  it('removes the hostname namespace file before the directory', () => {
    const spec = { name: 'sidekick-app-1a2b3c' } as DebuggerSpec;
    const recipe = copyCleanup({ file: '/usr/bin/ctr', socket: '/s' } as Ctr, 'default', 'overlayfs', spec);
    if (recipe.kind !== 'exec') throw new Error('an exec recipe');
    const script = recipe.args[1]!;
    expect(script.indexOf('umount "$4/uts"')).toBeLessThan(script.indexOf('rmdir "$4" '));
  });
});

describe("a containerd copy's view: what a running container of the original's spec sees", () => {
  it("a read-only procfs, the debugger's own /dev (its terminal in /dev/pts), a read-only sysfs with its firmware hidden", () => {
    const { options, env } = copyRunArgs('/tmp/x/root');
    expect(env).toEqual({ SIDEKICK_TARGET_ROOT: '/.sidekick/root' });
    expect(options).toEqual([
      '--mount=type=bind,src=/tmp/x/root,dst=/.sidekick/root,options=rbind:rw',
      '--mount=type=proc,src=proc,dst=/.sidekick/root/proc,options=ro:nosuid:noexec:nodev',
      // relative to the bundle: the debugger's own root
      '--mount=type=bind,src=rootfs/dev,dst=/.sidekick/root/dev,options=rbind:rw',
      '--mount=type=sysfs,src=sysfs,dst=/.sidekick/root/sys,options=ro:nosuid:noexec:nodev',
      '--mount=type=tmpfs,src=tmpfs,dst=/.sidekick/root/sys/firmware,options=ro:nosuid:noexec:nodev',
    ]);
    expect(copyRunArgs('/tmp/x/root', [], '/tmp/x/uts').options.at(-1)).toBe('--with-ns=uts:/tmp/x/uts');
  });

  it("the original's binds read-only, its tmpfs fresh and its cgroups, in order; /proc, /dev, /sys and binds whose source is gone left out", () => {
    const root = tempRoot();
    const options = originalMounts(root, [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] },
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755', 'size=65536k'] },
      { destination: '/data', type: 'bind', source: root, options: ['rbind', 'rw', 'rprivate'] },
      { destination: '/etc/hosts', type: 'none', source: root, options: ['bind', 'nosuid'] },
      { destination: '/gone', type: 'bind', source: '/no/such/dir', options: ['rbind'] },
      { destination: '/x', type: 'nfs', source: 'server:/x' },
    ]);
    expect(options).toEqual([
      '--mount=type=cgroup,src=cgroup,dst=/.sidekick/root/sys/fs/cgroup,options=ro:nosuid:noexec:nodev',
      '--mount=type=tmpfs,src=tmpfs,dst=/.sidekick/root/run,options=nosuid:mode=755:size=65536k',
      `--mount=type=bind,src=${root},dst=/.sidekick/root/data,options=rbind:ro`,
      `--mount=type=bind,src=${root},dst=/.sidekick/root/etc/hosts,options=bind:nosuid:ro`,
    ]);
  });

  it('quotes a field with a comma, as ctr reads --mount as CSV', () => {
    expect(mountOption('bind', '/a,b', '/c"d', ['rbind'])).toBe('--mount=type=bind,"src=/a,b","dst=/c""d",options=rbind');
  });

  it("follows the copy's symbolic links inside the copy, never out of it", () => {
    const root = tempRoot();
    mkdirSync(join(root, 'srv'));
    symlinkSync('/srv', join(root, 'data'));
    symlinkSync('../../../../etc', join(root, 'srv', 'up'));
    symlinkSync('loop', join(root, 'loop'));
    expect(insideRoot(root, '/data/x')).toBe('/srv/x');
    expect(insideRoot(root, '/srv/up/passwd')).toBe('/etc/passwd');
    expect(insideRoot(root, '/new/dir/../file')).toBe('/new/file');
    expect(() => insideRoot(root, '/loop/x')).toThrow(/too many symbolic links/);
    // such a mount is left out, not the session
    expect(originalMounts(root, [{ destination: '/loop/x', type: 'tmpfs', source: 'tmpfs' }])).toEqual([]);
  });

  it('sets only a hostname `hostname` takes as one', () => {
    expect(validHostname('4f2a9c01b2d3')).toBe(true);
    expect(validHostname('web.example')).toBe(true);
    expect(validHostname('-n')).toBe(false);
    expect(validHostname('')).toBe(false);
    expect(validHostname(undefined)).toBe(false);
  });
});

describe("containerd's Tasks.Get in protobuf", () => {
  it('frames a GetRequest', () => {
    expect(getRequest('ab').toString('hex')).toBe('00000000040a026162');
  });

  it('reads exit_status from a GetResponse', () => {
    // Process{container_id="c", pid=300, status=STOPPED(3), exit_status=3}
    const process = Buffer.from([0x0a, 1, 0x63, 0x18, 0xac, 0x02, 0x20, 3, 0x48, 3]);
    const message = Buffer.concat([Buffer.from([0x0a, process.length]), process]);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(message.length, 1);
    expect(protoFields(process).get(3)).toBe(300);
    expect(exitStatusOf(Buffer.concat([frame, message]))).toBe(3);
  });
});
