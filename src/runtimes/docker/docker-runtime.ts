/**
 * Docker (and Podman's Docker-compatible API) behind the Runtime interface, through dockerode.
 * The debugger is a container that shares the target's pid, network and (where the target allows
 * it) ipc namespaces, removed by the engine when it exits (AutoRemove) and by us when interrupted.
 */
import Docker from 'dockerode';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { formatAddress, type EngineName, type TargetAddress } from '../address.js';
import type { Endpoint, ProbeResult } from '../endpoint.js';
import {
  LABEL,
  ROLE_DEBUGGER,
  type Debugger,
  type DebuggerInfo,
  type DebuggerSpec,
  type DebuggerStreams,
  type ExecProcess,
  type Progress,
  type Runtime,
  type Target,
  type TargetDetails,
  type TargetInfo,
} from '../runtime.js';
import { configNotes } from '../target-config.js';
import { connectionError, engineMessage, statusOf } from './engine-errors.js';
import { pullImage } from './pull.js';

/** Entrypoint and Cmd: a list, a string (old API versions), or nothing. */
const asList = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? (v as string[]) : [String(v)]);

// Docker's detach keys would swallow ^P; this sequence is one nobody types.
const DETACH_KEYS = 'ctrl-@,ctrl-@,ctrl-@,ctrl-@,ctrl-@';

export interface DockerFlavor {
  engine: Extract<EngineName, 'docker' | 'podman'>;
  /** "Docker" or "Podman", for messages */
  label: string;
  /** the CLI command a user would type, for hints */
  cli: string;
  /** what to do when the engine cannot be reached */
  startHint: string;
}

export class DockerRuntime implements Runtime {
  readonly engine: EngineName;
  readonly endpoint: string;
  private readonly docker: Docker;
  // What findTarget learned of each target's IPC mode, for createDebugger.
  private readonly ipcModes = new Map<string, string>();

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

