/**
 * An engine in memory, behind the same `Runtime` interface the real ones implement: containers that
 * run or stop, debuggers that end with their target, an exec whose `nc HOST PORT` reaches an in-memory
 * echo port, and an engine that can stop answering. For fast unit tests of what sits above the seam
 * (bare-name resolution, port-forward rounds, cleanup), connected through `replaceConnectors`
 * (src/runtimes/engines.ts). Not a replacement of the real-engine tests: it proves the logic only.
 */
import { PassThrough } from 'node:stream';
import { UserError } from '../../src/errors.js';
import type { EngineName, TargetAddress } from '../../src/runtimes/address.js';
import { replaceConnectors } from '../../src/runtimes/engines.js';
import type {
  CleanupRecipe,
  Debugger,
  DebuggerInfo,
  DebuggerSpec,
  ExecProcess,
  Launched,
  RemovedDebugger,
  Runtime,
  Target,
  TargetDetails,
  TargetInfo,
} from '../../src/runtimes/runtime.js';

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  startedAt: string;
  /** ports inside it that echo what they get */
  echoPorts: number[];
}

class FakeDebugger implements Debugger {
  readonly notes: string[] = [];
  readonly orphanCleanup: CleanupRecipe = { kind: 'exec', file: 'true', args: [] };
  removed = false;
  private end!: (code: number) => void;
  private fail!: (e: Error) => void;
  readonly exitedPromise = new Promise<number>((resolve, reject) => {
    this.end = resolve;
    this.fail = reject;
  });

  constructor(
    readonly runtime: FakeRuntime,
    readonly target: FakeContainer,
    readonly name: string,
    readonly id: string,
  ) {
    void this.exitedPromise.catch(() => undefined);
  }

  async launch(): Promise<Launched> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end();
    stderr.end();
    return { streams: { stdin: new PassThrough(), stdout, stderr, ended: Promise.resolve() }, exited: this.exitedPromise };
  }

  /** the debugger's process ends: its target stopped (137), or the engine went away (rejects) */
  exit(code: number): void {
    this.end(code);
  }

  lose(): void {
    this.fail(new Error('connect ECONNREFUSED'));
  }

  async resize(): Promise<void> {}

  async remove(): Promise<void> {
    this.removed = true;
    this.exit(137);
  }

  /** `sh -c` (the transport's probe) answers a namespace; `nc HOST PORT` reaches an echo port or is refused */
  async exec(argv: string[]): Promise<ExecProcess> {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let done!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (done = resolve));
    const finish = (code: number, err?: string) => {
      if (err) stderr.write(err);
      stdout.end();
      stderr.end();
      done(code);
    };
    if (argv[0] === 'sh') {
      stdout.write('net:[4026531999]\n');
      stdin.resume();
      finish(0);
    } else if (argv[0] === 'nc' && this.target.running && this.target.echoPorts.includes(Number(argv[2]))) {
      this.runtime.connections++;
      stdin.pipe(stdout);
      stdin.once('end', () => finish(0));
    } else {
      stdin.resume();
      setImmediate(() => finish(1, `nc: can't connect to remote host (${argv[1]}): Connection refused\n`));
    }
    return { stdin, stdout, stderr, exited, kill: () => finish(137) };
  }
}

export class FakeRuntime implements Runtime {
  readonly endpoint: string;
  readonly containers: FakeContainer[] = [];
  readonly debuggers: FakeDebugger[] = [];
  /** debuggers the fake lists besides its own (stale ones, others' sessions) */
  readonly listed: DebuggerInfo[] = [];
  readonly removedAddresses: string[] = [];
  /** the names it was asked for, in order */
  readonly asked: string[] = [];
  /** when set, every call fails as an engine that does not answer */
  unreachable = false;
  /** relayed connections that reached an echo port */
  connections = 0;

  constructor(readonly engine: EngineName) {
    this.endpoint = `unix:///fake/${engine}.sock`;
  }

  /** A container of this name and a 64-hex ID starting with `idPrefix`. */
  add(name: string, opts: { running?: boolean; idPrefix?: string; echoPorts?: number[] } = {}): FakeContainer {
    const id = (opts.idPrefix ?? '').padEnd(64, String(this.containers.length % 10));
    const c = { id, name, running: opts.running ?? true, startedAt: new Date().toISOString(), echoPorts: opts.echoPorts ?? [] };
    this.containers.push(c);
    return c;
  }

