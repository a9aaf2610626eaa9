/**
 * `sidekick attach` on Docker and Podman: joins the streams of a detached debugger again (a hijacked
 * attach, as at its start), waits for its exit, and removes it then. A detached debugger is kept by
 * the engine once it ended (no AutoRemove), so that an attach after the end can tell its exit code
 * and when.
 */
import type Docker from 'dockerode';
import { UserError } from '../../errors.js';
import type { TargetAddress } from '../address.js';
import { noSession, notAttachable, sessionEnded } from '../errors.js';
import { LABEL, ROLE_DEBUGGER, type AttachedDebugger, type Debugger, type DebuggerSpec } from '../runtime.js';
import { attachedStreams, attachHijacked, removeContainer } from './debugger.js';
import { engineMessage, statusOf } from './errors.js';

/** Podman's conmon and a debugger without a TTY (DockerFlavor.closesStdinOnLeave), in words. */
export function stdinClosedOnLeave(label: string): string {
  return `${label} closes the stdin of a debugger without a TTY when an attach leaves, which ends its shell`;
}

/** `exec -d` with stdin and no TTY on such an engine: the debugger, with a notice of what `attach` can do. */
export function withDetachNotice(dbg: Debugger, spec: DebuggerSpec, flavor: { label: string; closesStdinOnLeave?: boolean }): Debugger {
  if (!spec.detached || spec.tty || !spec.stdin || !flavor.closesStdinOnLeave) return dbg;
  return { ...dbg, notice: `${stdinClosedOnLeave(flavor.label)}: run "sidekick exec -d" from a terminal to come back to it more than once` };
}

export interface DockerAttachContext {
  docker: Docker;
  /** "Docker" or "Podman", for messages */
  label: string;
  closesStdinOnLeave?: boolean;
  call<T>(what: Promise<T>): Promise<T>;
}

export async function attachDockerDebugger(o: DockerAttachContext, address: TargetAddress): Promise<AttachedDebugger> {
  const container = o.docker.getContainer(address.name);
  const info = await o.call(container.inspect()).catch((e: unknown) => {
    if (statusOf(e) === 404) return undefined;
    throw e;
  });
  // only a sidekick debugger is attached, whatever the address names
  const labels = info?.Config.Labels ?? {};
  if (!info || labels[LABEL.role] !== ROLE_DEBUGGER) throw noSession(address.raw);
  const name = info.Name.replace(/^\//, '');
  const remove = () => removeContainer(container);
  if (!info.State.Running) {
    // told once, then gone: it was kept only for this
    await remove().catch(() => undefined);
    throw sessionEnded(name, info.State.ExitCode, new Date(info.State.FinishedAt));
  }
  if (labels[LABEL.detached] !== 'true') throw notAttachable(name, `it is the live session of ${labels[LABEL.owner] ?? 'another sidekick'}`);

  const tty = Boolean(info.Config.Tty);
  const stdin = Boolean(info.Config.OpenStdin);
  const raw = await o.call(attachHijacked(o.docker, info.Id, stdin)).catch((e: unknown) => {
    throw e instanceof UserError ? e : new UserError(`cannot attach to ${name} on ${o.label}: ${engineMessage(e)}`, { cause: e });
  });
  // a wait on a running container resolves at its exit
  const exited = container.wait().then((r: { StatusCode: number }) => r.StatusCode);
  exited.catch(() => undefined);
  const streams = attachedStreams(o.docker, raw, tty, stdin);
  return {
    name,
    tty,
    endsOnDetach: o.closesStdinOnLeave && stdin && !tty ? stdinClosedOnLeave(o.label) : undefined,
    streams,
    exited,
    resize: async (rows, columns) => {
      await container.resize({ h: rows, w: columns }).catch(() => undefined);
    },
    // the connection goes, the debugger stays: its stdin is not closed with it (StdinOnce off), but
    // Podman's conmon closes it anyway (endsOnDetach)
    detach: () => raw.destroy(),
    remove,
  };
}
