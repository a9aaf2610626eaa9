/**
 * Backpressure where data is handed on with write() from an event handler instead of pipe(): a
 * demultiplexer, a WebSocket's messages, a filter. Ignoring write()'s answer would let a slow reader
 * pile the whole stream up in memory; here the source pauses while any of its sinks is full and
 * resumes once all of them have drained, so the engine (and the process behind it) waits instead.
 */
import type { Writable } from 'node:stream';

export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

export class Backpressure {
  private readonly full = new Set<Writable>();
  private stopped = false;

  constructor(private readonly source: Pausable) {}

  /** writes chunk into sink, pausing the source until sink has drained if that filled it */
  write(sink: Writable, chunk: Buffer | string): void {
    if (sink.write(chunk) || this.full.has(sink)) return;
    this.full.add(sink);
    this.source.pause();
    const open = () => {
      sink.off('drain', open);
      sink.off('close', open);
      this.full.delete(sink);
      if (!this.full.size && !this.stopped) this.source.resume();
    };
    // a sink that closes will take no more: it holds nothing back any longer
    sink.on('drain', open);
    sink.on('close', open);
  }

  /** the source is done with (its reader went away): a late drain must not start it again */
  stop(): void {
    this.stopped = true;
  }
}