  private check(): void {
    if (this.unreachable) throw new UserError(`cannot reach ${this.engine} at ${this.endpoint}`, { kind: 'unreachable' });
  }

  /** The target stops: its debuggers' processes end, as a real engine's do. */
  stop(name: string): void {
    const c = this.container(name)!;
    c.running = false;
    for (const d of this.debuggers.filter((d) => d.target === c)) d.exit(137);
  }

  start(name: string): void {
    const c = this.container(name)!;
    c.running = true;
    c.startedAt = new Date(Date.now() + 1000).toISOString();
  }

  /** The engine stops answering: running debuggers' streams break, calls fail. */
  lose(): void {
    this.unreachable = true;
    for (const d of this.debuggers) d.lose();
  }

  /** debuggers neither removed nor ended */
  live(): FakeDebugger[] {
    return this.debuggers.filter((d) => !d.removed);
  }

  private container(name: string): FakeContainer | undefined {
    return this.containers.find((c) => c.name === name);
  }

  private address(c: FakeContainer): string {
    return `${this.engine}://${c.name}`;
  }

  async findTarget(address: TargetAddress): Promise<Target> {
    this.asked.push(address.name);
    this.check();
    const byName = this.container(address.name);
    const byId = this.containers.filter((c) => c.id.startsWith(address.name));
    const matches = byName ? [byName] : byId;
    if (matches.length > 1) throw new UserError(`"${address.name}" matches several containers on ${this.engine}`, { kind: 'ambiguous', hint: 'give more characters' });
    const c = matches[0];
    if (!c) throw new UserError(`no container "${address.name}" on ${this.engine}`, { kind: 'not-found' });
    if (!c.running) throw new UserError(`${this.address(c)} is not running`, { kind: 'not-running', hint: 'start it first' });
    return { engine: this.engine, address: this.address(c), id: c.id, name: c.name, image: 'fake', running: true };
  }

  async isRunning(target: Target): Promise<boolean> {
    this.check();
    return this.container(target.name)?.running ?? false;
  }

  async createDebugger(target: Target, spec: DebuggerSpec): Promise<Debugger> {
    this.check();
    const c = this.container(target.name)!;
    const d = new FakeDebugger(this, c, spec.name, `${this.engine}://${spec.name}`);
    this.debuggers.push(d);
    return d;
  }

  async listTargets(): Promise<TargetInfo[]> {
    this.check();
    return this.containers.filter((c) => c.running).map((c) => ({ engine: this.engine, address: this.address(c), image: 'fake', status: 'running', created: new Date() }));
  }

  async localPid(): Promise<number | undefined> {
    return undefined;
  }

  async describeTarget(target: Target): Promise<TargetDetails> {
    this.check();
    const c = this.container(target.name)!;
    return { image: 'fake', entrypoint: [], command: [], user: '0', startedAt: c.startedAt, restartCount: 0, state: c.running ? 'running' : 'exited' };
  }

  async listDebuggers(): Promise<DebuggerInfo[]> {
    this.check();
    return [...this.listed];
  }

  async removeDebugger(address: TargetAddress): Promise<RemovedDebugger | undefined> {
    this.check();
    const at = this.listed.findIndex((d) => d.id === `${this.engine}://${address.name}`);
    if (at < 0) return undefined;
    const [gone] = this.listed.splice(at, 1);
    this.removedAddresses.push(gone!.id);
    return { name: gone!.name, target: gone!.target };
  }
}

/** Every engine answered by a fake; returns them and the undo. */
export function fakeEngines(): { engines: Record<EngineName, FakeRuntime>; restore: () => void } {
  const names: EngineName[] = ['docker', 'podman', 'containerd', 'nerdctl', 'kubernetes'];
  const engines = Object.fromEntries(names.map((n) => [n, new FakeRuntime(n)])) as Record<EngineName, FakeRuntime>;
  const restore = replaceConnectors(Object.fromEntries(names.map((n) => [n, async () => engines[n]])));
  return { engines, restore };
}
