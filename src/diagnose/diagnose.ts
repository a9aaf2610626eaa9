/**
 * Gathers a Report: one toolkit sidecar runs collect.sh inside the target (no TTY), the engine adds
 * its metadata, and the raw text is parsed into the report's sections.
 */
import { buildDebuggerSpec } from '../entry/debugger-spec.js';
import type { Runtime, Target, TargetDetails } from '../runtimes/runtime.js';
import { captureRun } from '../session/capture.js';
import { createGuardedDebugger, sessionOwner } from '../session/guard.js';
import type { Cleanup } from '../session/interrupts.js';
import { judgeChecks, probeArgs, type CheckSpec } from './checks.js';
import collectScript from './collect.sh?raw';
import {
  parseCheckOutput,
  parseInterfaces,
  parseLimits,
  parseMounts,
  parsePasswd,
  parseProcesses,
  parseResolvConf,
  parseSockets,
  redactEnvironment,
  splitSections,
  targetEnvironment,
  withoutDebugger,
} from './parse.js';
import { SCHEMA_VERSION, type Report } from './report.js';

export interface DiagnoseOptions {
  image: string;
  pull: 'missing' | 'always' | 'never';
  checks: CheckSpec[];
  /** per-probe timeout in seconds */
  probeTimeout: number;
  /** the whole diagnosis, in milliseconds */
  totalTimeoutMs: number;
  quiet: boolean;
  /** the debugger's security profile (src/runtimes/security.ts) */
  profile?: string;
}

export async function diagnose(runtime: Runtime, target: Target, opts: DiagnoseOptions, cleanup: Cleanup): Promise<Report> {
  const started = Date.now();
  const details = runtime.describeTarget ? runtime.describeTarget(target) : Promise.resolve(undefined);
  // nothing runs: what the engine knows is the report (no debugger, no copy)
  if (target.stopped) return assembleStopped(target, await details.catch(() => undefined), opts.checks, started);
  const spec = buildDebuggerSpec(
    target,
    {
      image: opts.image,
      pull: opts.pull,
      profile: opts.profile,
      interactive: false,
      tty: false,
      command: ['sh', '-c', collectScript, 'collect', String(opts.probeTimeout), ...probeArgs(opts.checks)],
    },
    { stdinIsTTY: false, localEnv: {}, owner: sessionOwner() },
  );
  const dbg = await createGuardedDebugger(runtime, target, spec, cleanup, opts.quiet);
  const run = await captureRun(dbg, opts.totalTimeoutMs);
  return assemble(target, await details.catch(() => undefined), run.stdout, opts.checks, started, run.stderr);
}

/** What the engine knows of a target that does not run; every check fails, since nothing answers it. */
export function assembleStopped(target: Target, details: TargetDetails | undefined, checks: CheckSpec[], started: number): Report {
  const stopped = target.stopped!;
  const ended = stopped.state === 'exited' ? `exited (code ${details?.exitCode ?? stopped.exitCode})` : stopped.state;
  const oom = details?.oomKilled ? ', killed for lack of memory (OOM)' : '';
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    target: {
      ...identity(target, details, undefined),
      exitCode: details?.exitCode !== undefined ? details.exitCode : stopped.state === 'exited' ? stopped.exitCode : null,
      oomKilled: details?.oomKilled ?? null,
      finishedAt: details?.finishedAt ?? null,
    },
    processes: [],
    network: { interfaces: [], routes: [], listening: [], unixListening: [], established: { tcp: 0 }, resolvConf: { nameservers: [], search: [], options: [] } },
    filesystem: { mounts: [] },
    environment: redactEnvironment(targetEnvironment(target.config?.env, [])),
    limits: {
      cgroupVersion: null,
      memory: { limitBytes: details?.memoryLimit ?? null, usageBytes: null, oomKills: details?.oomKilled == null ? null : details.oomKilled ? 1 : 0 },
      cpu: { quotaCores: null },
      pids: { limit: null, current: null },
      openFiles: { pid1: null, limit: null },
    },
    checks: checks.map((c) => ({ spec: c.spec, kind: c.kind, ok: false, reason: `the target is ${ended}`, durationMs: 0 })),
    warnings: [`the target is ${ended}${oom}: nothing runs to diagnose, so this is what ${target.engine} says of it (state, exit code, configuration, environment); sidekick exec ${target.address} opens a copy of its filesystem`],
  };
}

/** The report's identity section: the engine's details, else what finding the target and PID 1 told. */
function identity(target: Target, details: TargetDetails | undefined, pid1: { command: string; user: string } | undefined): Report['target'] {
  return {
    address: target.address,
    engine: target.engine,
    id: target.id,
    name: target.name,
    image: details?.image ?? target.image,
    entrypoint: details?.entrypoint ?? [],
    command: details?.command ?? (pid1 ? pid1.command.split(' ') : []),
    user: details?.user || (pid1?.user ?? ''),
    startedAt: details?.startedAt ?? null,
    restartCount: details?.restartCount ?? 0,
    state: details?.state ?? (target.running ? 'running' : 'unknown'),
  };
}

export function assemble(target: Target, details: TargetDetails | undefined, raw: string, checks: CheckSpec[], started: number, stderr = ''): Report {
  const s = splitSections(raw);
  const warnings: string[] = [];
  if (!s.has('end')) warnings.push(`the collector stopped early${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`);
  const users = parsePasswd(s.get('passwd'));
  const self = Number(s.get('self')?.[0] ?? 0);
  const all = parseProcesses(s.get('processes'), users);
  const processes = withoutDebugger(all, self);
  const sockets = parseSockets(s, processes);
  const pid1 = processes.find((p) => p.pid === 1);
  const limits = parseLimits(s.get('cgroup'), s.get('limits'), pid1 ? pid1.fds.length : null);
  if (limits.cgroupVersion === null) warnings.push("the target's cgroup files are not visible: limits and OOM kills are unknown");
  if (details?.memoryLimit && limits.memory.limitBytes === null) limits.memory.limitBytes = details.memoryLimit;

  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    target: identity(target, details, pid1),
    processes: processes.map(({ fds: _fds, ...p }) => p),
    network: {
      interfaces: parseInterfaces(s.get('addresses')),
      routes: s.get('routes') ?? [],
      listening: sockets.listening,
      unixListening: sockets.unixListening,
      established: { tcp: sockets.establishedTcp },
      resolvConf: parseResolvConf(s.get('resolv')),
    },
    filesystem: { mounts: parseMounts(s.get('mounts'), s.get('space')) },
    environment: redactEnvironment(targetEnvironment(target.config?.env, s.get('environ'))),
    limits,
    checks: judgeChecks(checks, parseCheckOutput(s.get('checks')), processes, sockets.listening),
    warnings,
  };
}
