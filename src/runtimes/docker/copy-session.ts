/**
 * A session in a stopped, exited or crashed container (Docker and Podman): the debugger runs in a
 * disposable copy of its filesystem, and the original is never started or written to.
 *
 * How: the container is committed to a temporary image (its writable layer included, so files the
 * app wrote before it crashed are there), and a "holder" container of that image keeps a sleeping
 * PID 1 with the container's hostname and workdir. The usual debugger then joins the holder as if it
 * were a running target (the target's configured env, user and command still come from Target.config),
 * so the session is the same as on a running container.
 * The holder's sleep comes from the toolkit image, as the copy may have no program of its own:
 * Podman mounts the toolkit image (`type=image`); Docker 20.10 cannot, so the toolkit's /bin is
 * bound from its overlay2 layer on this machine, or else a volume is filled with it (Docker copies
 * an image's content into an empty volume at container creation).
 * Everything made is named after the debugger, so the reaper's recipe (copyCleanup) is known before
 * the first step, and carries sidekick's labels; all of it is removed at the end.
 */
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { Endpoint } from '../endpoint.js';
import { applyPullPolicy, pullForbidden } from '../errors.js';
import { LABEL, type CleanupRecipe, type Debugger, type DebuggerSpec, type Progress, type Target } from '../runtime.js';
import { createContainer } from './create.js';
import { engineMessage, statusOf } from './errors.js';
import { asConfiguredUser } from '../target-config.js';
import { pullImage } from './pull.js';
import type { EngineName } from '../address.js';
import type { DockerFlavor, DockerTargetState } from './runtime.js';

export const ROLE_COPY = 'copy';
// Where the holder finds the toolkit's programs (its /bin).
const TOOLKIT_MOUNT = '/.sidekick';
const HOLDER_ARGV = [`${TOOLKIT_MOUNT}/bin/sleep`, '2147483647'];
const COPY_REPO = 'sidekick-copy';

