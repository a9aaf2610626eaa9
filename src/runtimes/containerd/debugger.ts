/**
 * A debugger run by `ctr run --rm`, one ctr process that creates the container, creates its task,
 * starts it, waits for it, deletes task, container and snapshot, and exits with the task's exit code.
 * (`ctr containers create` + `ctr tasks start` + `ctr containers rm` do the same in three
 * processes, each paying for its own start and connection: measured 60-100 ms slower here.)
 *
 * Without a TTY, the output comes through FIFOs of sidekick's own (output-fifos.ts: ctr 1.6's copy
 * loses a tail that a slow reader has not taken when the task exits), input through ctr's stdin, and
 * ctr runs in its own process group (signals are sidekick's to handle). A TTY session with input is
 * started with `ctr run -d` and joined through the task's FIFOs (launchJoined), for the same reason.
 * A TTY session without input leaves the user's terminal to ctr: raw mode, and resizes through
 * SIGWINCH, which it gets in the terminal's foreground process group; launch() gives no stdin and an
 * empty stdout, and resize() is ctr's business.
 *
 * ctr's own failures (before the task exists) are told apart from the command's output by the pid
 * file that ctr writes once the task is created and before it starts: stderr is held back until then.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { closeSync, constants, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { Backpressure } from '../../backpressure.js';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import { readEnd } from '../../stream-end.js';
import { nameInUse, noShell } from '../errors.js';
import type { CleanupRecipe, Debugger, DebuggerSpec, DebuggerStreams, ExecProcess, LaunchOptions, Launched } from '../runtime.js';
import type { Ctr } from './ctr.js';
import { ctrReason } from './ctr-text.js';
import type { OpenedOutput, OutputFifos } from './output-fifos.js';
import { openFifo, taskFifos } from './fifo.js';
import { resizeTaskPty, waitTask } from './task-status.js';

// How often start() looks for the pid file while ctr creates the task.
const POLL_MS = 5;

export interface CtrDebuggerOptions {
  ctr: Ctr;
  namespace: string;
  id: string;
  /** `ctr run` options that make the container (no --rm, --pid-file: added here); then "--", image, id, command */
  runArgs: string[];
  spec: DebuggerSpec;
  notes: string[];
  /** "containerd" or "nerdctl", for messages */
  label: string;
  /** a private directory for ctr's pid file, removed with the debugger */
  workDir: string;
  /** removes the container and its snapshot, if still there; `running` when its task may still be alive */
  removeContainer(running: boolean): Promise<void>;
  /** whether the container is gone (one gRPC call): ctr's --rm did its work */
  containerGone?(): Promise<boolean>;
  orphanCleanup: CleanupRecipe;
  /** its address as DebuggerInfo.id gives it, which `exec -d` prints */
  address?: string;
  /** a TTY session that sidekick joins (exec -d, or one in the foreground with input): where ctr puts the task's FIFOs (its entry script waits for a go-ahead line on stdin) */
  fifoDir?: string;
  /** a foreground debugger without a TTY: its output comes through these, not through ctr */
  output?: OutputFifos;
}

/**
 * Copies input to a ctr's stdin, holding back its end until open() says the process exists: ctr 1.6
 * loses an end of input that comes before it has made the process (its stdin closer is set only
 * then), and the process would wait for input forever.
 */
function forwardInput(from: Readable, to: Writable): { open(): void } {
  let ended = false;
  let opened = false;
  to.on('error', () => undefined); // the process may be gone before its input is
  const valve = new Backpressure(from);
  from.on('data', (chunk: Buffer) => valve.write(to, chunk));
  from.once('end', () => {
    ended = true;
    if (opened) to.end();
  });
  return {
    open() {
      if (opened) return;
      opened = true;
      if (ended) to.end();
    },
  };
}

/** The line the entry script waits for (SIDEKICK_HANDSHAKE in entry.sh). */
const GO_AHEAD = 'go\n';

/**
 * ctr copies a TTY task's output to the local terminal for as long as it runs, so a detached
 * debugger's entry script waits (SIDEKICK_HANDSHAKE) until `ctr run -d` has gone: the go-ahead line
 * goes into the task's stdin FIFO (cio names it ID-stdin in a directory of its own under fifoDir),
 * which the shim keeps reading.
 */
function goAhead(fifoDir: string, id: string): void {
  const fd = openSync(fifosOf(fifoDir, id).stdin, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    writeSync(fd, GO_AHEAD);
  } finally {
    closeSync(fd);
  }
}

