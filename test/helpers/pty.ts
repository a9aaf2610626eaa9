/** Drives the built CLI in a pseudo-terminal, as a person at a terminal would. */
import * as pty from 'node-pty';
import { CLI } from './cli.js';

export class PtySession {
  private output = '';
  private readonly term: pty.IPty;
  readonly exited: Promise<number>;

  constructor(args: string[], opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}) {
    this.term = pty.spawn(process.execPath, [CLI, ...args], {
      name: 'xterm',
      cols: opts.cols ?? 100,
      rows: opts.rows ?? 30,
      env: { ...process.env, TERM: 'xterm', ...opts.env } as Record<string, string>,
    });
    this.term.onData((d) => {
      this.output += d;
    });
    this.exited = new Promise((resolve) => this.term.onExit((e) => resolve(e.exitCode)));
  }

  get text(): string {
    return this.output;
  }

  write(keys: string): void {
    this.term.write(keys);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** waits until the output after `from` matches; returns the index after the match */
  async expect(pattern: RegExp, from = 0, ms = 20_000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const rest = this.output.slice(from);
      const m = pattern.exec(rest);
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen so far:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    try {
      this.term.kill();
    } catch {
      // already gone
    }
  }
}
