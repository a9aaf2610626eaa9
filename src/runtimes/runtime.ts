/**
 * The seam between what the user asked for (src/commands) and how an engine does it (one folder per
 * engine). Commands see only these types; engines translate them into their own API calls.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { EngineName, TargetAddress } from './address.js';
import type { Security } from './security.js';
import type { TargetConfig } from './target-config.js';

export type { EngineName, TargetAddress } from './address.js';
export type { TargetConfig } from './target-config.js';

export type PullPolicy = 'missing' | 'always' | 'never';

/** A container to debug, found and checked by an engine. */
export interface Target {
  engine: EngineName;
  /** canonical address, e.g. docker://my-app */
  address: string;
  id: string;
  name: string;
  image: string;
  running: boolean;
  /** how the engine chose this target among several (a workload's pods), for the user to read */
  picked?: string;
  /**
   * What the engine learned while finding the target (its namespace, its pod, its IPC mode...), for
   * its own later calls on it; opaque to everything outside that engine.
   */
  engineState?: unknown;
  /** how the engine says it was configured to run (environment, user, workdir, command) */
  config?: TargetConfig;
  /** set when the container is not running and the caller asked for a copy (FindOptions.copyStopped) */
  stopped?: { state: string; exitCode: number };
}

export interface FindOptions {
  /** accept a stopped or exited container: its debugger then runs in a disposable copy of its filesystem */
  copyStopped?: boolean;
  /** Kubernetes (exec --copy): debug a copy of the pod whose container waits instead of running (crash-looping pods) */
  copyPod?: { name?: string; keep: boolean; owner: string };
  /**
   * The toolkit image the debugger will run, when known: an engine that must ask whether it has the
   * image (containerd) asks while it finds the target, rather than after.
   */
  toolkit?: { image: string; pull: PullPolicy };
}

/** Everything an engine needs to start a debugger; engine-neutral (see src/entry/debugger-spec.ts). */
export interface DebuggerSpec {
  image: string;
  pull: PullPolicy;
  /** the debugger's full command line (the entry script and the user's command as its arguments) */
  argv: string[];
  env: Record<string, string>;
  tty: boolean;
  stdin: boolean;
  /** who the debugger runs as and what it may do (src/runtimes/security.ts) */
  security: Security;
  name: string;
  labels: Record<string, string>;
  /**
   * `exec -d`: the debugger outlives the CLI, its stdin kept open for later attaches
   * (Runtime.attachDebugger), and is kept (not removed by the engine) once it ends, so that its exit
   * code can be told.
   */
  detached?: boolean;
}

/** Byte streams of a running debugger. With a TTY there is no separate stderr. */
export interface DebuggerStreams {
  stdin?: Writable;
  stdout: Readable;
  stderr?: Readable;
  /** resolves once all output has arrived (the engine closed the stream) */
  ended: Promise<void>;
}

/** How a process that outlives the CLI removes a debugger if the CLI is killed (see src/session/reaper.ts). */
export type CleanupRecipe =
  | { kind: 'http'; socketPath?: string; host?: string; port?: number; method: string; path: string }
  | { kind: 'exec'; file: string; args: string[] }
  /** one after the other (a debugger, then what it needed: a copy's container, image, volume) */
  | { kind: 'sequence'; steps: CleanupRecipe[] };

/** A debugger that runs: its streams, and its exit code once it ended. */
export interface Launched {
  streams: DebuggerStreams;
  exited: Promise<number>;
}

export interface LaunchOptions {
  /**
   * Called once the streams exist and before the debugger's process starts (the local terminal goes
   * raw here, before a TTY debugger can take it over).
   */
  attached?(streams: DebuggerStreams): void;
}

