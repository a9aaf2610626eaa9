/**
 * Docker (and Podman's Docker-compatible API) behind the Runtime interface, through dockerode.
 * The debugger is a container that shares the target's pid, network and (where the target allows
 * it) ipc namespaces, removed by the engine when it exits (AutoRemove) and by us when interrupted;
 * a detached one (`exec -d`) is kept once it ended, until `attach` (see attach.ts) or `cleanup`.
 */
import Docker from 'dockerode';
import http from 'node:http';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { formatAddress, type EngineName, type TargetAddress } from '../address.js';
import type { Endpoint, ProbeResult } from '../endpoint.js';
import {
  LABEL,
  ROLE_DEBUGGER,
  type AttachedDebugger,
  type CleanupRecipe,
  type Debugger,
  type DebuggerInfo,
  type DebuggerSpec,
  type FindOptions,
  type Progress,
  type RemovedDebugger,
  type Runtime,
  type Target,
  type TargetDetails,
  type TargetInfo,
} from '../runtime.js';
import { applyPullPolicy, nameInUse, pullForbidden } from '../errors.js';
import type { InspectMount } from './copy-mounts.js';
import { createContainer, debuggerOptions } from './create.js';
import { dockerDebugger, removeContainer } from './debugger.js';
import { connectionError, engineMessage, statusOf } from './errors.js';
import { pullImage } from './pull.js';
import { configNotes } from '../target-config.js';

/** Entrypoint and Cmd: a list, a string (old API versions), or nothing. */
const asList = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? (v as string[]) : [String(v)]);

export interface DockerFlavor {
  engine: Extract<EngineName, 'docker' | 'podman'>;
  /** "Docker" or "Podman", for messages */
  label: string;
  /** the CLI command a user would type, for hints */
  cli: string;
  /** what to do when the engine cannot be reached */
  startHint: string;
  /**
   * Podman: its conmon closes a container's stdin when an attach leaves, unless the container has a
   * TTY (conmon runs with -i and never --leave-stdin-open, and the API has no say), which ends a shell
   */
  closesStdinOnLeave?: boolean;
  /**
   * Podman: its wait answers ~100 ms after the container's exit ended the attach, when its cleanup
   * is done; inspect has the exit code within a few ms (see exitCodeOnceExited)
   */
  slowWait?: boolean;
}

/** What findTarget learned of a target, for createDebugger. */
export interface DockerTargetState {
  ipcMode: string;
  /** its configured hostname, which a copy of a stopped target keeps */
  hostname?: string;
  /** the target is an image (image://): its copy needs no commit */
  image?: boolean;
  /** its mounts and --tmpfs, which a copy of a stopped target is given again (copy-mounts.ts) */
  mounts?: InspectMount[];
  tmpfs?: Record<string, string>;
}

export class DockerRuntime implements Runtime {
  readonly engine: EngineName;
  readonly endpoint: string;
  private readonly docker: Docker;

  constructor(
    private readonly flavor: DockerFlavor,
    private readonly probe: ProbeResult,
  ) {
    this.engine = flavor.engine;
    this.endpoint = probe.endpoint.url;
    this.docker = new Docker(dockerodeOptions(probe.endpoint));
    debugLog(`${flavor.engine}: ${probe.endpoint.url} from ${probe.endpoint.source} (probes: ${probe.tried.join(', ') || 'none answered'})`);
  }

  /** Runs an engine call, turning connection failures into one-line errors. */
  private async call<T>(what: Promise<T>): Promise<T> {
    try {
      return await what;
    } catch (e) {
      throw connectionError(e, this.flavor.label, this.probe, this.flavor.startHint) ?? e;
    }
  }

