/** containerd's failures, from what `ctr` prints, as errors a person can act on. */
import { UserError } from '../../errors.js';
import type { ProbeResult } from '../endpoint.js';
import { ctrReason } from './ctr-text.js';

/** ctr ran and said no: its arguments, its exit code and its own last words. */
export class CtrFailure extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(ctrReason(stderr));
    this.name = 'CtrFailure';
  }
}

/** ctr said the object is not there. */
export const isGone = (e: unknown) => e instanceof CtrFailure && /not found/i.test(e.message);

export function unreachable(probe: ProbeResult, label: string, why?: string): UserError {
  const { endpoint, tried } = probe;
  return new UserError(`cannot reach ${label} at ${endpoint.url}${why ? ` (${why})` : ''} (tried ${tried.join(', ') || endpoint.source})`, {
    hint: 'start containerd, or point CONTAINERD_ADDRESS at its socket',
    kind: 'unreachable',
  });
}

export function denied(socket: string, cause?: unknown): UserError {
  return new UserError(`permission denied on ${socket}`, {
    hint: "run as root: containerd's socket belongs to root",
    kind: 'denied',
    cause,
  });
}

/** Connection problems in ctr's words, as one-line errors; undefined for anything else. */
export function connectionError(stderr: string, probe: ProbeResult, label: string, socket: string): UserError | undefined {
  if (!/failed to dial|connection error/.test(stderr)) return undefined;
  if (/permission denied/.test(stderr)) return denied(socket);
  return unreachable(probe, label, /connection refused/.test(stderr) ? 'connection refused' : undefined);
}
