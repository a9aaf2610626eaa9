/** `sidekick port-forward --json` as a test starts it: its process, and the forwards it printed. */
import type { ResultPromise } from 'execa';
import { sidekickProcess } from './cli.js';
import type { TestEngine } from './engines.js';

export interface Forward {
  local: string;
  target: string;
  remote: string;
  via: string;
  port: number;
}

export interface Session {
  cli: ResultPromise;
  forwards: Forward[];
  /** what it wrote to stderr so far */
  stderr: () => string;
}

/** Starts `sidekick port-forward --json ...` and resolves once it printed one line per spec. */
export function startForward(engine: TestEngine, args: string[], count: number): Promise<Session> {
  const cli = sidekickProcess(['port-forward', '--json', ...args], { env: engine.env, timeout: 600_000 });
  cli.catch(() => undefined);
  let err = '';
  cli.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stderr = () => err;
  return new Promise((resolve, reject) => {
    let text = '';
    const forwards: Forward[] = [];
    cli.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      let nl: number;
      while ((nl = text.indexOf('\n')) !== -1) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        const f = JSON.parse(line) as Omit<Forward, 'port'>;
        forwards.push({ ...f, port: Number(f.local.split(':').pop()) });
        if (forwards.length === count) resolve({ cli, forwards, stderr });
      }
    });
    void cli.then((r) => reject(new Error(`port-forward ended before forwarding (exit ${r.exitCode}): ${String(r.stderr)}`)));
  });
}
