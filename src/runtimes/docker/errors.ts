/** Turns what dockerode throws into errors a person can act on. */
import { UserError } from '../../errors.js';
import type { ProbeResult } from '../endpoint.js';

interface EngineFailure {
  code?: string;
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

export function engineMessage(e: unknown): string {
  const f = e as EngineFailure;
  const text = f?.json?.message ?? f?.message ?? String(e);
  return text.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
}

export function statusOf(e: unknown): number | undefined {
  return (e as EngineFailure)?.statusCode;
}

/** Connection-level failures: the engine is not there, or we may not talk to it. */
export function connectionError(e: unknown, engineLabel: string, probe: ProbeResult, startHint: string): UserError | undefined {
  const code = (e as EngineFailure)?.code;
  const { endpoint, tried } = probe;
  const where = `${endpoint.url} (tried ${tried.join(', ') || endpoint.source})`;
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(`permission denied on ${endpoint.socketPath ?? endpoint.url}`, {
      hint: `run as root or add your user to the group that owns the socket (for Docker: the "docker" group)`,
      kind: 'denied',
      cause: e,
    });
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'ECONNRESET') {
    return new UserError(`cannot reach ${engineLabel} at ${where}`, { hint: startHint, kind: 'unreachable', cause: e });
  }
  return undefined;
}