  async findTarget(address: TargetAddress): Promise<Target> {
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
          exitCode: 125,
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
      throw new UserError(`target ${target.address} is paused`, { hint: `resume it with "${this.flavor.cli} unpause ${shortName}"` });
    }
    if (!info.State.Running) {
      throw new UserError(`target ${target.address} is not running (${info.State.Status}, exit code ${info.State.ExitCode})`, {
        hint: `start it with "${this.flavor.cli} start ${shortName}", then try again`,
      });
    }
    this.ipcModes.set(info.Id, info.HostConfig.IpcMode ?? '');
    return target;
  }

  private async ambiguous(prefix: string): Promise<UserError> {
    const all = await this.call(this.docker.listContainers({ all: true }));
    const matches = all.filter((c) => c.Id.startsWith(prefix)).map((c) => `${c.Id.slice(0, 12)} (${(c.Names[0] ?? '').replace(/^\//, '')})`);
    return new UserError(`ID prefix "${prefix}" matches several containers: ${matches.join(', ') || 'more than one'}`, {
      hint: 'give more characters of the ID, or the name',
    });
  }

  async isRunning(target: Target): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(target.id).inspect();
      return info.State.Running;
    } catch {
      return false;
    }
  }

  async createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
    const notes: string[] = [];
    const ipcMode = this.ipcModes.get(target.id) ?? '';
    // Only a target created with --ipc=shareable (or host/container:X) lets others join its IPC namespace.
    const joinIpc = ipcMode === 'shareable' || ipcMode === 'host' || ipcMode.startsWith('container:');
    if (!joinIpc) {
      notes.push(`IPC namespace not shared: the target's ipc mode is "${ipcMode || 'private'}" (run it with --ipc=shareable to share it)`);
    }
    const [entrypoint, ...cmd] = spec.argv;
    const options: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Entrypoint: [entrypoint!],
      Cmd: cmd,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Tty: spec.tty,
      OpenStdin: spec.stdin,
      StdinOnce: spec.stdin,
      AttachStdin: spec.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Labels: spec.labels,
      HostConfig: {
        PidMode: `container:${target.id}`,
        NetworkMode: `container:${target.id}`,
        ...(joinIpc ? { IpcMode: `container:${target.id}` } : {}),
        CapAdd: spec.capAdd,
        Privileged: spec.privileged,
        AutoRemove: true,
      },
    };

    if (spec.pull === 'always') await this.pull(spec.image, progress);
    let container: Docker.Container;
    try {
      container = await this.call(this.docker.createContainer(options));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (statusOf(e) !== 404 || !/image/i.test(engineMessage(e))) throw this.createFailure(e, spec);
      if (spec.pull === 'never') {
        throw new UserError(`image ${spec.image} is not on ${this.flavor.label} and --pull never forbids pulling`, {
          hint: `pull it first ("${this.flavor.cli} pull ${spec.image}") or drop --pull never`,
        });
      }
      await this.pull(spec.image, progress);
      container = await this.call(this.docker.createContainer(options)).catch((err) => {
        throw err instanceof UserError ? err : this.createFailure(err, spec);
      });
    }
    return this.wrap(container, spec, notes);
  }

  private createFailure(e: unknown, spec: DebuggerSpec): UserError {
    const message = engineMessage(e);
    if (statusOf(e) === 409 || /already in use/i.test(message)) {
      return new UserError(`cannot create the debugger: the name "${spec.name}" is already in use`, {
        hint: 'pick another --name, or remove the old one with "sidekick cleanup"',
        cause: e,
      });
    }
    return new UserError(`cannot create the debugger: ${message}`, { cause: e });
  }

  private async pull(image: string, progress: Progress): Promise<void> {
    await this.call(pullImage(this.docker, image, progress, this.flavor.label));
  }

  private wrap(container: Docker.Container, spec: DebuggerSpec, notes: string[]): Debugger {
    const { endpoint } = this.probe;
    const flavor = this.flavor;
    return {
      id: container.id,
      name: spec.name,
      notes,
      orphanCleanup: {
        kind: 'http',
        socketPath: endpoint.socketPath,
        host: endpoint.host,
        port: endpoint.port,
        method: 'DELETE',
        path: `/containers/${container.id}?force=true&v=true`,
      },
      attach: async (): Promise<DebuggerStreams> => {
        let raw: Duplex;
        try {
          raw = await this.attachHijacked(container.id, spec.stdin);
        } catch (e) {
          // Podman prepares the container at attach, so its runtime errors arrive here
          throw startFailure(e, spec, flavor);
        }
        const ended = new Promise<void>((resolve) => {
          raw.once('end', resolve);
          raw.once('close', resolve);
          raw.once('error', () => resolve());
        });
        if (spec.tty) return { stdin: spec.stdin ? raw : undefined, stdout: raw, ended };
        // Without a TTY the engine multiplexes stdout and stderr on one stream.
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        this.docker.modem.demuxStream(raw, stdout, stderr);
        void ended.then(() => {
          stdout.end();
          stderr.end();
        });
        return { stdin: spec.stdin ? raw : undefined, stdout, stderr, ended };
      },
      start: async () => {
        await container.start().catch((e: unknown) => {
          throw startFailure(e, spec, flavor);
        });
      },
      wait: async () => {
        const result = (await container.wait({ condition: 'next-exit' })) as { StatusCode: number };
        return result.StatusCode;
      },
      resize: async (rows, columns) => {
        await container.resize({ h: rows, w: columns }).catch(() => undefined);
      },
      remove: async () => {
        await container.remove({ force: true, v: true }).catch((e: unknown) => {
          const status = statusOf(e);
          if (status === 404 || status === 409) return; // gone, or AutoRemove already removing it
          throw e;
        });
      },
      exec: (argv) => this.exec(container, argv),
    };
  }

  /** A process in the running debugger, its streams hijacked from the engine (no TTY, so demuxed). */
  private async exec(container: Docker.Container, argv: string[]): Promise<ExecProcess> {
    const exec = await this.call(container.exec({ Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false })).catch((e) => {
      throw e instanceof UserError ? e : new UserError(`cannot run ${argv[0]} in the debugger: ${engineMessage(e)}`, { cause: e });
    });
    const raw = (await this.call(exec.start({ hijack: true, stdin: true }))) as unknown as Duplex;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.docker.modem.demuxStream(raw, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      raw.once('end', resolve);
      raw.once('close', resolve);
      raw.on('error', () => resolve());
    });
    void ended.then(() => {
      stdout.end();
      stderr.end();
    });
    // Ending stdin half-closes the connection: the engine closes the process's stdin, output still flows.
    const stdin = new Writable({
      write(chunk, _encoding, done) {
        if (raw.destroyed || raw.writableEnded) return done(new Error('the process has ended'));
        if (raw.write(chunk)) return done();
        const settle = () => {
          raw.off('drain', settle);
          raw.off('close', settle);
          done();
        };
        raw.on('drain', settle);
        raw.on('close', settle);
      },
      final(done) {
        raw.end();
        done();
      },
    });
    stdin.on('error', () => raw.destroy());
    const exited = ended.then(async () => {
      // The engine may need a moment to record the exit after the streams closed.
      for (let i = 0; i < 50; i++) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return -1;
        if (!info.Running && info.ExitCode !== null) return info.ExitCode;
        await new Promise((r) => setTimeout(r, 20));
      }
      return -1;
    });
    return { stdin, stdout, stderr, exited, kill: () => raw.destroy() };
  }

  /**
   * Attaches with the query only: dockerode would also send its options as a JSON body, which
   * Podman feeds into the container's stdin.
   */
  private attachHijacked(id: string, stdin: boolean): Promise<Duplex> {
    const query = { stream: true, stdin, stdout: true, stderr: true, detachKeys: DETACH_KEYS };
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: `/containers/${id}/attach?`,
          method: 'POST',
          isStream: true,
          hijack: true,
          openStdin: stdin,
          file: Buffer.alloc(0),
          statusCodes: { 101: true, 200: true, 404: 'no such container', 409: 'conflict', 500: 'server error' },
          options: query,
        },
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as Duplex)),
      );
    });
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
      startedAt: info.State.StartedAt,
      restartCount: info.RestartCount ?? 0,
      state: info.State.Status,
      memoryLimit: info.HostConfig.Memory || undefined,
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
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      target: c.Labels[LABEL.targetName] ?? c.Labels[LABEL.target] ?? '',
      status: c.Status,
      running: c.State === 'running',
      created: new Date(c.Created * 1000),
      owner: c.Labels[LABEL.owner],
    }));
  }

  async removeDebugger(id: string): Promise<void> {
    await this.call(this.docker.getContainer(id).remove({ force: true, v: true })).catch((e: unknown) => {
      if (statusOf(e) === 404 || statusOf(e) === 409) return;
      throw e;
    });
  }
}

/** A debugger that could not start: a toolkit without sh is the common case, worth its own hint. */
function startFailure(e: unknown, spec: DebuggerSpec, flavor: DockerFlavor): UserError {
  if (e instanceof UserError) return e;
  const message = engineMessage(e);
  if (/executable file not found|no such file or directory/i.test(message) && /"sh"|sh:/.test(message)) {
    return new UserError(`the toolkit image ${spec.image} has no sh, which sidekick needs`, {
      hint: 'pick an image with a shell, e.g. --image busybox:musl',
      cause: e,
    });
  }
  return new UserError(`cannot start the debugger on ${flavor.label}: ${message}`, { cause: e });
}

function dockerodeOptions(endpoint: Endpoint): Docker.DockerOptions {
  if (endpoint.socketPath) return { socketPath: endpoint.socketPath };
  if (endpoint.host) return { host: endpoint.host, port: endpoint.port, protocol: 'http' };
  // an endpoint we cannot use: point at a path that fails with a clear "cannot reach" error
  return { socketPath: endpoint.url };
}
