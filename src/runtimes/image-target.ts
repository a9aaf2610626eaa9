/**
 * `sidekick exec image://REF`: a session in a disposable container of a local image, on the first
 * local engine that has it (Docker, then Podman). Only the lookup lives here; the session itself is
 * the copy path of a stopped container without the commit (docker/copy-session.ts).
 */
import { UserError } from '../errors.js';
import { debugLog } from '../log.js';
import type { EngineName } from './address.js';
import { connect, type Resolved } from './engines.js';
import type { PullPolicy } from './runtime.js';

export const IMAGE_SCHEME = 'image://';
const IMAGE_ENGINES: EngineName[] = ['docker', 'podman'];
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

/** The first engine that has the image locally; sidekick pulls no target images. */
export async function resolveImage(ref: string, pull: PullPolicy): Promise<Resolved> {
  const asked: EngineName[] = [];
  for (const engine of IMAGE_ENGINES) {
    try {
      const runtime = await connect(engine);
      const target = await runtime.findImage?.(ref);
      asked.push(engine);
      if (target) return { runtime, target };
    } catch (e) {
      debugLog(`${engine}: ${e instanceof UserError ? e.line : String(e)}`);
    }
  }
  if (!asked.length) throw new UserError(`no engine that runs images is reachable (searched ${IMAGE_ENGINES.join(', ')})`, { kind: 'unreachable' });
  const where = asked.map((e) => (e === 'docker' ? 'Docker' : 'Podman')).join(' or ');
  const why = pull === 'never' ? ' and --pull never forbids pulling' : '';
  throw new UserError(`image ${ref} is not on ${where}${why}`, { hint: `pull or build it first ("${asked[0]} pull ${ref}")`, kind: 'not-found' });
}