export interface CopyContext {
  docker: Docker;
  flavor: DockerFlavor;
  endpoint: Endpoint;
  /** the usual debugger, created against a running container */
  createDebugger(target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger>;
}

type Kind = 'containers' | 'images' | 'volumes';

/** The names of what a copy session makes, all derived from the debugger's name. */
function copyNames(spec: DebuggerSpec) {
  return { holder: `${spec.name}-copy`, filler: `${spec.name}-fill`, volume: `${spec.name}-toolkit`, image: `${COPY_REPO}:${spec.name}` };
}

/** Removes the debugger and everything its copy needed, in that order: for the reaper. */
export function copyCleanup(endpoint: Endpoint, spec: DebuggerSpec): CleanupRecipe {
  const n = copyNames(spec);
  const steps: Array<[Kind, string]> = [
    ['containers', spec.name],
    ['containers', n.holder],
    ['containers', n.filler],
    ['images', n.image],
    ['volumes', n.volume],
  ];
  return {
    kind: 'sequence',
    steps: steps.map(([kind, id]) => ({
      kind: 'http',
      socketPath: endpoint.socketPath,
      host: endpoint.host,
      port: endpoint.port,
      method: 'DELETE',
      path: `/${kind}/${encodeURIComponent(id)}?force=true${kind === 'containers' ? '&v=true' : ''}`,
    })),
  };
}

/** A local image as a target (image://REF): what it would run, from its config. */
export function imageTarget(engine: EngineName, ref: string, info: Docker.ImageInspectInfo | undefined): Target | undefined {
  if (!info) return undefined;
  const asList = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? (v as string[]) : [String(v)]);
  return {
    engine,
    address: `image://${ref}`,
    id: info.Id,
    name: ref.replace(/^.*\//, '').replace(/[^a-zA-Z0-9_.-]/g, '-'),
    image: ref,
    running: false,
    stopped: { state: 'image', exitCode: 0 },
    engineState: { ipcMode: '', image: true } satisfies DockerTargetState,
    config: {
      env: info.Config?.Env ?? [],
      user: info.Config?.User || undefined,
      workdir: info.Config?.WorkingDir || undefined,
      command: [...asList(info.Config?.Entrypoint), ...asList(info.Config?.Cmd)],
      unknown: [],
    },
  };
}

export async function createCopyDebugger(ctx: CopyContext, target: Target, spec: DebuggerSpec, progress: Progress): Promise<Debugger> {
  const { docker } = ctx;
  const names = copyNames(spec);
  const made: Array<[Kind, string]> = [];
  const labels = { ...spec.labels, [LABEL.role]: ROLE_COPY };
  const removeMade = async () => {
    for (const thing of made.splice(0).reverse()) await removeThing(docker, thing);
  };
  try {
    await ensureToolkit(ctx, spec, progress);
    const t0 = Date.now();
    // An image target (image://) is used as it is: nothing to commit.
    const committed = (target.engineState as DockerTargetState | undefined)?.image ? { Id: target.id } : await commit(ctx, target, spec, made);
    debugLog(`copy of ${target.address} from ${committed.Id.slice(0, 19)} after ${Date.now() - t0} ms`);

    const toolkitMount = await mountToolkit(ctx, spec, names, labels, made);
    const holder = await createContainer(docker, {
      name: names.holder,
      Image: committed.Id,
      Entrypoint: HOLDER_ARGV,
      Cmd: [],
      Hostname: (target.engineState as DockerTargetState | undefined)?.hostname,
      Labels: labels,
      Healthcheck: { Test: ['NONE'] },
      HostConfig: { NetworkMode: 'none', IpcMode: 'shareable', ...toolkitMount },
    }).catch((e: unknown) => {
      throw new UserError(`cannot create a copy of ${target.address}: ${engineMessage(e)}`, { cause: e });
    });
    made.push(['containers', holder.id]);
    await holder.start().catch((e: unknown) => {
      throw new UserError(`cannot start the copy of ${target.address}: ${engineMessage(e)}`, {
        hint: `its PID 1 is the toolkit's ${HOLDER_ARGV[0]!.slice(TOOLKIT_MOUNT.length)}, which must be statically linked: use e.g. --image busybox:musl`,
        cause: e,
      });
    });
    debugLog(`copy ${holder.id.slice(0, 12)} running, ${Date.now() - t0} ms after the commit began`);

    const copyTarget: Target = { ...target, id: holder.id, running: true, stopped: undefined, engineState: { ipcMode: 'shareable' } satisfies DockerTargetState };
    const dbg = await ctx.createDebugger(copyTarget, { ...spec, env: asConfiguredUser(target.config, spec), pull: 'missing' }, progress);
    return {
      ...dbg,
      orphanCleanup: copyCleanup(ctx.endpoint, spec),
      remove: async () => {
        await dbg.remove();
        await removeMade();
      },
    };
  } catch (e) {
    await removeMade();
    throw e;
  }
}

/** The stopped container, writable layer included, as an image named after the debugger. */
async function commit(ctx: CopyContext, target: Target, spec: DebuggerSpec, made: Array<[Kind, string]>): Promise<{ Id: string }> {
  const committed = (await ctx.docker
    .getContainer(target.id)
    .commit({
      repo: COPY_REPO,
      tag: spec.name,
      pause: false,
      changes: `LABEL ${LABEL.role}=${ROLE_COPY} ${LABEL.target}=${target.id}`,
      comment: `sidekick copy of ${target.address}`,
    })
    .catch((e: unknown) => {
      throw gone(e, target);
    })) as { Id: string };
  made.push(['images', committed.Id]);
  return committed;
}

/** The toolkit must be local before its files can be mounted into the copy. */
async function ensureToolkit(ctx: CopyContext, spec: DebuggerSpec, progress: Progress): Promise<void> {
  const { docker, flavor } = ctx;
  await applyPullPolicy(spec.pull, {
    present: () =>
      docker
        .getImage(spec.image)
        .inspect()
        .then(() => true)
        .catch((e: unknown) => {
          if (statusOf(e) === 404) return false;
          throw e;
        }),
    pull: () => pullImage(docker, spec.image, progress, flavor.label),
    forbidden: () => pullForbidden(spec.image, flavor.label, `"${flavor.cli} pull ${spec.image}"`),
  });
}

/** Puts the toolkit's /bin at TOOLKIT_MOUNT/bin in the copy; returns the holder's HostConfig part. */
async function mountToolkit(
  ctx: CopyContext,
  spec: DebuggerSpec,
  names: ReturnType<typeof copyNames>,
  labels: Record<string, string>,
  made: Array<[Kind, string]>,
): Promise<Docker.HostConfig> {
  const { docker, flavor } = ctx;
  if (flavor.engine === 'podman') {
    return { Mounts: [{ Type: 'image' as 'bind', Source: spec.image, Target: TOOLKIT_MOUNT }] };
  }
  const local = ctx.endpoint.socketPath ? await localToolkitBin(docker, spec.image) : undefined;
  if (local) return { Binds: [`${local}:${TOOLKIT_MOUNT}/bin:ro`] };
  await docker.createVolume({ Name: names.volume, Labels: labels });
  made.push(['volumes', names.volume]);
  // Creating (never starting) a container with the empty volume on /bin makes Docker copy the toolkit's /bin into it.
  const filler = await createContainer(docker, {
    name: names.filler,
    Image: spec.image,
    Entrypoint: ['/bin/true'],
    Labels: labels,
    HostConfig: { Binds: [`${names.volume}:/bin`] },
  });
  await filler.remove({ force: true });
  return { Binds: [`${names.volume}:${TOOLKIT_MOUNT}/bin:ro`] };
}

/**
 * The toolkit's /bin as a directory of this machine, where Docker keeps its image in overlay2 layers
 * (the engine is local: a unix socket): bound read-only, it spares a volume, a filler container and
 * their removal. The image cannot go while its debugger uses it. Undefined where it is not found.
 */
async function localToolkitBin(docker: Docker, image: string): Promise<string | undefined> {
  const info = await docker.getImage(image).inspect().catch(() => undefined);
  const data = info?.GraphDriver?.Name === 'overlay2' ? (info.GraphDriver.Data as Record<string, string | undefined>) : undefined;
  const layers = [data?.UpperDir, ...(data?.LowerDir?.split(':') ?? [])].filter((d): d is string => Boolean(d));
  const dir = layers.find((d) => existsSync(join(d, HOLDER_ARGV[0]!.slice(TOOLKIT_MOUNT.length))));
  return dir && join(dir, 'bin');
}

function gone(e: unknown, target: Target): UserError {
  // removed, or being removed: Docker calls a container it is removing "Dead"
  if (statusOf(e) === 404 || /no such container|which is dead|removal .* in progress|marked for removal/i.test(engineMessage(e))) {
    return new UserError(`target ${target.address} was removed while sidekick was copying it`, {
      hint: 'nothing to debug: check what removed it',
      kind: 'not-found',
      cause: e,
    });
  }
  return new UserError(`cannot copy ${target.address}: ${engineMessage(e)}`, { cause: e });
}

async function removeThing(docker: Docker, [kind, id]: [Kind, string]): Promise<void> {
  const done = (e: unknown) => {
    if (statusOf(e) !== 404) debugLog(`could not remove ${kind} ${id}: ${engineMessage(e)}`);
  };
  if (kind === 'containers') await docker.getContainer(id).remove({ force: true, v: true }).catch(done);
  else if (kind === 'images') await docker.getImage(id).remove({ force: true }).catch(done);
  else await docker.getVolume(id).remove({ force: true }).catch(done);
}
