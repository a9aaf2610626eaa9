/**
 * The `ctr` client, run with node's child_process (execa costs ~100 ms more to load, on a command
 * that runs in well under a second): every call names the socket (--address) and the namespace,
 * and connection problems (no socket, no permission, no daemon) become one-line errors naming the
 * socket that was tried. Other failures are CtrFailure, for the runtime to explain.
 */
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { ProbeResult } from '../endpoint.js';
import { connectionError, CtrFailure, denied, unreachable } from './errors.js';

/** A running ctr; `done` resolves with its exit code (128 + signal when killed) once its stdio closed. */
export interface CtrProcess {
  child: ChildProcess;
  done: Promise<number>;
}

/** The first `ctr` on PATH, or undefined. */
export function findCtr(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, 'ctr'))) return join(dir, 'ctr');
  }
  return undefined;
}

export class Ctr {
  readonly socket: string;
  private checked = false;

  constructor(
    readonly file: string | undefined,
    private readonly probe: ProbeResult,
    /** the engine as messages name it */
    private readonly label: string,
  ) {
    this.socket = probe.endpoint.socketPath ?? probe.endpoint.url;
  }

  /** The global options every call carries. */
  globals(namespace: string): string[] {
    return ['--address', this.socket, '--connect-timeout', '5s', '--namespace', namespace];
  }

  private unreachable(why?: string): UserError {
    return unreachable(this.probe, this.label, why);
  }

  /** Fails fast and clearly where ctr would retry for seconds: no socket file, or no right to reach it. */
  checkSocket(): void {
    if (this.checked) return;
    if (!this.file) throw this.unreachable('its client "ctr" is not installed');
    if (!this.probe.endpoint.socketPath) throw this.unreachable('containerd listens on a unix socket: give unix:///PATH');
    try {
      if (!statSync(this.socket).isSocket()) throw this.unreachable('not a socket');
    } catch (e) {
      if (e instanceof UserError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw denied(this.socket, e);
      throw this.unreachable();
    }
    this.checked = true;
  }

  /** A connection of sidekick's own to the socket (the gRPC API, api.ts) that failed, said as ctr's failures are. */
  connectionFailure(e: NodeJS.ErrnoException): UserError {
    if (e.code === 'EACCES' || e.code === 'EPERM') return denied(this.socket, e);
    return this.unreachable(e.code === 'ECONNREFUSED' ? 'connection refused' : e.code ? undefined : e.message);
  }

  /** Connection problems in ctr's words, as one-line errors; undefined for anything else. */
  private connectionError(stderr: string): UserError | undefined {
    return connectionError(stderr, this.probe, this.label, this.socket);
  }

  /** Runs one ctr command to its end; resolves with its stdout. */
  async run(namespace: string, args: string[]): Promise<string> {
    const started = performance.now();
    const proc = this.spawn(namespace, args, ['ignore', 'pipe', 'pipe']);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    proc.child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    proc.child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    const code = await proc.done;
    debugLog(`ctr -n ${namespace} ${args.slice(0, 3).join(' ')}... ${Math.round(performance.now() - started)} ms, exit ${code}`);
    if (code === 0) return Buffer.concat(out).toString();
    const stderr = Buffer.concat(err).toString();
    throw this.connectionError(stderr) ?? new CtrFailure(args, code, stderr);
  }

  /** Starts a ctr command with the given stdio; the caller owns the process. */
  spawn(namespace: string, args: string[], stdio: StdioOptions, opts: { detached?: boolean } = {}): CtrProcess {
    this.checkSocket();
    const child = spawn(this.file!, [...this.globals(namespace), ...args], { stdio, detached: opts.detached });
    const done = new Promise<number>((resolve) => {
      child.once('error', (e) => {
        debugLog(`ctr: ${e.message}`);
        resolve(-1);
      });
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + ((constants.signals as Record<string, number>)[signal] ?? 0) : -1)));
    });
    return { child, done };
  }

  /** For errors raised from a spawned command's stderr. */
  explain(stderr: string): UserError | undefined {
    return this.connectionError(stderr);
  }
}
