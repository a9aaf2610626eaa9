/**
 * The engines the contract suite runs against. Each starts fixture targets its own way and can list
 * what sidekick left behind. An engine that cannot be reached fails the suite: it never skips.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { CAPABILITIES, type Capabilities, type Column } from './capabilities.js';

export interface TargetOptions {
  /** which fixture image: the distroless server (default) or the daemon that writes its title over its environ */
  fixture?: Fixture;
  readOnly?: boolean;
  user?: string;
  ipcShareable?: boolean;
  /** extra arguments for the fixture server (e.g. --oom-child) */
  args?: string[];
  /** a memory limit in bytes */
  memoryBytes?: number;
  /** nameservers the target uses */
  dns?: string[];
  env?: string[];
  /** a network to join instead of the default one (see TestEngine.createNetwork), and names there */
  network?: string;
  networkAliases?: string[];
  /** the fixture exits at start (a crash, given its args): startTarget returns once it has exited */
  exits?: boolean;
}

export interface StartedTarget {
  name: string;
  id: string;
  /** the address a user would type */
  address: string;
}

export interface TestEngine {
  name: string;
  /** the support matrix's column this engine fills */
  readonly column: Column;
  /** what it can do here (test/helpers/capabilities.ts); scenarios state what they need of it */
  readonly capabilities: Capabilities;
  /** environment the CLI needs to find this engine */
  env: Record<string, string>;
  /** the variable that points the CLI at this engine's endpoint (DOCKER_HOST, CONTAINER_HOST...) */
  endpointVariable: string;
  /** whether the engine runs privileged containers on this machine */
  runsPrivileged: boolean;
  /** the engine runs on this machine and names the target's process: port-forward may connect from its netns (--via nsenter) */
  readonly nsenter: boolean;
  ready(): Promise<void>;
  startTarget(opts?: TargetOptions): Promise<StartedTarget>;
  /** creates targets without starting them (for exited/ambiguous cases) */
  createStopped(): Promise<StartedTarget>;
  /** the target ends for good, as far as a session can tell (a container killed and left stopped, a pod deleted) */
  kill(target: StartedTarget): Promise<void>;
  /**
   * the target's process ends as a crash would end it, and its container stays: stopped until
   * startAgain where containers can be stopped (capability stoppedTargets), restarted by the kubelet
   * on Kubernetes
   */
  crash(target: StartedTarget): Promise<void>;
  /** the crashed target runs again, the same container (on Kubernetes: once the kubelet restarted it) */
  startAgain(target: StartedTarget): Promise<void>;
  remove(target: StartedTarget): Promise<void>;
  /** names of containers labelled as sidekick debuggers */
  debuggers(): Promise<string[]>;
  /** names of those that are running */
  runningDebuggers(): Promise<string[]>;
  allIds(): Promise<string[]>;
  /** whether the engine has an image of this name */
  hasImage(image: string): Promise<boolean>;
  /** removes this name of an image (the image too when no other name keeps it); a missing one is fine */
  forgetImage(image: string): Promise<void>;
  /** a user-defined network whose names (TargetOptions.networkAliases) only its members resolve */
  createNetwork(): Promise<string>;
  removeNetwork(name: string): Promise<void>;
  /** the target's main process as this machine sees it (to enter its namespaces); capability chosenResolver */
  pid(target: StartedTarget): Promise<number>;
  /** the address a user would type for a target of this name on this engine */
  addressOf(name: string): string;
  /**
   * options that narrow `sessions` and `cleanup` to this engine (--engine) and its test targets where
   * the CLI can (Kubernetes: -n NAMESPACE), so `cleanup --all` ends no one else's session
   */
  listingScope(): string[];
  /** what the CLI says, in one line, of a target of this name that is not there */
  notFound(name: string): RegExp;
}

export const TARGET_IMAGE = 'sidekick-fixture/target:latest';
export type Fixture = 'target' | 'proctitle' | 'nginx' | 'redis' | 'postgres';
export const FIXTURE_IMAGES: Record<Fixture, string> = {
  target: TARGET_IMAGE,
  proctitle: 'sidekick-fixture/proctitle:latest',
  nginx: 'sidekick-fixture/nginx:latest',
  redis: 'sidekick-fixture/redis:latest',
  postgres: 'sidekick-fixture/postgres:latest',
};
/** What each fixture prints once it serves. */
export const FIXTURE_READY: Record<Fixture, string> = {
  target: 'listening',
  proctitle: 'listening',
  nginx: 'start worker process',
  redis: 'Ready to accept connections',
  postgres: 'database system is ready to accept connections',
};
/** Each fixture's ENTRYPOINT, for engines that take arguments as the whole command line (ctr run). */
export const FIXTURE_ENTRYPOINTS: Record<Fixture, string[]> = {
  target: ['/app/server'],
  proctitle: ['/app/proctitle'],
  nginx: ['/usr/sbin/nginx', '-e', 'stderr', '-g', 'daemon off;'],
  redis: ['/usr/bin/redis-server', '/etc/redis/redis.conf'],
  postgres: ['/usr/lib/postgresql/15/bin/postgres'],
};

