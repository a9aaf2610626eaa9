/**
 * A debugger container on Docker or Podman: launched by waiting for its next exit, attaching with
 * hijacked streams, then starting it (a wait set up after start could miss a quick exit, and output
 * written before the attach would be lost).
 */
import type Docker from 'dockerode';
import { Writable, type Duplex } from 'node:stream';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { Endpoint } from '../endpoint.js';
import { noShell } from '../errors.js';
import type { Debugger, DebuggerSpec, DebuggerStreams, ExecProcess, LaunchOptions, Launched } from '../runtime.js';
import { connectionEnded, demuxed } from './demux.js';
import { engineMessage, statusOf } from './errors.js';

// Docker's detach keys would swallow ^P; this sequence is one nobody types.
const DETACH_KEYS = 'ctrl-@,ctrl-@,ctrl-@,ctrl-@,ctrl-@';

export interface DockerDebuggerOptions {
  docker: Docker;
  container: Docker.Container;
  spec: DebuggerSpec;
  notes: string[];
  endpoint: Endpoint;
  /** "Docker" or "Podman", for messages */
  label: string;
  /** runs an engine call, turning connection failures into one-line errors */
  call<T>(what: Promise<T>): Promise<T>;
  /** its address as DebuggerInfo.id gives it (docker://ID), which `exec -d` prints */
  address?: string;
  /** the exit code is asked for as soon as the attach ends (DockerFlavor.slowWait) */
  exitOnStreamEnd?: boolean;
}

export function dockerDebugger(o: DockerDebuggerOptions): Debugger {
  const { container, spec, endpoint } = o;
  // the session's attach connection, once made
  let connection: Duplex | undefined;
  return {
    id: container.id,
    name: spec.name,
    notes: o.notes,
    orphanCleanup: {
      kind: 'http',
      socketPath: endpoint.socketPath,
      host: endpoint.host,
      port: endpoint.port,
      method: 'DELETE',
      path: `/containers/${container.id}?force=true&v=true`,
    },
    launch: async (options: LaunchOptions = {}): Promise<Launched> => {
      const nextExit = container.wait({ condition: 'next-exit' }).then((result: { StatusCode: number }) => result.StatusCode);
      nextExit.catch(() => undefined); // a start that fails is reported instead
      connection = await attach(o);
      const streams = attachedStreams(o.docker, connection, spec.tty, spec.stdin);
      options.attached?.(streams);
      await container.start().catch((e: unknown) => {
        throw startFailure(e, spec, o.label);
      });
      const exited = o.exitOnStreamEnd ? Promise.race([nextExit, streams.ended.then(() => exitCodeOnceExited(container, nextExit))]) : nextExit;
      return { streams, exited };
    },
    resize: async (rows, columns) => {
      await container.resize({ h: rows, w: columns }).catch(() => undefined);
    },
    remove: async () => {
      // Output nobody reads any more (a reader that went away, an interrupt) holds the connection
      // paused, and the engine would wait for it to drain before it lets the container go.
      connection?.destroy();
      await removeContainer(container);
    },
    exec: (argv) => execIn(o, argv),
    // exec -d: started with nobody attached; its stdin stays open (StdinOnce off) for `sidekick attach`
    startDetached: async () => {
      await container.start().catch((e: unknown) => {
        throw startFailure(e, spec, o.label);
      });
      return o.address ?? container.id;
    },
  };
}

/**
 * The exit code of a container whose attach has ended, from inspect: Podman has it ("stopped", its
 * cleanup still to come) ~100 ms before its wait answers. Asked a few times while the state catches
 * up; then (a process that closed its output and runs on, a container already removed) the wait's
 * answer.
 */
async function exitCodeOnceExited(container: Docker.Container, wait: Promise<number>): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const state = await container.inspect().then((info) => info.State, () => undefined);
    if (!state) break;
    if (state.Status === 'exited' || state.Status === 'stopped') return state.ExitCode;
    await new Promise((r) => setTimeout(r, 10));
  }
  return wait;
}