  async findTarget(address: TargetAddress, options: FindOptions = {}): Promise<Target> {
    const { name } = address;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.call(this.docker.getContainer(name).inspect());
    } catch (e) {
      if (e instanceof UserError) throw e;
      const message = engineMessage(e);
      // Docker says "multiple IDs found", Podman "more than one result" (with a 404)
      if (/multiple|ambiguous|more than one/i.test(message)) throw await this.ambiguous(name);
      if (statusOf(e) === 404) {
        throw new UserError(`no container "${name}" on ${this.flavor.label}`, {
          hint: `list running containers with "sidekick targets" or "${this.flavor.cli} ps"`,
          kind: 'not-found',
        });
      }
      throw new UserError(`cannot inspect ${name} on ${this.flavor.label}: ${message}`, { cause: e });
    }
    const shortName = info.Name.replace(/^\//, '');
    const target: Target = {
      engine: this.engine,
      address: formatAddress(this.engine, shortName),
      id: info.Id,
      name: shortName,
      image: info.Config.Image,
      running: info.State.Running && !info.State.Paused,
      engineState: {
        ipcMode: info.HostConfig.IpcMode ?? '',
        hostname: info.Config.Hostname || undefined,
        mounts: info.Mounts,
        tmpfs: (info.HostConfig as { Tmpfs?: Record<string, string> }).Tmpfs ?? undefined,
      } satisfies DockerTargetState,
      config: {
        env: info.Config.Env ?? [],
        user: info.Config.User || undefined,
        workdir: info.Config.WorkingDir || undefined,
        command: [...asList(info.Config.Entrypoint), ...asList(info.Config.Cmd)],
        unknown: [],
      },
    };
    for (const note of configNotes(target.config!)) debugLog(`${this.engine}: ${note}`);
    if (info.State.Paused) {
      throw new UserError(`target ${target.address} is paused`, { hint: `resume it with "${this.flavor.cli} unpause ${shortName}"`, kind: 'not-running' });
    }
    if (!info.State.Running && options.copyStopped) return { ...target, stopped: { state: info.State.Status, exitCode: info.State.ExitCode } };
    if (!info.State.Running) {
      throw new UserError(`target ${target.address} is not running (${info.State.Status}, exit code ${info.State.ExitCode})`, {
        hint: `start it with "${this.flavor.cli} start ${shortName}", then try again`,
        kind: 'not-running',
      });
    }
    return target;
  }

  async findImage(ref: string): Promise<Target | undefined> {
    const { imageTarget } = await import('./copy-session.js');
    return imageTarget(this.engine, ref, await this.call(this.docker.getImage(ref).inspect()).catch((e: unknown) => {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }));
  }

  async pullImage(ref: string, progress: Progress): Promise<void> {
    await this.pull(ref, progress);
  }

  private async ambiguous(prefix: string): Promise<UserError> {
    const all = await this.call(this.docker.listContainers({ all: true }));
    const matches = all.filter((c) => c.Id.startsWith(prefix)).map((c) => `${c.Id.slice(0, 12)} (${(c.Names[0] ?? '').replace(/^\//, '')})`);
    return new UserError(`ID prefix "${prefix}" matches several containers: ${matches.join(', ') || 'more than one'}`, {
      hint: 'give more characters of the ID, or the name',
      kind: 'ambiguous',
    });
  }

  async isRunning(target: Target): Promise<boolean> {
    try {
      const info = await this.call(this.docker.getContainer(target.id).inspect());
      return info.State.Running;
    } catch (e) {
      if (statusOf(e) === 404) return false; // removed
      throw e instanceof UserError ? e : new UserError(`cannot inspect ${target.address} on ${this.flavor.label}: ${engineMessage(e)}`, { kind: 'unreachable', cause: e });
    }
  }

