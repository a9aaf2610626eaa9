/**
 * containerd behind the Runtime interface, through its `ctr` client; nerdctl is the same runtime with
 * another way of naming containers (the `nerdctl/name` label), so it works whether or not the
 * nerdctl binary is installed.
 *
 * The debugger is a container in the target's containerd namespace that joins the pid, network, ipc
 * and uts namespaces of the target's task (/proc/PID/ns/* of its PID), run by `ctr run --rm` (see
 * debugger.ts); `ctr containers rm` (which also removes its snapshot) makes sure it is gone.
 * Sharing a network namespace does not share /etc/hosts and /etc/resolv.conf: the debugger gets the
 * target's, read-only, when the target has them mounted from this machine (nerdctl, the CRI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { formatAddress, parseAddress, type EngineName, type TargetAddress } from '../address.js';
import { applyPullPolicy, pullForbidden } from '../errors.js';
import { debugLog } from '../../log.js';
import { asConfiguredUser, configNotes } from '../target-config.js';
import {
  LABEL,
  ROLE_DEBUGGER,
  type AttachedDebugger,
  type Debugger,
  type DebuggerInfo,
  type CleanupRecipe,
  type DebuggerSpec,
  type FindOptions,
  type Progress,
  type RemovedDebugger,
  type Runtime,
  type Target,
  type TargetConfig,
  type TargetDetails,
  type TargetInfo,
} from '../runtime.js';
import type { ContainerdApi, ContainerInfo, TaskInfo } from './api.js';
import type { Ctr } from './ctr.js';
import { inPasses } from './cleanup-passes.js';
import type { ImageSnapshot, SnapshotRef } from './copy.js';
import { ctrDebugger } from './debugger.js';
import { makeOutputFifos, type OutputFifos } from './output-fifos.js';
import { CtrFailure, isGone } from './errors.js';
import { labelFilter, NERDCTL_NAME, type Naming } from './naming.js';
import { ctrSecurityFlags } from './security.js';
import {
  matchId,
  nameFileMounts,
  normalizeRef,
  parseContainers,
  parsePullLine,
  parseTasks,
  plainHttpRegistry,
  processStart,
  shortId,
  words,
  type SpecMount,
  type TaskState,
} from './ctr-text.js';

// Docker on a system containerd keeps its containers here; they are Docker's to show.
const FOREIGN_NAMESPACES = new Set(['moby']);

export interface ContainerdFlavor {
  /** containerd's or nerdctl's way of naming containers */
  naming: Naming;
  /** the namespace of an address that names none */
  defaultNamespace: string;
}

/** The parts of an image's config (OCI or Docker) that say how it starts. */
interface ImageConfig {
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; User?: string; Env?: string[] | null; WorkingDir?: string };
  rootfs?: { diff_ids?: string[] };
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** What findTarget learned of a target (Target.engineState), for the calls on it that follow. */
interface TargetMeta {
  namespace: string;
  pid: number;
  /** the target's mounts, when findTarget read them */
  mounts?: SpecMount[];
  /** a stopped target's hostname, for its copy */
  hostname?: string;
  /** a stopped target's snapshot, or an image's (image://), which its copy is made of */
  copyOf?: SnapshotRef | ImageSnapshot;
}

/** What the OCI spec says of how the container runs: its process's env, user, cwd and args. */
function specConfig(info: ContainerInfo): TargetConfig {
  const p = info.Spec?.process;
  return {
    env: p?.env ?? [],
    user: p?.user ? (p.user.username ?? `${p.user.uid ?? 0}:${p.user.gid ?? 0}`) : undefined,
    workdir: p?.cwd || undefined,
    command: p?.args,
    unknown: [],
  };
}

const quote = (value: string) => JSON.stringify(value);

export class ContainerdRuntime implements Runtime {
  readonly engine: EngineName;
  readonly endpoint: string;
  private readonly naming: Naming;
  /** "containerd" or "nerdctl", for messages */
  private readonly label: string;
  /** image checks asked (or asked ahead) in this CLI run: namespace and reference to the answer */
  private readonly imagesAsked = new Map<string, Promise<boolean>>();
  /** the gRPC API of the lookups that find a target (api.ts), loaded at the first */
  private apiLoaded?: Promise<ContainerdApi>;

