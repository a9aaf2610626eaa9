/**
 * The engines the contract scenarios run on, and what each scenario needs of them (nerdctl's test
 * suite's `Require:`): a scenario runs on every engine that has what it needs; on the others it is not
 * registered at all, and one line on the console says where and why ("n/a on kubernetes: ..."), so
 * nothing is skipped silently. nerdctl runs twice (its bridge, --net none) where it is built.
 * SIDEKICK_TEST_ENGINES=docker,podman limits the run to some engines.
 */
import { afterAll, it } from 'vitest';
import { lacking, type Capability } from '../helpers/capabilities.js';
import { containerdEngine } from '../helpers/containerd-engine.js';
import { dockerEngine, eventually, podmanEngine, type StartedTarget, type TestEngine } from '../helpers/engines.js';
import { kubernetesEngine } from '../helpers/kube-engine.js';
import { nerdctlColumns } from '../helpers/nerdctl-engine.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';

export type { Capability } from '../helpers/capabilities.js';

const chosen = (e: TestEngine) => !process.env.SIDEKICK_TEST_ENGINES || process.env.SIDEKICK_TEST_ENGINES.split(',').includes(e.name);

/** The local engines (Docker, Podman, containerd, nerdctl): scenarios that use this list run on each. */
export const ENGINES: TestEngine[] = [dockerEngine, podmanEngine, containerdEngine, ...nerdctlColumns()].filter(chosen);

/** Every engine, Kubernetes included: take them through requires(), which leaves out those a scenario cannot run on. */
export const ALL_ENGINES: TestEngine[] = [...ENGINES, ...[kubernetesEngine].filter(chosen)];

// The test file's pods go with its namespace once the file is done.
afterAll(() => kubernetesEngine.dispose());

const said = new Set<string>();
/** One console line per engine and scenario that is not applicable there. */
function notApplicable(engine: TestEngine, what: string, why: string): void {
  const line = `n/a on ${engine.name}: ${what}: ${why && why !== '-' ? why : `not a thing on ${engine.name}`}`;
  if (said.has(line)) return;
  said.add(line);
  console.log(line);
}

/**
 * The engines that have every capability named; each one left out is named on the console with the
 * reason. `describe.each(requires('networks'))(...)`; the scenario's words go in `what`.
 */
export function requires(...needs: Capability[]): TestEngine[] {
  return requiresFor(needs.join(', '), ...needs);
}

/** As requires(), with the scenario's title in the n/a line. */
export function requiresFor(what: string, ...needs: Capability[]): TestEngine[] {
  return ALL_ENGINES.filter((engine) => {
    const why = lacking(engine.column, needs);
    if (why !== undefined) notApplicable(engine, what, why);
    return why === undefined;
  });
}

/** Whether the engine has these, for an expectation that holds only where it does. */
export function has(engine: TestEngine, ...needs: Capability[]): boolean {
  return lacking(engine.column, needs) === undefined;
}

/** The engines a scenario of the support matrix runs on (scenarios.ts): requires() with its needs. */
export function forScenario(id: ScenarioId): TestEngine[] {
  const scenario = SCENARIOS[id];
  return requiresFor(scenario.title.split(/ \(|: |; /)[0]!, ...scenario.needs);
}

type TestBody = () => Promise<void> | void;

/**
 * `it`, on an engine that has what this one test needs; elsewhere the test is not registered and the
 * console says so: `itIf(engine, 'idPrefix')('finds the target by ID prefix', ...)`.
 */
export function itIf(engine: TestEngine, ...needs: Capability[]): (title: string, fn: TestBody, timeout?: number) => void {
  const why = lacking(engine.column, needs);
  if (why === undefined) return (title, fn, timeout) => it(title, fn, timeout);
  return (title) => notApplicable(engine, title, why);
}

/**
 * The debuggers of these targets: they are named after their target, so counting only ours keeps
 * other sessions on a shared engine out of the picture.
 */
export async function debuggersOf(engine: TestEngine, targets: StartedTarget[]): Promise<string[]> {
  return (await engine.debuggers()).filter((name) => targets.some((t) => name.includes(`sidekick-${t.name}-`)));
}

/**
 * The debuggers of these targets still there once none should be: checked for a short while where a
 * session removes its debugger before it ends (Docker's AutoRemove may have begun the removal the
 * CLI then finds in progress, answered 409: the engine finishes it a moment after the CLI's exit,
 * and a leaked debugger stays longer than that), and again until the kubelet's status lag is over
 * where only the debugger's processes are ended (ephemeral containers, which stay in the pod).
 */
export async function debuggersLeft(engine: TestEngine, targets: StartedTarget[]): Promise<string[]> {
  let left: string[] = [];
  await eventually(async () => (left = await debuggersOf(engine, targets)).length === 0, has(engine, 'removableDebuggers') ? 5_000 : 20_000);
  return left;
}