export interface Debugger {
  id: string;
  name: string;
  /** things the user should know, e.g. a namespace that could not be joined */
  notes: string[];
  /** one line said once the debugger exists, --quiet aside (the copy a Kubernetes session runs in) */
  notice?: string;
  /**
   * Runs the created debugger: attaches, starts it, and watches for its exit, in whatever order the
   * engine needs so that no output and no exit is missed.
   */
  launch(options?: LaunchOptions): Promise<Launched>;
  resize(rows: number, columns: number): Promise<void>;
  /** removes the debugger, stopping it first if needed; never throws for "already gone" */
  remove(): Promise<void>;
  /**
   * True once the engine removes the debugger by itself (ctr run --rm returned): remove() then waits
   * for nothing, and the reaper runs orphanCleanup in the background for anything left.
   */
  removedByEngine?(): boolean;
  orphanCleanup: CleanupRecipe;
  /** Starts another process in the running debugger, without a TTY (port-forward relays one connection per process). */
  exec(argv: string[]): Promise<ExecProcess>;
  /**
   * `exec -d`: starts the created debugger without staying attached (a spec made with `detached`);
   * resolves with its address as DebuggerInfo.id gives it, once it runs.
   */
  startDetached?(): Promise<string>;
}

/**
 * A debugger `sidekick attach` joined again (Runtime.attachDebugger). With a TTY its output is the
 * terminal's.
 */
export interface AttachedDebugger {
  name: string;
  tty: boolean;
  /** set where a detach does not leave the debugger as it was: what happens instead, in words (Podman without a TTY) */
  endsOnDetach?: string;
  streams: DebuggerStreams;
  /** the exit code once the debugger's process ended (not when detach() was called) */
  exited: Promise<number>;
  resize(rows: number, columns: number): Promise<void>;
  /** leaves the debugger running and closes the streams */
  detach(): void;
  /** removes the ended debugger (an ephemeral container: nothing left to do); never throws for "already gone" */
  remove(): Promise<void>;
}

/** A process started in a running debugger: raw stdin/stdout, stderr apart, its exit code. */
export interface ExecProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** resolves with the exit code once the process ended and its output arrived */
  exited: Promise<number>;
  /** ends the process (closing its streams) */
  kill(): void;
}

/**
 * The engine's own way to the target's ports, with no debugger (Kubernetes: the pods/portforward
 * subresource), for port-forward's connections to the target itself.
 */
export interface NativePorts {
  /** how --json names this path */
  readonly via: 'portforward';
  /** set when these credentials may not use it: what they lack, and what to ask for, in words for the user */
  readonly refused?: { reason: string; hint: string };
  /** whether HOST, as the target sees it, is the target itself (its loopback or its own address) */
  reaches(host: string): boolean;
  /**
   * A byte stream to PORT on the target; rejects when it cannot be opened. A stream that fails before
   * its first byte (nothing listens there) is destroyed with the reason as its error.
   */
  connect(port: number): Promise<Duplex>;
}

/** What the engine knows of a target, for `sidekick diagnose`. */
export interface TargetDetails {
  image: string;
  entrypoint: string[];
  command: string[];
  user: string;
  startedAt?: string;
  restartCount: number;
  state: string;
  /** the engine's own memory limit in bytes, when it sets one */
  memoryLimit?: number;
  /** of a container that does not run: how its process ended, as far as the engine says (null: it never ran) */
  exitCode?: number | null;
  oomKilled?: boolean | null;
  finishedAt?: string;
}

export interface PullEvent {
  image: string;
  /** layer or blob id when the engine reports one */
  id?: string;
  status: string;
  current?: number;
  total?: number;
}

export interface Progress {
  pull(event: PullEvent): void;
  pullDone(image: string): void;
}

/** A debugger found on an engine, for `sidekick sessions` and `sidekick cleanup`. */
export interface DebuggerInfo {
  engine: EngineName;
  /** its full address (e.g. containerd://default/sidekick-app-1a2b3c), which parseAddress reads */
  id: string;
  name: string;
  target: string;
  status: string;
  running: boolean;
  created: Date;
  /** user@host:pid of the CLI that started it */
  owner?: string;
  /** started by `exec -d`: it outlives its CLI, and is stale only once it ended */
  detached?: boolean;
  /** `sidekick attach` can join it now (a running detached debugger; on Kubernetes any running one with stdin and a TTY) */
  attachable?: boolean;
}