  constructor(
    private readonly flavor: ContainerdFlavor,
    private readonly ctr: Ctr,
    endpointUrl: string,
  ) {
    this.naming = flavor.naming;
    this.engine = flavor.naming.engine;
    this.label = flavor.naming.engine;
    this.endpoint = endpointUrl;
  }

  private api(): Promise<ContainerdApi> {
    return (this.apiLoaded ??= import('./api.js').then(({ ContainerdApi }) => new ContainerdApi(this.ctr)));
  }

  private async info(namespace: string, id: string): Promise<ContainerInfo> {
    return JSON.parse(await this.ctr.run(namespace, ['containers', 'info', id])) as ContainerInfo;
  }

  private async tasks(namespace: string): Promise<Map<string, TaskState>> {
    return parseTasks(await this.ctr.run(namespace, ['tasks', 'ls']));
  }

  private async namespaces(): Promise<string[]> {
    return words(await this.ctr.run('default', ['namespaces', 'ls', '-q']));
  }

  async findTarget(address: TargetAddress, options: FindOptions = {}): Promise<Target> {
    const { name } = address;
    const namespace = address.namespace ?? this.flavor.defaultNamespace;
    // Asked at once, on one connection to containerd's API (api.ts): the name as an exact ID is the
    // common case, and then nothing is left to ask. All containers (for a prefix) only when the name is no ID.
    const nameFilter = this.naming.nameFilter(name);
    const api = await this.api();
    if (options.toolkit && options.toolkit.pull !== 'always') this.imagePresent(namespace, normalizeRef(options.toolkit.image));
    // the name's task is asked on the same guess; a name that is no ID asks again by ID
    const [named, exact, exactTask] = await Promise.all([
      nameFilter ? api.containers(namespace, [nameFilter]) : Promise.resolve([]),
      api.container(namespace, name),
      api.task(namespace, name),
    ]);
    const found = named.length ? named : exact ? [exact] : await api.containers(namespace);
    const matches = named.length || exact ? found.map((c) => c.ID) : matchId(found.map((c) => c.ID), name);
    if (matches.length > 1) {
      const shown = matches.slice(0, 8).map(shortId).join(', ') + (matches.length > 8 ? ', ...' : '');
      throw new UserError(`ID prefix "${name}" matches several containers in namespace ${namespace}: ${shown}`, {
        hint: `give more characters of the ID${this.naming.orElse}`,
        kind: 'ambiguous',
      });
    }
    const id = matches[0];
    if (id === undefined) throw await this.notFound(address, namespace);
    const info = found.find((c) => c.ID === id)!;
    const task = id === name ? exactTask : await api.task(namespace, id);
    const labels = info.Labels ?? {};
    // A bare name: a container named by nerdctl is found as nerdctl://, any other as containerd://, never twice.
    if (address.engine === undefined && !this.naming.owns(labels[NERDCTL_NAME] !== undefined)) throw await this.notFound(address, namespace);
    const { address: canonical, name: shown } = this.naming.show(namespace, id, labels);
    if (task?.status === 'PAUSED') {
      throw new UserError(`target ${canonical} is paused`, { hint: this.hint(namespace, id, labels, 'resume'), kind: 'not-running' });
    }
    if (task?.status !== 'RUNNING' && options.copyStopped && info.SnapshotKey) {
      return this.stoppedTarget(namespace, info, task, { address: canonical, name: shown });
    }
    if (task?.status !== 'RUNNING') {
      const state = task ? task.status.toLowerCase() : 'created, no task';
      throw new UserError(`target ${canonical} is not running (${state})`, { hint: `${this.hint(namespace, id, labels, 'start')}, then try again`, kind: 'not-running' });
    }
    const engineState: TargetMeta = { namespace, pid: task.pid, mounts: info.Spec?.mounts ?? [] };
    const config = specConfig(info);
    for (const note of configNotes(config)) debugLog(`${this.engine}: ${note}`);
    return {
      engine: this.engine,
      address: canonical,
      id,
      name: shown,
      image: info.Image ?? '',
      running: true,
      engineState,
      config,
    };
  }

