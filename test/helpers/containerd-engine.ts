/**
 * containerd (and nerdctl's naming on top of it) for the contract suite, through `ctr` on the socket
 * that scripts/engines/containerd.sh starts. Targets live in the "default" namespace with 64-hex IDs,
 * as nerdctl and Kubernetes make them.
 *
 * Its nerdctl flavor makes containers carrying nerdctl's own labels (`nerdctl/name`) with ctr: sidekick
 * reaches nerdctl's containers through containerd only, so this is what it sees whether or not the
 * nerdctl binary is installed. It is the fallback of a clone without nerdctl's source archive; real
 * nerdctl targets come from nerdctl-engine.ts.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITIES, type Capabilities } from './capabilities.js';
import { CniNetworks } from './cni-networks.js';
import { FIXTURE_ENTRYPOINTS, FIXTURE_IMAGES, FIXTURE_READY, type Fixture, type StartedTarget, type TargetOptions, type TestEngine, localNotFound } from './engines.js';

const SOCKET = '/run/containerd/containerd.sock';
const NAMESPACE = 'default';
const TARGET_REF = 'docker.io/sidekick-fixture/target:latest';
export const WORK = '/tmp/skc-containerd-test';
export const LOCALHOST = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];

export class ContainerdEngine implements TestEngine {
  /** the variable that points sidekick at this engine's socket */
  readonly endpointVariable = 'CONTAINERD_ADDRESS';
  get runsPrivileged(): boolean {
    return this.capabilities.privileged === true;
  }
  get nsenter(): boolean {
    return this.capabilities.nsenter === true;
  }
  readonly env: Record<string, string> = {};
  readonly capabilities: Capabilities;
  private readonly networks = new CniNetworks(join(WORK, 'cni'));

  constructor(readonly name: 'containerd' | 'nerdctl') {
    this.capabilities = CAPABILITIES[name];
  }

  get column(): 'containerd' | 'nerdctl' {
    return this.name;
  }

  private async ctr(args: string[], namespace = NAMESPACE): Promise<string> {
    const r = await execa('ctr', ['--address', SOCKET, '--namespace', namespace, ...args], { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  private async lines(args: string[], namespace = NAMESPACE): Promise<string[]> {
    return (await this.ctr(args, namespace)).split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async ready(): Promise<void> {
    try {
      if (!(await this.lines(['images', 'ls', '-q', `name==${TARGET_REF}`])).length) throw new Error(`${TARGET_REF} is not imported`);
    } catch (e) {
      throw new Error(`containerd is not ready at ${SOCKET}: run "bash scripts/engines/containerd.sh" (after the docker fixtures). ${String(e)}`);
    }
    mkdirSync(WORK, { recursive: true });
  }

  /** A containerd container has no name but its ID: sidekick calls it by its short ID, as Docker shows IDs. */
  private started(id: string, name: string): StartedTarget {
    return this.name === 'nerdctl'
      ? { id, name, address: `nerdctl://${name}` }
      : { id, name: id.slice(0, 12), address: `containerd://${NAMESPACE}/${id.slice(0, 12)}` };
  }

  /** The labels a target carries; nerdctl's name for the nerdctl flavor. */
  private labels(name: string): string[] {
    const labels = ['--label=io.sidekick.test=target'];
    if (this.name === 'nerdctl') labels.push(`--label=nerdctl/name=${name}`);
    return labels;
  }

  /**
   * ctr 1.6 has no --user: a user is the image's (USER), so a variant of the fixture is built in Docker
   * (cached) and imported again when its Docker image ID changed.
   */
  async imageFor(user?: string, fixture: Fixture = 'target'): Promise<string> {
    if (fixture !== 'target') return `docker.io/${FIXTURE_IMAGES[fixture]}`;
    if (!user) return TARGET_REF;
    const tag = `skc-fixture/target-user-${user.replace(/[^0-9a-z]/gi, '-')}:latest`;
    await execa('docker', ['build', '-q', '-t', tag, '-'], {
      input: `FROM sidekick-fixture/target:latest\nUSER ${user}\n`,
      env: { DOCKER_BUILDKIT: '0' },
    });
    const dockerId = (await execa('docker', ['image', 'inspect', '-f', '{{.Id}}', tag])).stdout.trim();
    const ref = `docker.io/${tag}`;
    const listed = await this.ctr(['images', 'ls', `name==${ref}`]);
    if (!listed.includes(`io.sidekick.docker-id=${dockerId}`)) {
      await execa('sh', ['-c', `docker save "$0" | ctr --address "$1" -n "$2" images import - >/dev/null`, tag, SOCKET, NAMESPACE]);
      await this.ctr(['images', 'label', ref, `io.sidekick.docker-id=${dockerId}`]);
    }
    return ref;
  }

  /**
   * A target's /etc/hosts (bind-mounted read-only, rewritten in place): localhost, and on a network
   * the aliases of its members, as nerdctl writes them.
   */
  private writeHosts(id: string): void {
    const network = this.networks.networkOf(id);
    const lines = [...LOCALHOST, ...(network ? this.networks.hostsLines(network) : [])];
    writeFileSync(join(WORK, `${id}.hosts`), `${lines.join('\n')}\n`);
  }

  /** Every member of a network learns the aliases of the others. */
  private refreshHosts(network: string): void {
    for (const member of this.networks.membersOf(network)) this.writeHosts(member);
  }

  async startTarget(opts: TargetOptions = {}): Promise<StartedTarget> {
    const id = randomBytes(32).toString('hex');
    const name = `skc-test-${randomBytes(4).toString('hex')}`;
    const log = join(WORK, `${id}.log`);
    const options = [...this.labels(name), `--log-uri=file://${log}`];
    if (opts.readOnly) options.push('--read-only=true');
    if (opts.memoryBytes) options.push(`--memory-limit=${opts.memoryBytes}`);
    for (const e of opts.env ?? []) options.push(`--env=${e}`);
    // Without a network the target gets a namespace of its own with a loopback only.
    if (opts.network) options.push(`--with-ns=network:${await this.networks.join(opts.network, id, opts.networkAliases)}`);
    // What nerdctl and the CRI give a container and a bare `ctr run` does not: its cgroups at
    // /sys/fs/cgroup, /etc/hosts and /etc/resolv.conf.
    const hosts = join(WORK, `${id}.hosts`);
    const resolv = join(WORK, `${id}.resolv.conf`);
    if (opts.network) this.refreshHosts(opts.network);
    else this.writeHosts(id);
    writeFileSync(resolv, opts.dns ? opts.dns.map((ip) => `nameserver ${ip}\n`).join('') : readFileSync('/etc/resolv.conf', 'utf8'));
    options.push(
      '--mount=type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev',
      `--mount=type=bind,src=${hosts},dst=/etc/hosts,options=rbind:ro`,
      `--mount=type=bind,src=${resolv},dst=/etc/resolv.conf,options=rbind:ro`,
    );
    try {
      const image = await this.imageFor(opts.user, opts.fixture);
      // ctr 1.6 replaces the whole command line with the arguments given: the entrypoint goes first.
      const command = opts.args?.length ? [...FIXTURE_ENTRYPOINTS[opts.fixture ?? 'target'], ...opts.args] : [];
      await this.ctr(['run', '-d', ...options, '--', image, id, ...command]);
    } catch (e) {
      await this.remove({ id, name, address: '' });
      throw e;
    }
    if (opts.exits) await this.stopped(id);
    // the server prints once its ports listen
    for (let i = 0; i < 100 && !opts.exits; i++) {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {
        // not written yet
      }
      if (text.includes(FIXTURE_READY[opts.fixture ?? 'target'])) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.started(id, name);
  }

  async createStopped(): Promise<StartedTarget> {
    const id = randomBytes(32).toString('hex');
    const name = `skc-test-${randomBytes(4).toString('hex')}`;
    await this.ctr(['containers', 'create', ...this.labels(name), '--', TARGET_REF, id]);
    return this.started(id, name);
  }

  async kill(target: StartedTarget): Promise<void> {
    await this.ctr(['tasks', 'kill', '--signal=SIGKILL', target.id]).catch(() => undefined);
  }

  async crash(target: StartedTarget): Promise<void> {
    await this.kill(target);
  }

  /** until the container's task has stopped (it stays, as a stopped container's does, until deleted) */
  protected async stopped(id: string): Promise<void> {
    for (let i = 0; i < 100 && !(await this.ctr(['tasks', 'ls'])).split('\n').some((l) => l.startsWith(id) && /STOPPED/.test(l)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async startAgain(target: StartedTarget): Promise<void> {
    // a killed task stays until deleted; a new one starts in the same container
    await this.stopped(target.id);
    await this.ctr(['tasks', 'rm', target.id]);
    await this.ctr(['tasks', 'start', '-d', `--log-uri=file://${join(WORK, `${target.id}.log`)}`, target.id]);
  }

  async remove(target: StartedTarget): Promise<void> {
    await this.ctr(['tasks', 'rm', '-f', target.id]).catch(() => undefined);
    await this.ctr(['containers', 'rm', target.id]).catch(() => undefined);
    const network = this.networks.networkOf(target.id);
    await this.networks.leave(target.id);
    if (network) this.refreshHosts(network);
    for (const file of ['log', 'hosts', 'resolv.conf']) rmSync(join(WORK, `${target.id}.${file}`), { force: true });
  }

  async createNetwork(): Promise<string> {
    return this.networks.create();
  }

  async removeNetwork(name: string): Promise<void> {
    await this.networks.remove(name);
  }

  /** which debuggers this engine counts (a containerd filter) */
  protected debuggerFilter = 'labels."io.sidekick.role"';

  /** Debuggers in every namespace: sidekick puts them beside their target. */
  private async labelled(): Promise<Array<{ id: string; running: boolean }>> {
    const found: Array<{ id: string; running: boolean }> = [];
    for (const ns of await this.lines(['namespaces', 'ls', '-q'])) {
      const ids = await this.lines(['containers', 'ls', '-q', this.debuggerFilter], ns);
      if (!ids.length) continue;
      const tasks = await this.lines(['tasks', 'ls'], ns);
      const running = new Set(tasks.map((l) => l.split(/\s+/)).filter((f) => f[2] === 'RUNNING').map((f) => f[0]));
      for (const id of ids) found.push({ id: `${ns}/${id}`, running: running.has(id) });
    }
    return found;
  }

  async debuggers(): Promise<string[]> {
    return (await this.labelled()).map((d) => d.id);
  }

  async runningDebuggers(): Promise<string[]> {
    return (await this.labelled()).filter((d) => d.running).map((d) => d.id);
  }

  /** `image` as containerd names it (docker.io/library/... for Docker Hub's short names). */
  async hasImage(image: string): Promise<boolean> {
    return (await this.lines(['images', 'ls', '-q', `name==${image}`])).length > 0;
  }

  /** Removes this name only: content other images share stays (and the rest goes to containerd's GC). */
  async forgetImage(image: string): Promise<void> {
    if (await this.hasImage(image)) await this.ctr(['images', 'rm', image]);
  }

  async allIds(): Promise<string[]> {
    return this.lines(['containers', 'ls', '-q']);
  }

  /** The task's PID, as `ctr tasks ls` lists it (ID PID STATUS). */
  async pid(target: StartedTarget): Promise<number> {
    const row = (await this.lines(['tasks', 'ls'])).map((l) => l.split(/\s+/)).find((f) => f[0] === target.id);
    if (!row) throw new Error(`no task of ${target.id} on containerd`);
    return Number(row[1]);
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

export const containerdEngine = new ContainerdEngine('containerd');
export const nerdctlEngine = new ContainerdEngine('nerdctl');
