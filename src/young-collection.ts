/**
 * Keeps a stream moving at full speed from paying for full garbage collections.
 *
 * Each socket read (or TLS record, or WebSocket frame) arrives in a fresh buffer whose memory lives
 * outside V8's heap. The small objects that hold such buffers hardly fill the young generation, so
 * that memory piles up until V8 sees tens of MB of it and collects it all at once: a Kubernetes
 * port-forward spent ~18% of its cycles in those collections and moved 0.75 of kubectl's
 * throughput. A young-generation collection every few MB (well under a millisecond: the young
 * generation is small) frees the buffers while they are cheap to free: ~0.9 of kubectl's (median).
 * A session's output is collected more often (OUTPUT_EVERY): every freed read goes back to malloc's
 * heap for the next one, and 50 MB of Docker output peaks at ~61 MB of RSS instead of ~86 (every 8 MB).
 */
import type { Readable } from 'node:stream';

/** bytes read between two collections: throughput first (port-forward's relays) */
const EVERY = 8 << 20;
/** for a session's output: memory first, at no cost seen in its CPU time (GNU time, 50 MB) */
export const OUTPUT_EVERY = 2 << 20;

/** V8's own gc() (a young-generation collection), reached without a command-line flag */
let collect: (() => void) | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the collector, off the start-up path: a session that moves little never loads node:v8 and
 * node:vm. Where this Node does not give gc() that way, streams just go on without it.
 */
function loadCollector(): void {
  loading ??= Promise.all([import('node:v8'), import('node:vm')])
    .then(([v8, vm]) => {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as unknown;
      if (typeof gc === 'function') collect = () => void gc({ type: 'minor' });
    })
    .catch(() => undefined);
}

/** Collects young garbage every `every` bytes that `stream` delivers. */
export function collectWhileBusy(stream: Readable, every = EVERY): void {
  let since = 0;
  stream.on('data', (chunk: Buffer | string) => {
    since += chunk.length;
    if (since < every) return;
    since = 0;
    if (collect) collect();
    else loadCollector();
  });
}