  /** A container that does not run, for a session in a copy of its snapshot (FindOptions.copyStopped). */
  private stoppedTarget(namespace: string, info: ContainerInfo, task: TaskInfo | undefined, shown: { address: string; name: string }): Target {
    // a task that ran and stopped keeps its exit code, which only containerd's API tells
    const exitCode = task?.status === 'STOPPED' ? task.exitStatus : undefined;
    const state = task ? (exitCode === undefined ? task.status.toLowerCase() : 'exited') : 'created';
    const config = specConfig(info);
    for (const note of configNotes(config)) debugLog(`${this.engine}: ${note}`);
    const engineState: TargetMeta = {
      namespace,
      pid: 0,
      mounts: info.Spec?.mounts ?? [],
      hostname: info.Spec?.hostname,
      copyOf: { snapshotter: info.Snapshotter || 'overlayfs', key: info.SnapshotKey! },
    };
    return { engine: this.engine, ...shown, id: info.ID, image: info.Image ?? '', running: false, stopped: { state, exitCode: exitCode ?? 0 }, engineState, config };
  }

  /** What to type to start or resume a container, in its engine's own words. */
  private hint(namespace: string, id: string, labels: Record<string, string>, verb: 'start' | 'resume'): string {
    const nerdctlName = labels[NERDCTL_NAME];
    if (nerdctlName !== undefined) {
      const ns = namespace === 'default' ? '' : ` -n ${namespace}`;
      return `${verb === 'start' ? 'start' : 'resume'} it with "nerdctl${ns} ${verb === 'start' ? 'start' : 'unpause'} ${nerdctlName}"`;
    }
    return `${verb} it with "ctr -n ${namespace} tasks ${verb === 'start' ? 'start -d' : 'resume'} ${id}"`;
  }

  private async notFound(address: TargetAddress, namespace: string): Promise<UserError> {
    if (address.namespace !== undefined) {
      const known = await this.namespaces();
      if (!known.includes(namespace)) {
        return new UserError(`no namespace "${namespace}" on ${this.label}`, {
          hint: known.length ? `its namespaces are ${known.join(', ')} (Kubernetes keeps its containers in k8s.io)` : 'it has no namespace yet',
          kind: 'not-found',
        });
      }
    }
    return new UserError(`no container "${address.name}" in namespace ${namespace} on ${this.label}`, {
      hint: `list running containers with "sidekick targets" or "${this.naming.listCommand(namespace)}"`,
      kind: 'not-found',
    });
  }

  private meta(target: Target): TargetMeta {
    const known = target.engineState as TargetMeta | undefined;
    if (known) return known;
    // Not found through this runtime: the namespace is in the canonical address.
    return { namespace: parseAddress(target.address).namespace ?? this.flavor.defaultNamespace, pid: 0 };
  }

  /** The task's state; a ctr that cannot answer throws (connection problems as one-line errors). */
  async isRunning(target: Target): Promise<boolean> {
    const task = (await this.tasks(this.meta(target).namespace)).get(target.id);
    return task?.status === 'RUNNING';
  }

  /** containerd runs on this machine (its socket is a local file): the task's PID is this machine's. */
  async localPid(target: Target): Promise<number | undefined> {
    return (await this.tasks(this.meta(target).namespace)).get(target.id)?.pid;
  }

