/**
 * Keeps a stream moving at full speed from paying for full garbage collections.
 *
 * Each socket read (or TLS record, or WebSocket frame) arrives in a fresh buffer whose memory lives
 * outside V8's heap. The small objects that hold such buffers hardly fill the young generation, so
 * that memory piles up until V8 sees tens of MB of it and collects it all at once: a Kubernetes
 * port-forward spent ~18% of its cycles in those collections and moved 0.75 of kubectl's
 * throughput. A young-generation collection every few MB (well under a millisecond: the young
 * generation is small) frees the buffers while they are cheap to free: ~0.9 of kubectl's (median).
 * (The CLI's peak RSS under 50 MB of output does not move: that peak is malloc's heap, not V8's.)
 */
import type { Readable } from 'node:stream';

/** bytes read between two collections */
const EVERY = 8 << 20;

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

/** Collects young garbage every EVERY bytes that `stream` delivers. */
export function collectWhileBusy(stream: Readable): void {
  let since = 0;
  stream.on('data', (chunk: Buffer | string) => {
    since += chunk.length;
    if (since < EVERY) return;
    since = 0;
    if (collect) collect();
    else loadCollector();
  });
}
