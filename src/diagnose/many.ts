/**
 * `sidekick diagnose deploy/NAME`: every pod of a workload, a few at a time (each is a debugger on the
 * cluster and a collector run), one report or one failure per pod, in the pods' order.
 */
import type { Runtime, Target } from '../runtimes/runtime.js';
import type { Cleanup } from '../session/interrupts.js';
import { diagnose, type DiagnoseOptions } from './diagnose.js';
import type { Report } from './report.js';

/** How many pods are diagnosed at once: enough for a large deployment, gentle on the API and nodes. */
export const PARALLEL = 4;

export type Outcome = { target: Target; report: Report } | { target: Target; error: unknown };

export async function diagnoseAll(runtime: Runtime, targets: Target[], opts: DiagnoseOptions, cleanup: Cleanup, limit = PARALLEL): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length && !cleanup.interruptedBy) {
      const i = next++;
      const target = targets[i]!;
      try {
        outcomes[i] = { target, report: await diagnose(runtime, target, opts, cleanup.scope()) };
      } catch (error) {
        outcomes[i] = { target, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  return outcomes.filter(Boolean);
}
