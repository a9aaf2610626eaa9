/**
 * What the stopped-target scenarios (test/contract/exec-stopped.contract.test.ts) need of an engine,
 * each engine its own way: a container that crashed after writing a file, its state and writable
 * layer to compare before and after, and what sidekick's copy left behind. An engine with a driver
 * here has the "stopped targets" capability; the scenarios never name engines.
 */
import Docker from 'dockerode';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { ContainerdEngine } from './containerd-engine.js';
import { NerdctlRunEngine } from './nerdctl-engine.js';
import type { StartedTarget, TestEngine } from './engines.js';

/** What the crashed app wrote before it exited with code 3. */
export const CRASH = { file: '/tmp/crash.log', text: 'written-before-the-crash', code: 3, env: 'APP_VAR=from-the-engine', workdir: '/tmp' };
const SCRIPT = `echo ${CRASH.text} > ${CRASH.file}; exit ${CRASH.code}`;

export interface StoppedDriver {
  /** a container that wrote CRASH.file, then exited with CRASH.code (env CRASH.env, workdir CRASH.workdir) */
  crashed(): Promise<StartedTarget>;
  /** a container configured to run as uid 65534, not running */
  asNobody(): Promise<StartedTarget>;
  /** its state as the engine reports it (status first), to compare before and after */
  state(t: StartedTarget): Promise<{ status: string } & Record<string, unknown>>;
  /** what its writable layer holds */
  diff(t: StartedTarget): Promise<string>;
  /** everything sidekick made for it that is still there */
  leftovers(t: StartedTarget): Promise<string[]>;
  /** whether a debugger of it runs */
  debuggerRunning(t: StartedTarget): Promise<boolean>;
  /**
   * containerd and nerdctl, whose copies show the original's mounts: a crashed container with the
   * host directory `dir` bound at MOUNTED.bind, a tmpfs at MOUNTED.tmpfs and, with real nerdctl, a
   * named volume at MOUNTED.volume holding MOUNTED.volumeFile; `hostname` is what its own session
   * would show, `volume` the volume to remove afterwards
   */
  crashedWithMounts?(dir: string): Promise<{ target: StartedTarget; hostname: string; volume?: string }>;
  /** removes a volume crashedWithMounts made, once its container is gone */
  removeVolume?(name: string): Promise<void>;
}

/** Where crashedWithMounts mounts what; the volume's file is written by the crashed app. */
export const MOUNTED = { bind: '/data', tmpfs: '/scratch', volume: '/vol', volumeFile: 'written-into-the-volume', hostname: 'sk-copy-host' };

const unique = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

function dockerDriver(socketPath: string, scheme: string): StoppedDriver {
  const docker = new Docker({ socketPath });
  const create = async (user?: string, more: Partial<Docker.ContainerCreateOptions> = {}, script = user ? 'true' : SCRIPT) => {
    const name = unique('sk-test-');
    const c = await docker.createContainer({
      name,
      Image: 'busybox:musl',
      User: user,
      WorkingDir: CRASH.workdir,
      Env: [CRASH.env],
      Cmd: ['sh', '-c', script],
      Labels: { 'io.sidekick.test': 'target' },
      ...more,
    });
    await c.start();
    await c.wait();
    return { name, id: c.id, address: `${scheme}://${name}` };
  };
  return {
    crashed: () => create(),
    asNobody: () => create('65534'),
    // a bind, a named volume the app wrote into, a tmpfs by each of Docker's two ways, a hostname
    crashedWithMounts: async (dir: string) => {
      const volume = unique('sk-test-vol-');
      const HostConfig = {
        Mounts: [
          { Type: 'bind' as const, Source: dir, Target: MOUNTED.bind },
          { Type: 'volume' as const, Source: volume, Target: MOUNTED.volume },
          { Type: 'tmpfs' as const, Source: '', Target: `${MOUNTED.tmpfs}-mount` },
        ],
        Tmpfs: { [MOUNTED.tmpfs]: 'size=1m' },
      };
      const script = `echo ${MOUNTED.volumeFile} > ${MOUNTED.volume}/file; echo lost > ${MOUNTED.tmpfs}/file; ${SCRIPT}`;
      const target = await create(undefined, { Hostname: MOUNTED.hostname, HostConfig }, script);
      return { target, hostname: MOUNTED.hostname, volume };
    },
    removeVolume: async (name) => void (await docker.getVolume(name).remove().catch(() => undefined)),
    state: async (t) => {
      const info = await docker.getContainer(t.id).inspect();
      return { status: info.State.Status, exitCode: info.State.ExitCode, restarts: info.RestartCount, startedAt: info.State.StartedAt };
    },
    // Docker lists the changes in no fixed order
    diff: async (t) => {
      const changes = ((await docker.getContainer(t.id).changes()) ?? []) as Array<{ Path: string; Kind: number }>;
      return JSON.stringify([...changes].sort((a, b) => a.Path.localeCompare(b.Path)));
    },
    // containers, images, volumes: all labelled with the target's id
    leftovers: async (t) => {
      const filters = { label: [`io.sidekick.target=${t.id}`] };
      const containers = await docker.listContainers({ all: true, filters });
      const images = await docker.listImages({ all: true, filters });
      const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
      return [...containers.map((c) => c.Id), ...images.map((i) => i.Id), ...volumes.map((v) => v.Name)];
    },
    debuggerRunning: async (t) =>
      (await docker.listContainers({ filters: { label: [`io.sidekick.target=${t.id}`, 'io.sidekick.role=debugger'] } })).length > 0,
  };
}

