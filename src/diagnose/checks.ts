/** `--check SPEC`: parsed here, probed inside the target (tcp, http, dns) or judged from the report. */
import { UserError } from '../errors.js';
import type { RawProcess } from './parse.js';
import type { CheckResult, ListeningSocket } from './report.js';

export type CheckSpec =
  | { spec: string; kind: 'tcp'; host: string; port: number }
  | { spec: string; kind: 'http'; url: string }
  | { spec: string; kind: 'dns'; name: string }
  | { spec: string; kind: 'process'; name: string }
  | { spec: string; kind: 'port'; port: number };

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/;

function badCheck(spec: string, why: string): UserError {
  return new UserError(`bad --check "${spec}" (${why})`, {
    hint: 'use tcp://HOST:PORT, http(s)://URL, dns:NAME, process:NAME or port:PORT',
  });
}

function port(spec: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw badCheck(spec, `"${text}" is not a port`);
  return n;
}

export function parseCheck(spec: string): CheckSpec {
  const tcp = /^tcp:\/\/(.+):([^:\]]+)$/.exec(spec);
  if (tcp) {
    if (!HOST.test(tcp[1]!)) throw badCheck(spec, `"${tcp[1]}" is not a host`);
    return { spec, kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: port(spec, tcp[2]!) };
  }
  if (/^https?:\/\//.test(spec)) {
    try {
      new URL(spec);
    } catch {
      throw badCheck(spec, 'not a URL');
    }
    if (/\s/.test(spec)) throw badCheck(spec, 'not a URL');
    return { spec, kind: 'http', url: spec };
  }
  const [kind, value = ''] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
  if (kind === 'dns') {
    if (!HOST.test(value)) throw badCheck(spec, `"${value}" is not a host name`);
    return { spec, kind: 'dns', name: value };
  }
  if (kind === 'process') {
    if (!value || /[\s/]/.test(value)) throw badCheck(spec, 'give a process name');
    return { spec, kind: 'process', name: value };
  }
  if (kind === 'port') return { spec, kind: 'port', port: port(spec, value) };
  throw badCheck(spec, 'unknown kind');
}

/** Three words per in-target probe for collect.sh: KIND A B. */
export function probeArgs(checks: CheckSpec[]): string[] {
  return checks.flatMap((c) => {
    if (c.kind === 'tcp') return ['tcp', c.host, String(c.port)];
    if (c.kind === 'http') return ['http', c.url, '-'];
    if (c.kind === 'dns') return ['dns', c.name, '-'];
    return [];
  });
}

interface ProbeOutput {
  kind: string;
  status: number;
  durationMs: number;
  subject: string;
  output: string[];
}

function probeReason(c: CheckSpec, probe: ProbeOutput): string {
  const text = probe.output.join(' ').trim();
  if (c.kind === 'tcp') return probe.status === 0 ? `connected to ${c.host}:${c.port}` : text || `cannot connect to ${c.host}:${c.port} (refused or timed out)`;
  if (c.kind === 'http') {
    const statuses = [...text.matchAll(/HTTP\/[\d.]+ (\d{3}[^\r\n]*?)(?=\s+HTTP\/|\s+[A-Z][\w-]*:|$)/g)].map((m) => m[1]!.trim());
    const last = statuses.at(-1);
    if (probe.status === 0) return last ? `HTTP ${last}` : 'HTTP status < 400';
    return last ? `HTTP ${last}` : text.replace(/^wget: /, '') || 'no response (timed out)';
  }
  if (probe.status === 0) {
    const address = /hosts: (\S+)/.exec(text)?.[1] ?? [...text.matchAll(/Address(?: \d+)?:\s*(\S+)/g)].map((m) => m[1]).at(-1);
    return address ? `resolves to ${address}` : 'resolves';
  }
  return `cannot resolve ${c.kind === 'dns' ? c.name : ''}: ${text.split(/\s{2,}/).at(-1) || 'no answer'}`.trim();
}

/** Judges every check: probes from their output, process/port from what was collected. */
export function judgeChecks(checks: CheckSpec[], probes: ProbeOutput[], processes: RawProcess[], listening: ListeningSocket[]): CheckResult[] {
  let next = 0;
  return checks.map((c) => {
    if (c.kind === 'process') {
      const match = processes.find((p) => {
        const argv0 = p.command.split(' ')[0] ?? '';
        return argv0.split('/').pop() === c.name || p.command === `[${c.name}]`;
      });
      return { spec: c.spec, kind: c.kind, ok: Boolean(match), reason: match ? `running as pid ${match.pid}` : `no process named ${c.name}`, durationMs: 0 };
    }
    if (c.kind === 'port') {
      const socket = listening.find((s) => s.port === c.port);
      const reason = socket ? `${socket.protocol} ${socket.address}:${socket.port}${socket.process ? ` (${socket.process})` : ''}` : `nothing listens on port ${c.port}`;
      return { spec: c.spec, kind: c.kind, ok: Boolean(socket), reason, durationMs: 0 };
    }
    const probe = probes[next++];
    if (!probe) return { spec: c.spec, kind: c.kind, ok: false, reason: 'not probed (the diagnosis timed out)', durationMs: 0 };
    return { spec: c.spec, kind: c.kind, ok: probe.status === 0, reason: probeReason(c, probe), durationMs: probe.durationMs };
  });
}
