/**
 * A hijacked stream without a TTY carries stdout and stderr in frames, split by docker-modem's
 * demuxStream. demuxStream writes each frame without looking at write()'s answer, so it is given
 * writers that pause the connection while our side is full (a slow local reader) and resume it once
 * drained: the engine, and the process behind it, wait instead of this process buffering it all.
 */
import type Docker from 'dockerode';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { Backpressure } from '../../backpressure.js';

export interface Demuxed {
  stdout: PassThrough;
  stderr: PassThrough;
  /** resolves when the connection has ended (both outputs are ended then) */
  ended: Promise<void>;
}

export function demuxed(docker: Docker, raw: Duplex): Demuxed {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const valve = new Backpressure(raw);
  const into = (sink: PassThrough) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        valve.write(sink, chunk);
        done();
      },
    });
  docker.modem.demuxStream(raw, into(stdout), into(stderr));
  const ended = connectionEnded(raw);
  void ended.then(() => {
    stdout.end();
    stderr.end();
  });
  return { stdout, stderr, ended };
}

/** The connection's end, however it comes (closed by the engine, or failed). */
export function connectionEnded(raw: Duplex): Promise<void> {
  return new Promise<void>((resolve) => {
    raw.once('end', resolve);
    raw.once('close', resolve);
    raw.on('error', () => resolve());
  });
}