/** Docker, or Podman through its Docker-compatible API. */
export class DockerApiEngine implements TestEngine {
  private readonly docker: Docker;
  constructor(
    readonly name: 'docker' | 'podman',
    private readonly socketPath: string,
    readonly env: Record<string, string>,
  ) {
    this.docker = new Docker({ socketPath });
    this.endpointVariable = name === 'podman' ? 'CONTAINER_HOST' : 'DOCKER_HOST';
    this.column = name;
    this.capabilities = CAPABILITIES[name];
    this.runsPrivileged = this.capabilities.privileged === true;
  }

  readonly column: Column;
  readonly capabilities: Capabilities;

  readonly endpointVariable: string;
  // dockerd 20.10 asks runc for every capability of a privileged container, CAP_SYS_RESOURCE too,
  // which this VM lacks ("unable to apply caps"); Podman asks only for those it has.
  readonly runsPrivileged: boolean;
  get nsenter(): boolean {
    return this.capabilities.nsenter === true;
  }

  async ready(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      throw new Error(`${this.name} is not reachable at ${this.socketPath}: run "npm test" (scripts/test.sh starts the engines). ${String(e)}`);
    }
  }

  private uniqueName(): string {
    return `sk-test-${randomBytes(4).toString('hex')}`;
  }

  async startTarget(opts: TargetOptions = {}): Promise<StartedTarget> {
    const name = this.uniqueName();
    const c = await this.docker.createContainer({
      name,
      Image: FIXTURE_IMAGES[opts.fixture ?? 'target'],
      Cmd: opts.args ?? [],
      User: opts.user,
      Labels: { 'io.sidekick.test': 'target' },
      Env: opts.env,
      HostConfig: {
        ReadonlyRootfs: opts.readOnly ?? false,
        IpcMode: opts.ipcShareable ? 'shareable' : undefined,
        Memory: opts.memoryBytes,
        MemorySwap: opts.memoryBytes,
        Dns: opts.dns,
        NetworkMode: opts.network,
      },
      NetworkingConfig: opts.network ? { EndpointsConfig: { [opts.network]: { Aliases: opts.networkAliases } } } : undefined,
    });
    await c.start();
    if (opts.exits) await c.wait();
    // the server prints once its ports listen
    for (let i = 0; i < 100 && !opts.exits; i++) {
      const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
      if (logs.toString().includes(FIXTURE_READY[opts.fixture ?? 'target'])) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { name, id: c.id, address: `${this.name}://${name}` };
  }

  async createStopped(): Promise<StartedTarget> {
    const name = this.uniqueName();
    const c = await this.docker.createContainer({ name, Image: TARGET_IMAGE, Labels: { 'io.sidekick.test': 'target' } });
    return { name, id: c.id, address: `${this.name}://${name}` };
  }

  async kill(target: StartedTarget): Promise<void> {
    await this.docker.getContainer(target.id).kill().catch(() => undefined);
  }

  async crash(target: StartedTarget): Promise<void> {
    await this.kill(target);
  }

  async startAgain(target: StartedTarget): Promise<void> {
    await this.docker.getContainer(target.id).start();
  }

  async remove(target: StartedTarget): Promise<void> {
    await this.docker.getContainer(target.id).remove({ force: true }).catch(() => undefined);
  }

  async debuggers(): Promise<string[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: ['io.sidekick.role'] } });
    return list.map((c) => c.Names[0] ?? c.Id);
  }

  async runningDebuggers(): Promise<string[]> {
    const list = await this.docker.listContainers({ filters: { label: ['io.sidekick.role'], status: ['running'] } });
    return list.map((c) => c.Names[0] ?? c.Id);
  }

  async allIds(): Promise<string[]> {
    return (await this.docker.listContainers({ all: true })).map((c) => c.Id);
  }

  async hasImage(image: string): Promise<boolean> {
    return this.docker
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode === 404) return false;
        throw e;
      });
  }

  // Without force: an image with other names (busybox:musl) only loses this one, and one a container
  // still uses stays (the caller checks hasImage), where Podman's force would remove the container.
  async forgetImage(image: string): Promise<void> {
    await this.docker
      .getImage(image)
      .remove()
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404) throw e;
      });
  }

  async createNetwork(): Promise<string> {
    const name = `sk-test-net-${randomBytes(4).toString('hex')}`;
    // Not --internal: Podman's internal networks drop traffic between their own members on a host
    // whose FORWARD policy Docker set to DROP.
    await this.docker.createNetwork({ Name: name, Labels: { 'io.sidekick.test': 'network' } });
    return name;
  }

  async removeNetwork(name: string): Promise<void> {
    await this.docker.getNetwork(name).remove().catch(() => undefined);
  }

  async pid(target: StartedTarget): Promise<number> {
    return (await this.docker.getContainer(target.id).inspect()).State.Pid;
  }

  addressOf(name: string): string {
    return `${this.name}://${name}`;
  }

  listingScope(): string[] {
    return ['--engine', this.name];
  }

  notFound(name: string): RegExp {
    return localNotFound(name);
  }
}

/** A local engine's missing container: named, with the listing to look at. */
export function localNotFound(name: string): RegExp {
  return new RegExp(`no container "${name}".*: list running containers with "sidekick targets"`);
}

export const dockerEngine = new DockerApiEngine('docker', '/var/run/docker.sock', {});
/** Podman's rootful service, as scripts/engines/podman.sh starts it. */
export const podmanEngine = new DockerApiEngine('podman', '/run/podman/podman.sock', {});

/** Polls until check() is true or the time is up; returns the last answer. */
export async function eventually(check: () => Promise<boolean>, ms = 15_000, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, every));
  }
}