/**
 * Removes the debugger, gone or going. Podman answers 500 ("could not be stopped") to a forced
 * removal that races the container's own exit (its AutoRemove then follows): asked again a moment
 * later, it waits for that removal and says 404.
 */
export async function removeContainer(container: Docker.Container): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await container.remove({ force: true, v: true });
      return;
    } catch (e) {
      const status = statusOf(e);
      if (status === 404 || status === 409) return; // gone, or AutoRemove already removing it
      if (status !== 500 || attempt === 3) throw e;
      debugLog(`removing the debugger: ${engineMessage(e)}; asking again`);
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function attach(o: DockerDebuggerOptions): Promise<Duplex> {
  const { spec } = o;
  try {
    return await attachHijacked(o.docker, o.container.id, spec.stdin);
  } catch (e) {
    // Podman prepares the container at attach, so its runtime errors arrive here
    throw startFailure(e, spec, o.label);
  }
}

/** The session's streams over a hijacked attach: as they are with a TTY, demultiplexed without. */
export function attachedStreams(docker: Docker, raw: Duplex, tty: boolean, stdin: boolean): DebuggerStreams {
  if (tty) return { stdin: stdin ? raw : undefined, stdout: raw, ended: connectionEnded(raw) };
  // Without a TTY the engine multiplexes stdout and stderr on one stream.
  const { stdout, stderr, ended } = demuxed(docker, raw);
  return { stdin: stdin ? raw : undefined, stdout, stderr, ended };
}

/** A process in the running debugger, its streams hijacked from the engine (no TTY, so demuxed). */
async function execIn(o: DockerDebuggerOptions, argv: string[]): Promise<ExecProcess> {
  const exec = await o.call(o.container.exec({ Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false })).catch((e) => {
    throw e instanceof UserError ? e : new UserError(`cannot run ${argv[0]} in the debugger: ${engineMessage(e)}`, { cause: e });
  });
  const raw = (await o.call(exec.start({ hijack: true, stdin: true }))) as unknown as Duplex;
  const { stdout, stderr, ended } = demuxed(o.docker, raw);
  // Ending stdin half-closes the connection: the engine closes the process's stdin, output still flows.
  const stdin = new Writable({
    write(chunk, _encoding, done) {
      if (raw.destroyed || raw.writableEnded) return done(new Error('the process has ended'));
      if (raw.write(chunk)) return done();
      const settle = () => {
        raw.off('drain', settle);
        raw.off('close', settle);
        done();
      };
      raw.on('drain', settle);
      raw.on('close', settle);
    },
    final(done) {
      raw.end();
      done();
    },
  });
  stdin.on('error', () => raw.destroy());
  const exited = ended.then(async () => {
    // The engine may need a moment to record the exit after the streams closed.
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect().catch(() => undefined);
      if (!info) return -1;
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 20));
    }
    return -1;
  });
  return { stdin, stdout, stderr, exited, kill: () => raw.destroy() };
}

/**
 * Attaches with the query only: dockerode would also send its options as a JSON body, which
 * Podman feeds into the container's stdin.
 */
export function attachHijacked(docker: Docker, id: string, stdin: boolean): Promise<Duplex> {
  const query = { stream: true, stdin, stdout: true, stderr: true, detachKeys: DETACH_KEYS };
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/attach?`,
        method: 'POST',
        isStream: true,
        hijack: true,
        openStdin: stdin,
        file: Buffer.alloc(0),
        statusCodes: { 101: true, 200: true, 404: 'no such container', 409: 'conflict', 500: 'server error' },
        options: query,
      },
      (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as Duplex)),
    );
  });
}

/** A debugger that could not start: a toolkit without sh is the common case, worth its own hint. */
function startFailure(e: unknown, spec: DebuggerSpec, label: string): UserError {
  if (e instanceof UserError) return e;
  const message = engineMessage(e);
  if (/executable file not found|no such file or directory/i.test(message) && /"sh"|sh:/.test(message)) return noShell(spec.image, e);
  return new UserError(`cannot start the debugger on ${label}: ${message}`, { cause: e });
}
