/**
 * The entry script ends a Kubernetes session with "\x1esidekick-exit N\x1e" (see entry.sh): the exit
 * code arrives with the output instead of a second later through the pod's status. This filter takes
 * the mark out of the stream. Only bytes that could start the mark are held back, so an interactive
 * prompt is never delayed (\x1e does not occur in ordinary output).
 */
import { Transform, type TransformCallback } from 'node:stream';

const MARK = /\x1esidekick-exit (\d+)\x1e/;
const START = 0x1e;
const PREFIX = '\x1esidekick-exit ';

export class ExitMarkFilter extends Transform {
  /** the exit code, once the mark went by */
  code?: number;
  private held: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data: Buffer = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const text = data.toString('latin1');
    const found = MARK.exec(text);
    if (found) {
      this.code = Number(found[1]);
      data = Buffer.concat([data.subarray(0, found.index), data.subarray(found.index + found[0].length)]);
    } else {
      const at = data.lastIndexOf(START);
      if (at !== -1 && couldStartMark(text.slice(at))) {
        this.held = data.subarray(at);
        data = data.subarray(0, at);
      }
    }
    if (data.length) this.push(data);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.held.length) this.push(this.held);
    done();
  }
}

function couldStartMark(tail: string): boolean {
  if (tail.length <= PREFIX.length) return PREFIX.startsWith(tail);
  return tail.startsWith(PREFIX) && /^\d{0,3}$/.test(tail.slice(PREFIX.length));
}