const SOCKET = '/run/containerd/containerd.sock';
const BUSYBOX = 'docker.io/library/busybox:musl';

function containerdDriver(engine: ContainerdEngine): StoppedDriver {
  const ctr = async (args: string[]) => (await execa('ctr', ['--address', SOCKET, '-n', 'default', ...args], { stdin: 'ignore' })).stdout;
  const lines = async (args: string[]) => (await ctr(args)).split('\n').map((l) => l.trim()).filter(Boolean);
  const realNerdctl = engine instanceof NerdctlRunEngine;
  const task = async (id: string) => (await lines(['tasks', 'ls'])).find((l) => l.startsWith(`${id} `))?.split(/\s+/);
  const waitStopped = async (id: string) => {
    for (let i = 0; i < 200 && (await task(id))?.[2] !== 'STOPPED'; i++) await new Promise((r) => setTimeout(r, 50));
  };
  /** how sidekick names the target in the debugger's and the copy's names */
  const shown = (t: StartedTarget) => (t.address.startsWith('nerdctl://') ? t.name : t.id.slice(0, 12));
  const crashed = async (): Promise<StartedTarget> => {
    if (realNerdctl) {
      const name = unique('skn-test-');
      const id = (await execa('nerdctl', ['run', '-d', '--name', name, '--label', 'io.sidekick.test=target', '--net', 'none', '-w', CRASH.workdir, '-e', CRASH.env, BUSYBOX, 'sh', '-c', SCRIPT])).stdout.trim();
      await waitStopped(id);
      return { id, name, address: `nerdctl://${name}` };
    }
    const id = randomBytes(32).toString('hex');
    const name = unique('skc-test-');
    const labels = ['--label=io.sidekick.test=target', ...(engine.name === 'nerdctl' ? [`--label=nerdctl/name=${name}`] : [])];
    await ctr(['run', '-d', ...labels, `--cwd=${CRASH.workdir}`, `--env=${CRASH.env}`, '--', BUSYBOX, id, 'sh', '-c', SCRIPT]);
    await waitStopped(id);
    return engine.name === 'nerdctl' ? { id, name, address: `nerdctl://${name}` } : { id, name: id.slice(0, 12), address: `containerd://default/${id.slice(0, 12)}` };
  };
  const asNobody = async (): Promise<StartedTarget> => {
    if (realNerdctl) {
      const name = unique('skn-test-');
      const id = (await execa('nerdctl', ['run', '-d', '--name', name, '--label', 'io.sidekick.test=target', '--net', 'none', '-u', '65534', BUSYBOX, 'true'])).stdout.trim();
      await waitStopped(id);
      return { id, name, address: `nerdctl://${name}` };
    }
    // ctr 1.6 has no --user: the image says who (a USER variant of the fixture), and it never ran
    const image = await engine.imageFor('65534');
    const id = randomBytes(32).toString('hex');
    const name = unique('skc-test-');
    const labels = ['--label=io.sidekick.test=target', ...(engine.name === 'nerdctl' ? [`--label=nerdctl/name=${name}`] : [])];
    await ctr(['containers', 'create', ...labels, '--', image, id]);
    return engine.name === 'nerdctl' ? { id, name, address: `nerdctl://${name}` } : { id, name: id.slice(0, 12), address: `containerd://default/${id.slice(0, 12)}` };
  };
  const crashedWithMounts = async (dir: string) => {
    if (realNerdctl) {
      const name = unique('skn-test-');
      const volume = unique('skn-test-vol-');
      const script = `echo ${MOUNTED.volumeFile} > ${MOUNTED.volume}/file; ${SCRIPT}`;
      const net = (engine as NerdctlRunEngine).defaultNetwork;
      const mounts = ['-v', `${dir}:${MOUNTED.bind}`, '-v', `${volume}:${MOUNTED.volume}`, '--tmpfs', MOUNTED.tmpfs, '--hostname', MOUNTED.hostname];
      const id = (await execa('nerdctl', ['run', '-d', '--name', name, '--label', 'io.sidekick.test=target', '--net', net, ...mounts, BUSYBOX, 'sh', '-c', script])).stdout.trim();
      await waitStopped(id);
      // nerdctl 1.7 sets no hostname without a network: its container has the machine's
      return { target: { id, name, address: `nerdctl://${name}` }, hostname: net === 'none' ? hostname() : MOUNTED.hostname, volume };
    }
    // ctr sets no hostname: a running container of it has the machine's
    const id = randomBytes(32).toString('hex');
    const name = unique('skc-test-');
    const labels = ['--label=io.sidekick.test=target', ...(engine.name === 'nerdctl' ? [`--label=nerdctl/name=${name}`] : [])];
    const mounts = [
      `--mount=type=bind,src=${dir},dst=${MOUNTED.bind},options=rbind:rw`,
      `--mount=type=tmpfs,src=tmpfs,dst=${MOUNTED.tmpfs},options=nosuid:size=1m`,
      // its cgroups, as nerdctl and the CRI mount them
      '--mount=type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev',
    ];
    await ctr(['run', '-d', ...labels, ...mounts, '--', BUSYBOX, id, 'sh', '-c', SCRIPT]);
    await waitStopped(id);
    const target = engine.name === 'nerdctl' ? { id, name, address: `nerdctl://${name}` } : { id, name: id.slice(0, 12), address: `containerd://default/${id.slice(0, 12)}` };
    return { target, hostname: hostname() };
  };
  return {
    crashed,
    asNobody,
    crashedWithMounts,
    removeVolume: async (name) => void (await execa('nerdctl', ['volume', 'rm', name], { reject: false })),
    state: async (t) => {
      if (realNerdctl) {
        const s = JSON.parse((await execa('nerdctl', ['inspect', '--format', '{{json .State}}', t.id])).stdout) as { Status: string; ExitCode: number; Pid: number };
        // nerdctl 1.7 gives a container that never ran no status
        return { status: s.Status || 'created', exitCode: s.ExitCode, pid: s.Pid };
      }
      const line = await task(t.id);
      return { status: line ? line[2]!.toLowerCase() : 'created', pid: line?.[1] };
    },
    // the files of its writable layer (upperdir), with sizes and times
    diff: async (t) => {
      const mount = await ctr(['snapshots', 'mounts', '/x', t.id]);
      const upper = /upperdir=([^,\s]+)/.exec(mount)?.[1];
      if (!upper) return mount;
      return (await execa('find', [upper, '-printf', '%P %s %T@\n'])).stdout.split('\n').sort().join('\n');
    },
    // labelled containers, the copy's snapshot, its directory and its mount
    leftovers: async (t) => {
      const copy = `sidekick-copy-sidekick-${shown(t)}-`;
      const containers = await lines(['containers', 'ls', '-q', `labels."io.sidekick.target"==${t.id}`]);
      const snapshots = (await lines(['snapshots', 'ls'])).map((l) => l.split(/\s+/)[0]!).filter((k) => k.startsWith(copy));
      const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(copy));
      const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(copy));
      return [...containers, ...snapshots, ...dirs, ...mounts];
    },
    debuggerRunning: async (t) => {
      const ids = await lines(['containers', 'ls', '-q', `labels."io.sidekick.target"==${t.id}`]);
      for (const id of ids) if ((await task(id))?.[2] === 'RUNNING') return true;
      return false;
    },
  };
}

/** The engine's driver, when it debugs stopped targets. */
export function stoppedDriver(engine: TestEngine): StoppedDriver | undefined {
  if (engine.name === 'docker') return dockerDriver('/var/run/docker.sock', 'docker');
  if (engine.name === 'podman') return dockerDriver('/run/podman/podman.sock', 'podman');
  if (engine instanceof ContainerdEngine) return containerdDriver(engine);
  return undefined;
}
