import type { Readable } from 'node:stream';

/** Resolves once all of a stream's data has been read (or it failed, or was destroyed). */
export function readEnd(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}
