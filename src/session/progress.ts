/** Shows image pulls on stderr: one updating line on a terminal, a line per image otherwise. */
import type { Progress, PullEvent } from '../runtimes/runtime.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function createProgress(opts: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const out = opts.stream ?? process.stderr;
  const interactive = Boolean(out.isTTY);
  const layers = new Map<string, { current: number; total: number }>();
  const announced = new Set<string>();
  let lastDraw = 0;

  return {
    pull(event: PullEvent) {
      if (opts.quiet) return;
      if (!announced.has(event.image)) {
        announced.add(event.image);
        if (!interactive) out.write(`Pulling ${event.image}...\n`);
      }
      if (event.id && event.total) layers.set(event.id, { current: event.current ?? 0, total: event.total });
      if (!interactive) return;
      const now = Date.now();
      if (now - lastDraw < 80) return;
      lastDraw = now;
      let current = 0;
      let total = 0;
      for (const l of layers.values()) {
        current += l.current;
        total += l.total;
      }
      const amount = total ? ` ${mb(current)} / ${mb(total)}` : '';
      out.write(`\r\x1b[2KPulling ${event.image}: ${event.status}${amount}`);
    },
    pullDone(image: string) {
      if (opts.quiet) return;
      out.write(`${interactive ? '\r\x1b[2K' : ''}Pulled ${image}\n`);
    },
  };
}