export interface RemovedDebugger {
  name: string;
  /** the address of the target it debugged */
  target: string;
}

/** A running container, for `sidekick targets`. */
export interface TargetInfo {
  engine: EngineName;
  address: string;
  image: string;
  status: string;
  created: Date;
}

export interface Runtime {
  readonly engine: EngineName;
  /** where the engine was reached, for messages and --debug */
  readonly endpoint: string;
  findTarget(address: TargetAddress, options?: FindOptions): Promise<Target>;
  /** whether the target runs now; throws when the engine cannot tell (e.g. it stopped answering) */
  isRunning(target: Target): Promise<boolean>;
  /** creates (pulling the image as the spec's policy says) but does not start the debugger */
  createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger>;
  /**
   * For a debugger that makes other things first (a copy of a stopped target): the recipe that
   * removes all of it, known before anything is made, so the reaper is armed before the first step.
   */
  plannedCleanup?(target: Target, spec: DebuggerSpec): Promise<CleanupRecipe | undefined>;
  /** a local image as a target (image://REF): debugged in a disposable container of it; undefined when absent */
  findImage?(ref: string): Promise<Target | undefined>;
  /** pulls an image to debug (image://REF under --pull), with progress */
  pullImage?(ref: string, progress: Progress): Promise<void>;
  listTargets(): Promise<TargetInfo[]>;
  /** every target an address names (a workload's running pods); optional: one target otherwise */
  findTargets?(address: TargetAddress): Promise<Target[]>;
  /**
   * The target's main process id as this machine sees it, when the engine runs on this machine
   * (port-forward then connects from the target's network namespace directly, see
   * src/port-forward/netns.ts); undefined when it cannot know.
   */
  localPid(target: Target): Promise<number | undefined>;
  /** engine metadata of a target */
  describeTarget(target: Target): Promise<TargetDetails>;
  /** the engine's own port forwarding to the target (NativePorts); absent or undefined where it has none */
  nativePorts?(target: Target): Promise<NativePorts | undefined>;
  listDebuggers(): Promise<DebuggerInfo[]>;
  /**
   * Removes the debugger at an address as DebuggerInfo.id gives it; says which it removed, or
   * undefined when there is none there (gone already, or not a sidekick debugger: left alone).
   */
  removeDebugger(address: TargetAddress): Promise<RemovedDebugger | undefined>;
  /**
   * `sidekick attach`: joins the running debugger at an address as DebuggerInfo.id gives it. A
   * debugger that ended, or is not there, or cannot be attached is a UserError of one line (an ended
   * one's exit code and when, where the engine knows it; it is removed then).
   */
  attachDebugger?(address: TargetAddress): Promise<AttachedDebugger>;
}

/** Options only some engines read (Kubernetes: which cluster, which namespace), and the profile. */
export interface EngineOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** kubectl debug's profiles (src/runtimes/security.ts): read by the commands into DebuggerSpec.security, by no engine */
  profile?: string;
  /** Kubernetes label selector (-l) narrowing a workload's pods */
  selector?: string;
  /** Kubernetes: how long to wait for a debugger or its pod to run (--pod-running-timeout) */
  startTimeoutMs?: number;
  /** the one engine a listing asks (--engine of targets, sessions, cleanup); unset: every reachable one */
  listOn?: EngineName;
}

/** Labels that mark a debugger on every engine. */
export const LABEL = {
  role: 'io.sidekick.role',
  target: 'io.sidekick.target',
  targetName: 'io.sidekick.target-name',
  owner: 'io.sidekick.owner',
  /** "true" on a debugger started by `exec -d` */
  detached: 'io.sidekick.detached',
} as const;
export const ROLE_DEBUGGER = 'debugger';
