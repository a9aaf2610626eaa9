/**
 * The engine registry: turns an address into a Runtime and a Target. Engine modules are imported
 * only when needed, so a command pays for the client it uses and nothing else.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isKind, UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { EngineName, TargetAddress } from './address.js';
import type { EngineOptions, FindOptions, Runtime, Target } from './runtime.js';

export type Connector = (options: EngineOptions) => Promise<Runtime>;

const CONNECTORS: Record<EngineName, Connector> = {
  docker: async () => (await import('./docker/connect.js')).connectDocker(),
  podman: async () => (await import('./podman/connect.js')).connectPodman(),
  containerd: async () => (await import('./containerd/connect.js')).connectContainerd(),
  nerdctl: async () => (await import('./containerd/connect.js')).connectNerdctl(),
  kubernetes: async (options) => (await import('./kubernetes/connect.js')).connectKubernetes(options),
};

/** Engines searched for a bare name, in this order. */
const LOCAL_ENGINES: EngineName[] = ['docker', 'podman', 'containerd', 'nerdctl'];

export async function connect(engine: EngineName, options: EngineOptions = {}): Promise<Runtime> {
  return CONNECTORS[engine](options);
}

/**
 * For unit tests of what sits above the seam: engines answered by these connectors instead (an
 * in-memory Runtime, test/helpers/fake-runtime.ts). Returns the undo.
 */
export function replaceConnectors(replacements: Partial<Record<EngineName, Connector>>): () => void {
  const saved = { ...CONNECTORS };
  Object.assign(CONNECTORS, replacements);
  return () => void Object.assign(CONNECTORS, saved);
}

export interface Resolved {
  runtime: Runtime;
  target: Target;
}

/** Finds the target an address names: on its engine, or on every local engine for a bare name. */
export async function resolveTarget(address: TargetAddress, options: EngineOptions = {}, find: FindOptions = {}): Promise<Resolved> {
  if (address.engine) {
    const runtime = await connect(address.engine, options);
    return { runtime, target: await runtime.findTarget(address, find) };
  }
  // every engine but one would check on the toolkit for nothing
  return findOnEveryEngine(address, { ...find, toolkit: undefined });
}

/** A bare name: asked of every local engine at once; exactly one must have it. */
async function findOnEveryEngine(address: TargetAddress, find: FindOptions): Promise<Resolved> {
  const attempts = await Promise.all(
    LOCAL_ENGINES.map(async (engine): Promise<Attempt> => {
      try {
        const runtime = await connect(engine);
        return { engine, runtime, target: await runtime.findTarget(address, find) };
      } catch (error) {
        return { engine, error };
      }
    }),
  );
  return pickFound(address.name, attempts);
}

/** What one engine answered for a bare name: the target, or why not. */
export type Attempt = { engine: EngineName } & ({ runtime: Runtime; target: Target } | { error: unknown });

/**
 * The one engine that has the name, or the failure that explains best why none does: a real problem
 * on one engine (it is not running, the prefix is ambiguous) beats "not found", and "not found"
 * names the engines that could be searched.
 */
export function pickFound(name: string, attempts: readonly Attempt[]): Resolved {
  const found = attempts.filter((a): a is Attempt & Resolved => 'target' in a);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new UserError(`"${name}" is on several engines: ${found.map((f) => f.target.address).join(', ')}`, {
      hint: 'use one of these full addresses',
      kind: 'ambiguous',
    });
  }
  const problems = attempts.map((a) => ('error' in a ? a.error : undefined));
  const specific = problems.find((e) => e instanceof UserError && !isKind(e, 'not-found', 'unreachable'));
  if (specific) throw specific;
  const reachable = attempts.filter((_, i) => !isKind(problems[i], 'unreachable', 'denied'));
  if (reachable.length === 0) {
    const first = problems.find((e) => e instanceof UserError) as UserError | undefined;
    throw new UserError(`no container engine is reachable (searched ${attempts.map((a) => a.engine).join(', ')})`, {
      hint: first?.line ?? 'start one, or give a full address such as docker://NAME',
      kind: 'unreachable',
    });
  }
  for (const [i, a] of attempts.entries()) debugLog(`${a.engine}: ${problems[i] instanceof Error ? (problems[i] as Error).message : 'no match'}`);
  throw new UserError(`no container "${name}" on ${reachable.map((a) => a.engine).join(' or ')}`, {
    hint: 'list running containers with "sidekick targets"',
    kind: 'not-found',
  });
}

/** Kubernetes joins the listings when a cluster is configured, as kubectl would find one. */
function kubernetesConfigured(options: EngineOptions): boolean {
  return Boolean(
    options.kubeconfig || options.context || process.env.KUBECONFIG || process.env.KUBERNETES_SERVICE_HOST || existsSync(join(homedir(), '.kube', 'config')),
  );
}

/**
 * Asks every reachable engine at once (for listings); an engine that cannot be reached is left out
 * and named under --debug.
 */
export async function onEveryEngine<T>(options: EngineOptions, ask: (runtime: Runtime) => Promise<T[]>): Promise<T[]> {
  const engines: EngineName[] = options.listOn ? [options.listOn] : [...LOCAL_ENGINES, ...(kubernetesConfigured(options) ? (['kubernetes'] as const) : [])];
  const answers = await Promise.all(
    engines.map(async (engine) => {
      try {
        return await ask(await connect(engine, options));
      } catch (e) {
        // the one engine asked for by name: not answering is the answer
        if (options.listOn) throw e;
        debugLog(`${engine}: skipped (${e instanceof UserError ? e.line : String(e)})`);
        return [];
      }
    }),
  );
  return answers.flat();
}
