/**
 * `sidekick attach` on Kubernetes: the pods/attach subresource of an ephemeral container that still
 * runs with stdin (sidekick's own from `exec -d`, whose stdin outlives each attach, or any other,
 * kubectl debug's included). The exit code comes as at launch: the entry script's exit mark, else
 * the pod's status. Ephemeral containers cannot be removed: once the process ended, nothing is left
 * to do.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UserError } from '../../errors.js';
import type { TargetAddress } from '../address.js';
import { noSession, notAttachable, sessionEnded } from '../errors.js';
import type { AttachedDebugger, DebuggerStreams } from '../runtime.js';
import { openChannels } from './channels.js';
import type { KubeClient } from './client.js';
import { exitCode, type PodTarget } from './debugger.js';
import { apiMessage } from './errors.js';
import { ExitMarkFilter } from './exit-mark.js';

export async function attachEphemeral(k: KubeClient, address: TargetAddress, pod: V1Pod | undefined): Promise<AttachedDebugger> {
  const ec = pod?.spec?.ephemeralContainers?.find((c) => c.name === address.container);
  if (!pod || !ec) throw noSession(address.raw);
  const where: PodTarget = { namespace: pod.metadata!.namespace!, pod: pod.metadata!.name!, container: ec.name };
  const state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === ec.name)?.state;
  if (state?.terminated) {
    const { exitCode: code, finishedAt } = state.terminated;
    throw sessionEnded(ec.name, code, finishedAt ? new Date(finishedAt) : undefined);
  }
  if (!state?.running) throw notAttachable(ec.name, `it has not started (${state?.waiting?.reason ?? 'waiting'})`);
  if (!ec.stdin) throw notAttachable(ec.name, 'it runs without stdin');

  const tty = Boolean(ec.tty);
  const path = `/api/v1/namespaces/${where.namespace}/pods/${where.pod}/attach?container=${where.container}&stdin=true&stdout=true&stderr=${!tty}&tty=${tty}`;
  const channels = await k.call(() => openChannels(k.kc, path)).catch((e: unknown) => {
    throw e instanceof UserError ? e : new UserError(`cannot attach to ${ec.name}: ${apiMessage(e)}`, { cause: e });
  });
  // the exit mark travels on stderr, which a terminal merges into stdout
  const mark = new ExitMarkFilter();
  const stdout = channels.stdout.pipe(tty ? mark : new PassThrough());
  const stderr = tty ? undefined : channels.stderr.pipe(mark);
  const ended = Promise.all([finished(stdout).catch(() => undefined), stderr && finished(stderr).catch(() => undefined)]).then(() => undefined);
  const streams: DebuggerStreams = { stdin: channels.stdin, stdout, stderr, ended };
  const exited = (async () => {
    await channels.closed;
    await finished(mark).catch(() => undefined);
    return mark.code ?? exitCode(k, where);
  })();
  return {
    name: ec.name,
    tty,
    streams,
    exited,
    resize: async (rows, columns) => channels.resize(rows, columns),
    detach: () => channels.close(),
    remove: async () => undefined,
  };
}
