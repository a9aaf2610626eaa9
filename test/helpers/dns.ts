/** A resolver that answers, in a target's network namespace (the tests run as root beside the engine). */
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

const RESPONDER = fileURLToPath(new URL('./dns-responder.mjs', import.meta.url));

export interface Resolver {
  /** stops answering: the target's nameserver is then a port where nothing listens */
  stop(): Promise<void>;
}

/** Serves `names` (NAME -> IPv4) on 127.0.0.1:53 inside the network namespace of process `pid`. */
export async function serveDns(pid: number, names: Record<string, string>): Promise<Resolver> {
  const pairs = Object.entries(names).map(([name, ip]) => `${name}=${ip}`);
  const child: ResultPromise = execa('nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, RESPONDER, '127.0.0.1', '53', ...pairs], { reject: false });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    void child.then((r) => reject(new Error(`the DNS responder ended: ${String(r.stderr)}`)));
  });
  return {
    async stop() {
      child.kill('SIGKILL');
      await child;
    },
  };
}
