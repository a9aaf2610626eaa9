/**
 * `sidekick exec image://REF`: a session in a disposable container of an image, on the engine
 * `--engine` names, else on the first local engine that has it (Docker, Podman, containerd). Only
 * the lookup (and the pull `--pull` asks for) lives here; the session itself is each engine's copy
 * path of a stopped container, without the commit (docker/copy-session.ts, containerd/copy.ts).
 */
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { EngineName } from './address.js';
import { connect, type Resolved } from './engines.js';
import type { Progress, PullPolicy, Runtime } from './runtime.js';

export const IMAGE_SCHEME = 'image://';
/** The engines that run images, in the order a bare image:// asks them; nerdctl's images are containerd's. */
export const IMAGE_ENGINES = ['docker', 'podman', 'containerd', 'nerdctl'] as const;
const SEARCHED: EngineName[] = ['docker', 'podman', 'containerd'];
const LABELS: Partial<Record<EngineName, string>> = { docker: 'Docker', podman: 'Podman', containerd: 'containerd', nerdctl: 'nerdctl' };
// Docker's reference grammar, loosely: name[:tag][@digest], no spaces or shell-looking characters.
const REFERENCE = /^[a-zA-Z0-9][a-zA-Z0-9_.\-/:@]*$/;

/** The image reference of an image:// address, or undefined for any other address. */
export function imageReference(raw: string): string | undefined {
  if (!raw.startsWith(IMAGE_SCHEME)) return undefined;
  const ref = raw.slice(IMAGE_SCHEME.length);
  if (!REFERENCE.test(ref)) {
    throw new UserError(`malformed image address "${raw}"`, { hint: 'use image://NAME[:TAG], e.g. image://busybox:musl' });
  }
  return ref;
}

export interface ImageOptions {
  pull: PullPolicy;
  /** --engine: the engine that runs the image */
  engine?: EngineName;
  /** pull progress of the image itself */
  progress: Progress;
}

/**
 * The engine that has the image, pulling it first where the policy says: `always` pulls it on the
 * chosen engine (--engine, else the first that answers), `missing` pulls it there when no engine
 * searched has it, `never` only looks.
 */
export async function resolveImage(ref: string, opts: ImageOptions): Promise<Resolved> {
  const engines = opts.engine ? [opts.engine] : SEARCHED;
  const reached: Runtime[] = [];
  for (const engine of engines) {
    try {
      const runtime = await connect(engine);
      // an engine that cannot answer is no candidate (its failure shows under --debug)
      const target = opts.pull === 'always' ? undefined : await runtime.findImage?.(ref);
      reached.push(runtime);
      if (target) return { runtime, target };
      if (opts.pull === 'always') break;
    } catch (e) {
      if (opts.engine) throw e;
      debugLog(`${engine}: ${e instanceof UserError ? e.line : String(e)}`);
    }
  }
  const names = (reached.length ? reached.map((r) => r.engine) : engines).map((e) => LABELS[e] ?? e);
  const where = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('');
  const puller = reached.find((r) => r.pullImage);
  if (!puller) throw new UserError(`no engine that runs images is reachable (searched ${engines.join(', ')})`, { kind: 'unreachable' });
  if (opts.pull === 'never') {
    throw new UserError(`image ${ref} is not on ${where} and --pull never forbids pulling`, {
      hint: `pull or build it first ("${puller.engine === 'containerd' || puller.engine === 'nerdctl' ? 'ctr images pull' : `${puller.engine} pull`} ${ref}")`,
      kind: 'not-found',
    });
  }
  await puller.pullImage!(ref, opts.progress);
  const target = await puller.findImage?.(ref);
  if (!target) throw new UserError(`image ${ref} is not on ${LABELS[puller.engine] ?? puller.engine} after pulling it`, { hint: 'check the reference' });
  return { runtime: puller, target };
}