  async createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    if (target.stopped) {
      const { createCopyDebugger } = await import('./copy-session.js');
      const ctx = { docker: this.docker, flavor: this.flavor, endpoint: this.probe.endpoint, call: <T>(w: Promise<T>) => this.call(w) };
      return this.call(createCopyDebugger(ctx, target, spec, progress));
    }
    const notes: string[] = [];
    const ipcMode = (target.engineState as DockerTargetState | undefined)?.ipcMode ?? '';
    // Only a target created with --ipc=shareable (or host/container:X) lets others join its IPC namespace.
    const joinIpc = ipcMode === 'shareable' || ipcMode === 'host' || ipcMode.startsWith('container:');
    if (!joinIpc) {
      notes.push(`IPC namespace not shared: the target's ipc mode is "${ipcMode || 'private'}" (run it with --ipc=shareable to share it)`);
    }
    const options = debuggerOptions(spec, spec.image, spec.argv[0]!, {
      PidMode: `container:${target.id}`,
      NetworkMode: `container:${target.id}`,
      ...(joinIpc ? { IpcMode: `container:${target.id}` } : {}),
    });

    // The create call itself tells whether the image is there: no separate lookup on the common path.
    let container = spec.pull === 'always' ? undefined : await this.create(options, spec, { orMissingImage: true });
    await applyPullPolicy(spec.pull, {
      present: async () => container !== undefined,
      pull: () => this.pull(spec.image, progress),
      forbidden: () => pullForbidden(spec.image, this.flavor.label, `"${this.flavor.cli} pull ${spec.image}"`),
    });
    container ??= (await this.create(options, spec))!;
    const address = formatAddress(this.engine, container.id);
    const dbg = dockerDebugger({
      docker: this.docker,
      container,
      spec,
      notes,
      endpoint: this.probe.endpoint,
      label: this.flavor.label,
      call: (w) => this.call(w),
      address,
      exitOnStreamEnd: this.flavor.slowWait,
    });
    if (!spec.detached) return dbg;
    return (await import('./attach.js')).withDetachNotice(dbg, spec, this.flavor);
  }

  /**
   * Known before anything is made, so the reaper is armed before the container exists: a CLI killed
   * between the create and a later guard would leak it. The debugger's name is as good as its ID.
   */
  async plannedCleanup(target: Target, spec: DebuggerSpec): Promise<CleanupRecipe | undefined> {
    if (target.stopped) return (await import('./copy-session.js')).copyCleanup(this.probe.endpoint, spec);
    const { socketPath, host, port } = this.probe.endpoint;
    return { kind: 'http', socketPath, host, port, method: 'DELETE', path: `/containers/${encodeURIComponent(spec.name)}?force=true&v=true` };
  }

  /** Creates the container; undefined (when asked) if its image is missing. */
  private async create(options: Docker.ContainerCreateOptions, spec: DebuggerSpec, opts: { orMissingImage?: boolean } = {}): Promise<Docker.Container | undefined> {
    try {
      return await this.call(createContainer(this.docker, options));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (opts.orMissingImage && statusOf(e) === 404 && /image/i.test(engineMessage(e))) return undefined;
      throw this.createFailure(e, spec);
    }
  }

  private createFailure(e: unknown, spec: DebuggerSpec): UserError {
    const message = engineMessage(e);
    if (statusOf(e) === 409 || /already in use/i.test(message)) return nameInUse(spec.name, e);
    return new UserError(`cannot create the debugger: ${message}`, { cause: e });
  }

  private async pull(image: string, progress: Progress): Promise<void> {
    await this.call(pullImage(this.docker, image, progress, this.flavor.label));
  }

  async localPid(target: Target): Promise<number | undefined> {
    // Only an engine behind a local socket can run on this machine; the caller checks the namespace.
    if (!this.probe.endpoint.socketPath) return undefined;
    const info = await this.docker.getContainer(target.id).inspect().catch(() => undefined);
    return info?.State.Pid || undefined;
  }

  async describeTarget(target: Target): Promise<TargetDetails> {
    const info = await this.call(this.docker.getContainer(target.id).inspect());
    return {
      image: info.Config.Image,
      entrypoint: asList(info.Config.Entrypoint),
      command: asList(info.Config.Cmd),
      user: info.Config.User ?? '',
      startedAt: realTime(info.State.StartedAt),
      restartCount: info.RestartCount ?? 0,
      state: info.State.Status,
      memoryLimit: info.HostConfig.Memory || undefined,
      ...(info.State.Running
        ? {}
        : info.State.Status === 'created'
          ? { exitCode: null, oomKilled: null }
          : { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, finishedAt: realTime(info.State.FinishedAt) }),
    };
  }

  async listTargets(): Promise<TargetInfo[]> {
    const list = await this.call(this.docker.listContainers({ filters: { status: ['running'] } }));
    return list
      .filter((c) => c.Labels?.[LABEL.role] === undefined)
      .map((c) => ({
        engine: this.engine,
        address: formatAddress(this.engine, (c.Names[0] ?? c.Id).replace(/^\//, '')),
        image: c.Image,
        status: c.Status,
        created: new Date(c.Created * 1000),
      }));
  }

  async listDebuggers(): Promise<DebuggerInfo[]> {
    const list = await this.call(
      this.docker.listContainers({ all: true, filters: { label: [`${LABEL.role}=${ROLE_DEBUGGER}`] } }),
    );
    return list.map((c) => ({
      engine: this.engine,
      id: formatAddress(this.engine, c.Id),
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      target: c.Labels[LABEL.targetName] ?? c.Labels[LABEL.target] ?? '',
      status: c.Status,
      running: c.State === 'running',
      created: new Date(c.Created * 1000),
      owner: c.Labels[LABEL.owner],
      detached: c.Labels[LABEL.detached] === 'true',
      attachable: c.Labels[LABEL.detached] === 'true' && c.State === 'running',
    }));
  }

  async removeDebugger(address: TargetAddress): Promise<RemovedDebugger | undefined> {
    const container = this.docker.getContainer(address.name);
    const info = await this.call(container.inspect()).catch((e: unknown) => {
      if (statusOf(e) === 404) return undefined;
      throw e;
    });
    // only a sidekick debugger is removed, whatever the address names
    if (info?.Config.Labels?.[LABEL.role] !== ROLE_DEBUGGER) return undefined;
    await this.call(removeContainer(container));
    return { name: info.Name.replace(/^\//, ''), target: info.Config.Labels[LABEL.targetName] ?? info.Config.Labels[LABEL.target] ?? '' };
  }

  async attachDebugger(address: TargetAddress): Promise<AttachedDebugger> {
    const { attachDockerDebugger } = await import('./attach.js');
    return attachDockerDebugger({ docker: this.docker, label: this.flavor.label, closesStdinOnLeave: this.flavor.closesStdinOnLeave, call: (w) => this.call(w) }, address);
  }
}

function dockerodeOptions(endpoint: Endpoint): Docker.DockerOptions {
  // docker-modem passes an agent on to Node's http, though its types do not say so
  if (endpoint.socketPath) return { socketPath: endpoint.socketPath, agent: unixSocketAgent() } as Docker.DockerOptions;
  if (endpoint.host) return { host: endpoint.host, port: endpoint.port, protocol: 'http' };
  // an endpoint we cannot use: point at a path that fails with a clear "cannot reach" error
  return { socketPath: endpoint.url };
}

/**
 * Node's own keep-alive agent, told there is no TLS server name to work out: for every request it
 * would otherwise test the host against the IPv6 pattern, whose first use compiles a regex that took
 * ~5-9 ms of the CLI's start (--cpu-prof), for a Unix socket that has no host at all.
 */
function unixSocketAgent(): http.Agent {
  const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000, servername: '' } as http.AgentOptions);
  // docker-modem formats every request's options for its debug log even when that log is off
  // (util.inspect, showHidden, no depth limit), and the agent holds the sockets with all they
  // reference: ~15 ms of CPU per session (--cpu-prof). Shown as one word, it costs nothing.
  Object.defineProperty(agent, Symbol.for('nodejs.util.inspect.custom'), { value: () => 'http.Agent' });
  return agent;
}

/** An engine's time, unless it is the zero time Docker gives what never happened (0001-01-01...). */
function realTime(time: string | undefined): string | undefined {
  return time && !time.startsWith('0001-') ? time : undefined;
}
