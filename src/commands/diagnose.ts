/**
 * `sidekick diagnose TARGET`: what runs in the target, what it listens on, what it can reach, how close
 * it is to its limits, and whether anything was OOM-killed. Exit 0: all checks pass; 1: a check
 * failed; 2: sidekick could not diagnose (the reason on stderr).
 */
import { parseCheck } from '../diagnose/checks.js';
import { diagnose } from '../diagnose/diagnose.js';
import { formatMarkdown, formatText, useColour } from '../diagnose/format.js';
import { parseDuration } from '../duration.js';
import { UserError, isUserError } from '../errors.js';
import { parseAddress } from '../runtimes/address.js';
import { resolveTarget } from '../runtimes/engines.js';
import type { EngineOptions } from '../runtimes/runtime.js';
import { withCleanup, type Cleanup } from '../session/interrupts.js';
import { targetRuns, type Report } from '../diagnose/report.js';

export const DIAGNOSE_EXIT = { OK: 0, CHECK_FAILED: 1, CANNOT_DIAGNOSE: 2 } as const;

export interface DiagnoseArgs {
  target: string;
  format: 'text' | 'json' | 'markdown';
  checks: string[];
  timeout: string;
  image: string;
  pull: 'missing' | 'always' | 'never';
  quiet: boolean;
  engineOptions?: EngineOptions;
}

export async function diagnoseCommand(args: DiagnoseArgs): Promise<number> {
  try {
    return await withCleanup({ quiet: args.quiet }, (cleanup) => run(args, cleanup));
  } catch (e) {
    // Whatever stopped the diagnosis, scripts see exit 2.
    if (isUserError(e)) throw new UserError(e.message, { hint: e.hint, exitCode: DIAGNOSE_EXIT.CANNOT_DIAGNOSE, cause: e.cause });
    throw new UserError(`cannot diagnose: ${e instanceof Error ? e.message : String(e)}`, { exitCode: DIAGNOSE_EXIT.CANNOT_DIAGNOSE, cause: e });
  }
}

async function run(args: DiagnoseArgs, cleanup: Cleanup): Promise<number> {
  const checks = args.checks.map(parseCheck);
  const totalTimeoutMs = parseDuration(args.timeout);
  const options = {
    image: args.image,
    pull: args.pull,
    checks,
    probeTimeout: Math.max(1, Math.min(5, Math.floor(totalTimeoutMs / 2000))),
    totalTimeoutMs,
    quiet: args.quiet || args.format !== 'text',
    profile: args.engineOptions?.profile,
  };
  const address = parseAddress(args.target);
  if (address.workload) return (await import('./diagnose-many.js')).diagnoseWorkload(address, args, options, cleanup);
  // a container that does not run is reported too (what its engine knows), not refused
  const { runtime, target } = await resolveTarget(address, args.engineOptions, { copyStopped: true });
  if (target.stopped?.state === 'image') {
    throw new UserError(`${target.address} is an image: nothing runs to diagnose`, { hint: `open a container of it with "sidekick exec ${target.address}"`, kind: 'not-running' });
  }
  const report = await diagnose(runtime, target, options, cleanup);
  process.stdout.write(args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, args.format));
  return exitFor(report);
}

export function formatReport(report: Report, format: 'text' | 'markdown'): string {
  return format === 'markdown' ? formatMarkdown(report) : formatText(report, useColour(process.stdout));
}

/** 1 when a check failed or the target does not run (a script waiting for a healthy target sees it is not). */
export function exitFor(report: Report): number {
  return targetRuns(report) && report.checks.every((c) => c.ok) ? DIAGNOSE_EXIT.OK : DIAGNOSE_EXIT.CHECK_FAILED;
}