  async createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    const { namespace, copyOf } = this.meta(target);
    if (copyOf) return this.createCopyDebugger(target, copyOf, spec, progress);
    let { pid } = this.meta(target);
    if (!pid) pid = (await this.tasks(namespace)).get(target.id)?.pid ?? 0;
    if (!pid) throw new UserError(`target ${target.address} is not running`, { hint: 'start it, then try again', kind: 'not-running' });
    const ns = (type: string, file: string) => `--with-ns=${type}:/proc/${pid}/ns/${file}`;
    // The target's own name files, so that the toolkit (port-forward's nc) resolves names as it does.
    const mounts = this.meta(target).mounts ?? (await this.info(namespace, target.id).catch(() => undefined))?.Spec?.mounts ?? [];
    const nameFiles = nameFileMounts(mounts).filter((m) => existsSync(m.source));
    const placement = [ns('pid', 'pid'), ns('network', 'net'), ns('ipc', 'ipc'), ns('uts', 'uts'), ...nameFiles.map((m) => m.option)];
    const workDir = mkdtempSync(join(tmpdir(), 'sidekick-'));
    return this.runDebugger(namespace, spec, progress, placement, workDir, {
      kind: 'exec',
      file: '/bin/sh',
      args: [
        '-c',
        inPasses('"$0" --address "$1" -n "$2" tasks rm -f "$3" >/dev/null 2>&1; "$0" --address "$1" -n "$2" containers rm "$3" >/dev/null 2>&1; rm -rf "$4" "$5"'),
        this.ctr.file!,
        this.ctr.socket,
        namespace,
        spec.name,
        workDir,
        fifoDir(namespace, spec.name),
      ],
    });
  }

  /**
   * A stopped target's (or an image's) debugger: in namespaces of its own, with a copy of the
   * target's filesystem mounted for the entry script to take as the target's root (copy.ts), seen
   * as the original saw it (copy-view.ts).
   */
  private async createCopyDebugger(target: Target, copyOf: SnapshotRef | ImageSnapshot, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    const { namespace, mounts, hostname } = this.meta(target);
    const [{ makeCopy, copyCleanup }, { copyRunArgs }] = await Promise.all([import('./copy.js'), import('./copy-view.js')]);
    const copy = await makeCopy(this.ctr, namespace, target, copyOf, spec, hostname);
    try {
      const shown = copyRunArgs(copy.root, mounts, copy.uts);
      const env = { ...asConfiguredUser(target.config, spec), ...shown.env };
      const dbg = await this.runDebugger(namespace, { ...spec, env }, progress, shown.options, copy.runDir, copyCleanup(this.ctr, namespace, copyOf.snapshotter, spec));
      return {
        ...dbg,
        // the copy is removed after the debugger, by the CLI itself (or by the reaper's recipe)
        removedByEngine: undefined,
        remove: async () => {
          await dbg.remove();
          await copy.remove();
        },
      };
    } catch (e) {
      await copy.remove();
      throw e;
    }
  }

  async plannedCleanup(target: Target, spec: DebuggerSpec): Promise<CleanupRecipe | undefined> {
    const { namespace, copyOf } = this.meta(target);
    if (!copyOf) return undefined;
    return (await import('./copy.js')).copyCleanup(this.ctr, namespace, copyOf.snapshotter, spec);
  }

  /** A debugger made by `ctr run` (see debugger.ts), placed by the given options (namespaces, mounts). */
  private async runDebugger(
    namespace: string,
    spec: DebuggerSpec,
    progress: Progress,
    placement: string[],
    workDir: string,
    orphanCleanup: CleanupRecipe,
  ): Promise<Debugger> {
    const ref = normalizeRef(spec.image);
    // a TTY session that sidekick joins through the task's FIFOs (debugger.ts: launchJoined, startDetached)
    const joined = spec.tty && (spec.detached || spec.stdin);
    // made while the image is seen to (a foreground session's output: see output-fifos.ts)
    const fifos = !spec.tty && !spec.detached ? makeOutputFifos(workDir) : undefined;
    fifos?.catch(() => undefined);

    // The container itself is made by start() (`ctr run`, see debugger.ts); the image is seen to here.
    let output: OutputFifos | undefined;
    try {
      await applyPullPolicy(spec.pull, {
        present: () => this.imagePresent(namespace, ref),
        pull: () => this.pull(namespace, ref, spec.image, progress),
        forbidden: () =>
          pullForbidden(
            spec.image,
            `${this.label} (namespace ${namespace})`,
            `"ctr -n ${namespace} images pull ${plainHttpRegistry(ref) ? '--plain-http ' : ''}${ref}", or import it`,
          ),
      });
      output = await fifos;
    } catch (e) {
      rmSync(workDir, { recursive: true, force: true });
      throw e;
    }

    // Every option in --name=value form, then "--": ctr 1.6 would otherwise read options of the
    // command (sh -c) as its own.
    const runArgs = [
      ...Object.entries(spec.labels).map(([k, v]) => `--label=${k}=${v}`),
      ...Object.entries(spec.env).map(([k, v]) => `--env=${k}=${v}`),
      ...placement,
      ...ctrSecurityFlags(spec.security),
      ...(spec.tty ? ['--tty=true'] : []),
      ...(joined ? joinedTtyArgs(namespace, spec.name) : []),
      ...(output?.runArgs ?? []),
      '--',
      ref,
      spec.name,
      ...spec.argv,
    ];

    return ctrDebugger({
      ctr: this.ctr,
      namespace,
      id: spec.name,
      runArgs,
      spec,
      notes: [],
      label: this.label,
      workDir,
      removeContainer: (running) => this.removeContainer(namespace, spec.name, running),
      containerGone: async () => (await (await this.api()).container(namespace, spec.name)) === undefined,
      address: formatAddress(this.engine, spec.name, namespace),
      fifoDir: joined ? fifoDir(namespace, spec.name) : undefined,
      output,
      // (the recipe of a debugger on a running target removes the FIFOs' directory already)
      orphanCleanup: joined ? { kind: 'sequence', steps: [orphanCleanup, { kind: 'exec', file: 'rm', args: ['-rf', '--', fifoDir(namespace, spec.name)] }] } : orphanCleanup,
    });
  }

  /** Whether the namespace has the image: asked once per CLI run (findTarget may have asked already, see FindOptions.toolkit). */
  private imagePresent(namespace: string, ref: string): Promise<boolean> {
    const key = `${namespace}\0${ref}`;
    let answer = this.imagesAsked.get(key);
    if (!answer) {
      answer = this.hasImage(namespace, ref);
      answer.catch(() => undefined); // asked ahead: a failure counts only when the answer is awaited
      this.imagesAsked.set(key, answer);
    }
    return answer;
  }

  private async hasImage(namespace: string, ref: string): Promise<boolean> {
    return (await this.api()).hasImage(namespace, ref);
  }

  /** `ctr images pull`, its progress lines turned into Progress events. */
  private async pull(namespace: string, ref: string, image: string, progress: Progress): Promise<void> {
    progress.pull({ image, status: 'resolving' });
    // A registry on this machine is spoken to in plain HTTP, as Docker does (see plainHttpRegistry).
    const args = ['images', 'pull', ...(plainHttpRegistry(ref) ? ['--plain-http'] : []), '--', ref];
    const proc = this.ctr.spawn(namespace, args, ['ignore', 'pipe', 'pipe']);
    let pending = '';
    proc.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const event = parsePullLine(image, line);
        if (event) progress.pull(event);
      }
    });
    let stderr = '';
    proc.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await proc.done;
    if (code !== 0) {
      throw (
        this.ctr.explain(stderr) ??
        new UserError(`cannot pull ${image} on ${this.label}: ${new CtrFailure([], code, stderr).message}`, {
          hint: 'check the image name and your registry access, or import the image locally and use --pull never',
        })
      );
    }
    progress.pullDone(image);
  }

  /** Removes a container and its snapshot; kills its task first when it may be alive. Gone is fine. */
  private async removeContainer(namespace: string, id: string, running: boolean): Promise<void> {
    rmSync(fifoDir(namespace, id), { recursive: true, force: true });
    const killTask = () => this.ctr.run(namespace, ['tasks', 'rm', '-f', id]).catch((e: unknown) => {
      if (!(e instanceof CtrFailure)) throw e;
    });
    if (running) await killTask();
    try {
      await this.ctr.run(namespace, ['containers', 'rm', id]);
    } catch (e) {
      if (isGone(e)) return;
      if (!(e instanceof CtrFailure)) throw e;
      // a task still there (running, or not yet deleted by its ctr)
      await killTask();
      await this.ctr.run(namespace, ['containers', 'rm', id]).catch((err: unknown) => {
        if (!isGone(err)) throw err;
      });
    }
  }

  async describeTarget(target: Target): Promise<TargetDetails> {
    const { namespace } = this.meta(target);
    const [info, tasks] = await Promise.all([this.info(namespace, target.id), this.tasks(namespace)]);
    const args = info.Spec?.process?.args ?? [];
    // containerd keeps only the process's command line; the image says which part is the entrypoint.
    const config = info.Image ? await this.imageConfig(namespace, info.Image).catch(() => undefined) : undefined;
    const entrypoint = config?.config?.Entrypoint ?? [];
    const split = entrypoint.length > 0 && entrypoint.every((word, i) => args[i] === word) ? entrypoint.length : args.length;
    const user = info.Spec?.process?.user;
    const task = tasks.get(target.id);
    return {
      image: info.Image ?? target.image,
      entrypoint: args.slice(0, split),
      command: args.slice(split),
      user: user && (user.uid || user.gid) ? `${user.uid ?? 0}:${user.gid ?? 0}` : (config?.config?.User ?? ''),
      startedAt: task ? startedAt(task.pid, bootTime()).toISOString() : undefined,
      restartCount: 0,
      // a stopped task's state and exit code as findTarget read them from containerd's API
      state: target.stopped?.state ?? (task ? task.status.toLowerCase() : 'created'),
      memoryLimit: info.Spec?.linux?.resources?.memory?.limit || undefined,
      ...(target.stopped ? { exitCode: target.stopped.state === 'exited' ? target.stopped.exitCode : null } : {}),
    };
  }

  /** A local image as a target (image://REF): debugged in a copy of its unpacked layers (copy.ts). */
  async findImage(ref: string): Promise<Target | undefined> {
    const namespace = this.flavor.defaultNamespace;
    const name = normalizeRef(ref);
    if (!(await this.hasImage(namespace, name))) return undefined;
    const { config, digest } = await this.imageConfigOf(namespace, name);
    const c = config.config ?? {};
    const { chainId } = await import('./copy.js');
    const engineState: TargetMeta = {
      namespace,
      pid: 0,
      copyOf: { snapshotter: process.env.CONTAINERD_SNAPSHOTTER || 'overlayfs', parent: chainId(config.rootfs?.diff_ids ?? []) },
    };
    return {
      engine: this.engine,
      address: `image://${ref}`,
      id: digest,
      name: ref.replace(/^.*\//, '').replace(/[^a-zA-Z0-9_.-]/g, '-'),
      image: name,
      running: false,
      stopped: { state: 'image', exitCode: 0 },
      engineState,
      config: {
        env: c.Env ?? [],
        user: c.User || undefined,
        workdir: c.WorkingDir || undefined,
        command: [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])],
        unknown: [],
      },
    };
  }

  async pullImage(ref: string, progress: Progress): Promise<void> {
    await this.pull(this.flavor.defaultNamespace, normalizeRef(ref), ref, progress);
  }

  /** An image's config from containerd's content store: index (this platform), manifest, config. */
  private async imageConfig(namespace: string, ref: string): Promise<ImageConfig> {
    return (await this.imageConfigOf(namespace, ref)).config;
  }

  /** An image's config and its digest (the image's ID, as Docker names images). */
  private async imageConfigOf(namespace: string, ref: string): Promise<{ config: ImageConfig; digest: string }> {
    const line = (await this.ctr.run(namespace, ['images', 'ls', `name==${quote(ref)}`])).split('\n')[1] ?? '';
    let digest = line.trim().split(/\s+/)[2];
    const blob = async (d: string) => JSON.parse(await this.ctr.run(namespace, ['content', 'get', d])) as Record<string, unknown>;
    for (let depth = 0; digest && depth < 3; depth++) {
      const doc = await blob(digest);
      const manifests = doc.manifests as Array<{ digest: string; platform?: { os?: string; architecture?: string } }> | undefined;
      if (manifests) {
        const arch = GOARCH[process.arch] ?? process.arch;
        digest = (manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifests[0])?.digest;
        continue;
      }
      const config = doc.config as { digest?: string } | undefined;
      if (config?.digest) return { config: (await blob(config.digest)) as ImageConfig, digest: config.digest };
      break;
    }
    throw new Error(`no config found for ${ref}`);
  }

  /** Running containers of every namespace that belong to this flavor, debuggers left out. */
  async listTargets(): Promise<TargetInfo[]> {
    const boot = bootTime();
    const perNamespace = await Promise.all(
      (await this.namespaces())
        .filter((ns) => !FOREIGN_NAMESPACES.has(ns))
        .map(async (namespace) => {
          const [containers, nerdctlIds, debuggerIds, tasks] = await Promise.all([
            this.ctr.run(namespace, ['containers', 'ls']).then(parseContainers),
            this.ctr.run(namespace, ['containers', 'ls', '-q', labelFilter(NERDCTL_NAME)]).then((t) => new Set(words(t))),
            this.ctr.run(namespace, ['containers', 'ls', '-q', labelFilter(LABEL.role)]).then((t) => new Set(words(t))),
            this.tasks(namespace),
          ]);
          const mine = [...containers].filter(
            ([id]) => tasks.get(id)?.status === 'RUNNING' && !debuggerIds.has(id) && this.naming.owns(nerdctlIds.has(id)),
          );
          return Promise.all(
            mine.map(async ([id, image]): Promise<TargetInfo> => {
              // a labelled container's name is in its labels
              const labels = nerdctlIds.has(id) ? ((await this.info(namespace, id)).Labels ?? {}) : {};
              return {
                engine: this.engine,
                address: this.naming.show(namespace, id, labels).address,
                image,
                status: 'running',
                created: startedAt(tasks.get(id)!.pid, boot),
              };
            }),
          );
        }),
    );
    return perNamespace.flat();
  }

  /** Debuggers of every namespace; a debugger belongs to the flavor its target was found through. */
  async listDebuggers(): Promise<DebuggerInfo[]> {
    const perNamespace = await Promise.all(
      (await this.namespaces()).map(async (namespace) => {
        const [ids, tasks] = await Promise.all([
          this.ctr.run(namespace, ['containers', 'ls', '-q', labelFilter(LABEL.role, ROLE_DEBUGGER)]).then(words),
          this.tasks(namespace),
        ]);
        const infos = await Promise.all(ids.map((id) => this.info(namespace, id).catch(() => undefined)));
        return infos
          .filter((info): info is ContainerInfo => info !== undefined)
          .filter((info) => ((info.Labels?.[LABEL.targetName] ?? '').startsWith('nerdctl://') ? 'nerdctl' : 'containerd') === this.engine)
          .map((info): DebuggerInfo => {
            const labels = info.Labels ?? {};
            const task = tasks.get(info.ID);
            return {
              engine: this.engine,
              id: formatAddress(this.engine, info.ID, namespace),
              name: info.ID,
              target: labels[LABEL.targetName] ?? labels[LABEL.target] ?? '',
              status: task ? task.status.toLowerCase() : 'created',
              running: task?.status === 'RUNNING',
              created: info.CreatedAt ? new Date(info.CreatedAt) : new Date(),
              owner: labels[LABEL.owner],
              detached: labels[LABEL.detached] === 'true',
              attachable: labels[LABEL.detached] === 'true' && task?.status === 'RUNNING',
            };
          });
      }),
    );
    return perNamespace.flat();
  }

  async removeDebugger(address: TargetAddress): Promise<RemovedDebugger | undefined> {
    const namespace = address.namespace ?? this.flavor.defaultNamespace;
    const info = await this.info(namespace, address.name).catch((e: unknown) => {
      if (e instanceof CtrFailure) return undefined; // not there
      throw e;
    });
    // only a sidekick debugger is removed, whatever the address names
    const labels = info?.Labels ?? {};
    if (labels[LABEL.role] !== ROLE_DEBUGGER) return undefined;
    await this.removeContainer(namespace, address.name, true);
    // a debugger of a stopped target's copy (or an image's) may have left the copy too
    await (await import('./copy.js')).removeLeftCopy(this.ctr, namespace, address.name);
    return { name: address.name, target: labels[LABEL.targetName] ?? labels[LABEL.target] ?? '' };
  }

  async attachDebugger(address: TargetAddress): Promise<AttachedDebugger> {
    const namespace = address.namespace ?? this.flavor.defaultNamespace;
    const info = await this.info(namespace, address.name).catch((e: unknown) => {
      if (e instanceof CtrFailure) return undefined; // not there
      throw e;
    });
    const { attachCtrDebugger } = await import('./attach.js');
    return attachCtrDebugger(
      { ctr: this.ctr, namespace, label: this.label, removeContainer: (running) => this.removeContainer(namespace, address.name, running) },
      address,
      info && { labels: info.Labels ?? {}, task: (await this.tasks(namespace)).get(info.ID) },
    );
  }
}

/**
 * Where a debugger with a TTY that sidekick joins (exec -d, or a foreground session) keeps its I/O FIFOs: named after it, so that whoever removes
 * it removes them too, and so that `exec -d` finds its stdin to send the go-ahead line (debugger.ts).
 */
function fifoDir(namespace: string, id: string): string {
  return join(tmpdir(), `sidekick-fifo-${namespace}-${id}`);
}

/** ctr run options of a debugger with a TTY that sidekick joins: its FIFOs where fifoDir says, and the entry script waiting for a go-ahead. */
function joinedTtyArgs(namespace: string, id: string): string[] {
  return [`--fifo-dir=${fifoDir(namespace, id)}`, '--env=SIDEKICK_HANDSHAKE=1'];
}

function bootTime(): number {
  try {
    return Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A task's start time, from its process (containerd's ctr prints none). */
function startedAt(pid: number, boot: number): Date {
  try {
    return processStart(readFileSync(`/proc/${pid}/stat`, 'utf8'), boot) ?? new Date();
  } catch {
    return new Date();
  }
}