function fifosOf(fifoDir: string, id: string): { stdin: string; stdout: string } {
  const found = taskFifos(fifoDir, id);
  if (!found) throw new UserError(`cannot start the debugger ${id}: its stdin is not in ${fifoDir}`, { hint: 'run again with --debug for details' });
  return found;
}

export function ctrDebugger(o: CtrDebuggerOptions): Debugger {
  const { spec } = o;
  const pidFile = join(o.workDir, 'pid');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = spec.stdin && !spec.tty ? new PassThrough() : undefined;
  let child: ChildProcess | undefined;
  let opened: OpenedOutput | undefined;
  // a foreground TTY session's FIFOs, once joined (launchJoined)
  let joinedFifos: Socket[] | undefined;
  const closeOutput = () => {
    opened?.taskEnded();
    opened?.stdout.destroy();
    opened?.stderr.destroy();
  };
  let created = false;
  // ctr ended by itself: its --rm has deleted task, container and snapshot before it exited.
  let ranOut = false;
  // and the API no longer knows the container
  let confirmedGone = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));

  const taskCreated = () => created || (created = existsSync(pidFile));

  function startFailure(text: string): UserError {
    const explained = o.ctr.explain(text);
    if (explained) return explained;
    const reason = ctrReason(text);
    if (/already exists/.test(reason)) return nameInUse(spec.name);
    if (/executable file not found|no such file or directory/i.test(reason) && /"sh"/.test(reason)) return noShell(spec.image);
    return new UserError(`cannot start the debugger on ${o.label}: ${reason}`, { hint: 'run again with --debug for details' });
  }

  async function start(): Promise<void> {
    // opened before the task can start, so that the command's first write finds a reader
    const fifos = o.output?.open();
    opened = fifos;
    const proc = o.ctr.spawn(
      o.namespace,
      ['run', '--rm', `--pid-file=${pidFile}`, ...o.runArgs],
      [spec.tty ? 'inherit' : stdin ? 'pipe' : 'ignore', spec.tty ? 'inherit' : fifos ? 'ignore' : 'pipe', 'pipe'],
      { detached: !spec.tty },
    );
    child = proc.child;
    const input = stdin && proc.child.stdin ? forwardInput(stdin, proc.child.stdin) : undefined;
    proc.child.stdout?.pipe(stdout);
    fifos?.stdout.pipe(stdout);
    fifos?.stderr.pipe(stderr, { end: false });
    // Until the task exists, whatever ctr says on stderr is its own (an error); after, it is the command's.
    const held: Buffer[] = [];
    const stderrValve = new Backpressure(proc.child.stderr!);
    proc.child.stderr!.on('data', (chunk: Buffer) => {
      if (!taskCreated()) {
        held.push(chunk);
        return;
      }
      if (held.length) stderr.write(Buffer.concat(held.splice(0)));
      stderrValve.write(stderr, chunk);
    });

    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (taskCreated()) {
          clearInterval(poll);
          input?.open();
          resolve();
        }
      }, POLL_MS);
      void proc.done.then(async (code) => {
        clearInterval(poll);
        if (!taskCreated()) {
          closeOutput();
          reject(startFailure(Buffer.concat(held).toString()));
          return;
        }
        ranOut = proc.child.signalCode === null;
        if (held.length) stderr.write(Buffer.concat(held.splice(0)));
        resolve();
        resolveExit(code);
        if (fifos) {
          // ctr's --rm has killed whatever of the debugger's was left: the last writers are gone
          fifos.taskEnded();
          await Promise.all([fifos.stdout, fifos.stderr].map(readEnd));
        }
        stderr.end();
        if (spec.tty) stdout.end();
        resolveEnded();
      });
    });
  }

  /**
   * Another process in the running debugger: `ctr tasks exec`, no TTY. Its first byte of output is a
   * marker from a wrapping sh, printed once the process runs: only then may its input end.
   */
  async function exec(argv: string[]): Promise<ExecProcess> {
    const proc = o.ctr.spawn(
      o.namespace,
      ['tasks', 'exec', `--exec-id=sidekick-${randomBytes(6).toString('hex')}`, '--', o.id, 'sh', '-c', 'printf x; exec "$@"', 'sidekick', ...argv],
      ['pipe', 'pipe', 'pipe'],
      { detached: true },
    );
    const input = new PassThrough();
    const output = new PassThrough();
    const forward = forwardInput(input, proc.child.stdin!);
    let marked = false;
    const valve = new Backpressure(proc.child.stdout!);
    proc.child.stdout!.on('data', (chunk: Buffer) => {
      if (!marked) {
        marked = true;
        forward.open();
        chunk = chunk.subarray(1);
      }
      if (chunk.length) valve.write(output, chunk);
    });
    proc.child.stdout!.once('end', () => output.end());
    return {
      stdin: input,
      stdout: output,
      stderr: proc.child.stderr!,
      exited: proc.done,
      // ctr passes the signal on to the process, then exits with it
      kill: () => void proc.child.kill('SIGTERM'),
    };
  }

  /**
   * exec -d: `ctr run -d` (no --rm) starts the task and returns; task and container stay until
   * `sidekick attach` or `cleanup` removes them. With a TTY, ctr needs the local terminal to make
   * the task's console (it sets it raw for the moment it runs).
   */
  async function startDetached(): Promise<string> {
    await runDetached();
    if (o.fifoDir) goAhead(o.fifoDir, o.id);
    return o.address ?? o.id;
  }

  /** `ctr run -d`: returns once the task runs (with a TTY, its entry script waits for a go-ahead). */
  async function runDetached(): Promise<void> {
    const proc = o.ctr.spawn(o.namespace, ['run', '-d', `--pid-file=${pidFile}`, ...o.runArgs], [spec.tty ? 'inherit' : 'ignore', spec.tty ? 'inherit' : 'ignore', 'pipe']);
    child = proc.child;
    let said = '';
    proc.child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const code = await proc.done;
    if (code !== 0 || !taskCreated()) throw startFailure(said);
    rmSync(o.workDir, { recursive: true, force: true });
  }

  /**
   * A foreground session with a TTY: started as exec -d starts one, joined through the task's FIFOs
   * as attach joins one (sidekick's terminal, resizes through the Tasks API), and deleted by remove()
   * once its output has been read. Through `ctr run` the terminal lost what it had not taken yet
   * when the task exited (ctr 1.6's copy, containerd#8643).
   */
  async function launchJoined(options: LaunchOptions): Promise<Launched> {
    await runDetached();
    const paths = fifosOf(o.fifoDir!, o.id);
    const output = openFifo(paths.stdout, 'read');
    const input = openFifo(paths.stdin, 'write');
    joinedFifos = [output, input];
    // containerd answers a Wait for a task that has already exited (it stays until deleted)
    const wait = waitTask(o.ctr.socket, o.namespace, o.id);
    input.write(GO_AHEAD);
    const streams: DebuggerStreams = { stdin: input, stdout: output, ended: readEnd(output) };
    options.attached?.(streams);
    return { streams, exited: wait.exitCode };
  }

  return {
    id: o.id,
    exec,
    startDetached,
    name: spec.name,
    notes: o.notes,
    orphanCleanup: o.orphanCleanup,
    launch: async (options: LaunchOptions = {}): Promise<Launched> => {
      if (spec.tty && spec.stdin && o.fifoDir) return launchJoined(options);
      // The streams exist before ctr does; `exited` resolves once the task has run and exited.
      const streams: DebuggerStreams = spec.tty ? { stdout, stderr, ended } : { stdin, stdout, stderr, ended };
      options.attached?.(streams);
      await start();
      return { streams, exited };
    },
    // A joined task's terminal size is sidekick's to set; otherwise ctr follows it itself (SIGWINCH).
    resize: async (rows, columns) => {
      if (joinedFifos) await resizeTaskPty(o.ctr.socket, o.namespace, o.id, rows, columns).catch(() => undefined);
    },
    // A ctr removal after ctr's own --rm found nothing, for ~50 ms at the end of every session; the
    // API says whether the container is gone in ~2. The reaper's recipe (run by its sh, in the
    // background) covers a --rm that failed, or a container the API could not be asked about.
    removedByEngine: () => ranOut && !confirmedGone,
    remove: async () => {
      closeOutput();
      if (ranOut) {
        rmSync(o.workDir, { recursive: true, force: true });
        confirmedGone = (await o.containerGone?.().catch(() => false)) ?? false;
        return;
      }
      if (joinedFifos) {
        for (const fifo of joinedFifos) fifo.destroy();
        await o.removeContainer(true);
        return;
      }
      const running = child !== undefined && child.exitCode === null && child.signalCode === null;
      // ctr would put the terminal back the way it found it (raw) after sidekick restored it: stop it first.
      if (running) child!.kill('SIGKILL');
      // A ctr that failed before making the task removed what it made (--rm), or made nothing because
      // the name was taken: then the container of that name is someone else's.
      try {
        if (running || taskCreated()) await o.removeContainer(running);
      } finally {
        rmSync(o.workDir, { recursive: true, force: true });
      }
      debugLog(`${o.label}: removed ${o.namespace}/${o.id}`);
    },
  };
}
