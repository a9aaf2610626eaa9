/**
 * The engine registry: turns an address into a Runtime and a Target. Engine modules are imported
 * only when needed, so a command pays for the client it uses and nothing else.
 */
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { EngineName, TargetAddress } from './address.js';
import type { Runtime, Target } from './runtime.js';

type Connector = () => Promise<Runtime>;

const CONNECTORS: Partial<Record<EngineName, Connector>> = {
  docker: async () => (await import('./docker/index.js')).connectDocker(),
};

/** Engines searched for a bare name, in this order. */
const LOCAL_ENGINES: EngineName[] = ['docker'];

export async function connect(engine: EngineName): Promise<Runtime> {
  const connector = CONNECTORS[engine];
  if (!connector) {
    throw new UserError(`the ${engine} engine is not supported yet`, { hint: 'use a docker:// address or a bare container name' });
  }
  const runtime = await connector();
  debugLog(`${engine}: using ${runtime.endpoint}`);
  return runtime;
}

export interface Resolved {
  runtime: Runtime;
  target: Target;
}

/** Finds the target an address names: on its engine, or on every local engine for a bare name. */
export async function resolveTarget(address: TargetAddress): Promise<Resolved> {
  if (address.engine) {
    const runtime = await connect(address.engine);
    return { runtime, target: await runtime.findTarget(address) };
  }
  if (LOCAL_ENGINES.length === 1) {
    const runtime = await connect(LOCAL_ENGINES[0]!);
    return { runtime, target: await runtime.findTarget(address) };
  }
  throw new UserError('bare names on several engines are not supported yet');
}

export function supportedEngines(): EngineName[] {
  return Object.keys(CONNECTORS) as EngineName[];
}
