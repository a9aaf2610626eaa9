/**
 * Signals of the CLI (SIGINT, SIGTERM, SIGHUP) end the session cleanly: work in flight (a debugger
 * being created) is waited for, then every registered cleanup runs, then sidekick exits 128+signal.
 * Installed before the first engine call, so no signal can leave a debugger behind.
 */
import { debugLog } from '../log.js';

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// An engine call in flight gets this long to finish before sidekick exits anyway.
const IN_FLIGHT_MS = 15_000;

export class Cleanup {
  private readonly tasks: Array<() => unknown> = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private signal?: NodeJS.Signals;

  constructor(private readonly parent?: Cleanup) {}

  /** the signal that interrupted the session, if any */
  get interruptedBy(): NodeJS.Signals | undefined {
    return this.signal;
  }

  /** registers a cleanup; they run last-in first-out */
  defer(task: () => unknown): void {
    this.tasks.push(task);
  }

  /**
   * A group of cleanups that can run early (one debugger among several in turn); what is left of it
   * runs with this Cleanup, and a signal waits for its work in flight as for this one's.
   */
  scope(): Cleanup {
    const child = new Cleanup(this);
    this.defer(() => child.run());
    return child;
  }

  /** marks work whose result may need cleaning up (e.g. a create request) */
  track<T>(work: Promise<T>): Promise<T> {
    if (this.parent) return this.parent.track(work);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return work;
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task();
      } catch (e) {
        debugLog(`cleanup: ${String(e)}`);
      }
    }
  }

  /** installs the signal handlers; returns their removal */
  trapSignals(opts: { quiet: boolean }): () => void {
    const handler = (signal: NodeJS.Signals) => {
      if (this.signal) return;
      this.signal = signal;
      // after a broken pipe there may be nobody left to read a message
      if (!opts.quiet && signal !== 'SIGPIPE') process.stderr.write(`\nsidekick: ${signal}, cleaning up\n`);
      const waitInFlight = Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, IN_FLIGHT_MS))]);
      void waitInFlight
        .then(() => this.run())
        .finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
    };
    // Whoever reads our output went away (`sidekick exec ... | head -1`): Node reports it as an error
    // on the stream, which would end the process on the spot; end the session as SIGPIPE would.
    const brokenPipe = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') handler('SIGPIPE');
    };
    for (const s of SIGNALS) process.on(s, handler);
    process.stdout.on('error', brokenPipe);
    process.stderr.on('error', brokenPipe);
    return () => {
      for (const s of SIGNALS) process.off(s, handler);
      process.stdout.off('error', brokenPipe);
      process.stderr.off('error', brokenPipe);
    };
  }
}

/**
 * Runs a command's work with signals trapped: cleanups run when it ends, or when a signal ends it
 * (then the handler exits the process and this never returns).
 */
export async function withCleanup<T>(opts: { quiet: boolean }, work: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  const untrap = cleanup.trapSignals(opts);
  try {
    return await work(cleanup);
  } finally {
    if (cleanup.interruptedBy) await new Promise(() => undefined);
    await cleanup.run();
    untrap();
  }
}
