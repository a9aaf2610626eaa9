/**
 * `sidekick diagnose deploy/NAME [-l SELECTOR]`: a report for every running pod of the workload.
 * Text and markdown: one section per pod; --json: an array of reports; exit code: the worst pod's
 * (2 when a pod could not be diagnosed, its reason on stderr).
 */
import { diagnoseAll } from '../diagnose/many.js';
import type { DiagnoseOptions } from '../diagnose/diagnose.js';
import { isUserError } from '../errors.js';
import { connect } from '../runtimes/engines.js';
import type { TargetAddress } from '../runtimes/runtime.js';
import type { Cleanup } from '../session/interrupts.js';
import { DIAGNOSE_EXIT, exitFor, formatReport, type DiagnoseArgs } from './diagnose.js';

export async function diagnoseWorkload(address: TargetAddress, args: DiagnoseArgs, options: DiagnoseOptions, cleanup: Cleanup): Promise<number> {
  const runtime = await connect(address.engine!, args.engineOptions);
  const targets = runtime.findTargets ? await runtime.findTargets(address) : [await runtime.findTarget(address)];
  if (!args.quiet) process.stderr.write(`sidekick: ${address.workload!.typed} → ${targets.length} running ${targets.length === 1 ? 'pod' : 'pods'}: ${targets.map((t) => t.name).join(', ')}\n`);
  const outcomes = await diagnoseAll(runtime, targets, options, cleanup);
  let worst: number = DIAGNOSE_EXIT.OK;
  const reports = [];
  const sections: string[] = [];
  for (const o of outcomes) {
    if ('report' in o) {
      reports.push(o.report);
      worst = Math.max(worst, exitFor(o.report));
      sections.push(`${args.format === 'markdown' ? '# ' : '━━ '}pod ${o.target.name} (${o.target.address})\n\n${formatReport(o.report, args.format === 'markdown' ? 'markdown' : 'text')}`);
    } else {
      worst = DIAGNOSE_EXIT.CANNOT_DIAGNOSE;
      const why = isUserError(o.error) ? o.error.message : o.error instanceof Error ? o.error.message : String(o.error);
      process.stderr.write(`sidekick: cannot diagnose pod ${o.target.name}: ${why}\n`);
    }
  }
  process.stdout.write(args.format === 'json' ? `${JSON.stringify(reports, null, 2)}\n` : sections.join('\n'));
  return worst;
}
