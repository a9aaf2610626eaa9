/**
 * A session in a stopped, exited or crashed container (Docker and Podman): the debugger runs in a
 * disposable copy of its filesystem, and the original is never started or written to.
 *
 * How: the container is committed to a temporary image (its writable layer included, so files the
 * app wrote before it crashed are there), and the debugger is a container of that image: the copy is
 * its own root, with the toolkit's programs mounted at TOOLKIT_MOUNT (the entry script runs the
 * toolkit's sh from there and puts it first on PATH, SIDEKICK_TOOLKIT), the container's hostname, and
 * no network. The target's configured env, user and command still come from Target.config, so the
 * session is otherwise the same as on a running container. One container, not a sleeping "holder"
 * and a debugger joining it: a container with a network namespace of its own takes ~130 ms more to
 * start here than one that joins another's, and the holder paid that before the debugger's own start.
 * The copy's programs may be none: Podman mounts the toolkit image (`type=image`); Docker 20.10
 * cannot, so the toolkit's /bin is bound from its overlay2 layer on this machine, or else a volume is
 * filled with it (Docker copies an image's content into an empty volume at container creation).
 * Everything made is named after the debugger, so the reaper's recipe (copyCleanup) is known before
 * the first step, and carries sidekick's labels; all of it is removed at the end. The original's
 * binds and named volumes are mounted again, read-only, and its tmpfs mounts fresh (copy-mounts.ts).
 */
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { debugLog } from '../../log.js';
import type { Endpoint } from '../endpoint.js';
import { applyPullPolicy, pullForbidden } from '../errors.js';
import { LABEL, type CleanupRecipe, type Debugger, type DebuggerSpec, type DebuggerStreams, type Launched, type LaunchOptions, type Progress, type Target } from '../runtime.js';
import { copyMounts } from './copy-mounts.js';
import { createContainer, debuggerOptions } from './create.js';
import { dockerDebugger } from './debugger.js';
import { engineMessage, statusOf } from './errors.js';
import { asConfiguredUser } from '../target-config.js';
import { pullImage } from './pull.js';
import { formatAddress, type EngineName } from '../address.js';
import type { DockerFlavor, DockerTargetState } from './runtime.js';

export const ROLE_COPY = 'copy';
// Where the debugger finds the toolkit's programs (its /bin) in the copy.
const TOOLKIT_MOUNT = '/.sidekick';
const TOOLKIT_SH = `${TOOLKIT_MOUNT}/bin/sh`;
const COPY_REPO = 'sidekick-copy';

export interface CopyContext {
  docker: Docker;
  flavor: DockerFlavor;
  endpoint: Endpoint;
  /** runs an engine call, turning connection failures into one-line errors */
  call<T>(what: Promise<T>): Promise<T>;
}

type Kind = 'containers' | 'images' | 'volumes';

/** The names of what a copy session makes, all derived from the debugger's name. */
function copyNames(spec: DebuggerSpec) {
  return { filler: `${spec.name}-fill`, volume: `${spec.name}-toolkit`, image: `${COPY_REPO}:${spec.name}` };
}

/** Removes the debugger and everything its copy needed, in that order: for the reaper. */
export function copyCleanup(endpoint: Endpoint, spec: DebuggerSpec): CleanupRecipe {
  const n = copyNames(spec);
  const steps: Array<[Kind, string]> = [
    ['containers', spec.name],
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
  const { docker, flavor } = ctx;
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
    const env = { ...asConfiguredUser(target.config, spec), SIDEKICK_TARGET_ROOT: '/', SIDEKICK_TOOLKIT: TOOLKIT_MOUNT };
    const state = target.engineState as DockerTargetState | undefined;
    // a remote engine's bind sources cannot be checked from here: the engine says if one is gone
    const local = Boolean(ctx.endpoint.socketPath);
    const { skipped, Mounts: mounts, Tmpfs } = copyMounts(state?.mounts, state?.tmpfs, (path) => !local || existsSync(path));
    for (const why of skipped) debugLog(`copy of ${target.address}: left out ${why}`);
    const options = debuggerOptions({ ...spec, env }, committed.Id, TOOLKIT_SH, {
      NetworkMode: 'none',
      ...toolkitMount,
      Mounts: [...(toolkitMount.Mounts ?? []), ...mounts],
      Tmpfs,
    });
    options.Hostname = state?.hostname;
    // root unless the profile says otherwise, as with the toolkit's image: never the copy's USER
    options.User ??= '0:0';
    options.Healthcheck = { Test: ['NONE'] };
    const container = await ctx.call(createContainer(docker, options)).catch((e: unknown) => {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot create a copy of ${target.address}: ${engineMessage(e)}`, { cause: e });
    });
    const dbg = dockerDebugger({
      docker,
      container,
      spec,
      notes: [],
      endpoint: ctx.endpoint,
      label: flavor.label,
      call: ctx.call,
      address: formatAddress(flavor.engine, container.id),
      exitOnStreamEnd: flavor.slowWait,
    });
    const { withDetachNotice } = await import('./attach.js');
    return {
      ...withDetachNotice(dbg, spec, flavor),
      launch: (options) => launchWithToolkitCheck(dbg, spec, options),
      orphanCleanup: copyCleanup(ctx.endpoint, spec),
      remove: async () => {
        await dbg.remove();
        // the engine may still be removing it (AutoRemove): its image cannot go before it
        await untilRemoved(container);
        await removeMade();
      },
    };
  } catch (e) {
    await removeMade();
    throw e;
  }
}

/**
 * The line the runtime writes, as the debugger's first output, when the toolkit's sh cannot run in
 * the copy: a dynamically linked toolkit, whose loader and libraries are not in the copy's root.
 */
const TOOLKIT_SH_FAILED = `exec ${TOOLKIT_SH}: `;

/** Launches the debugger; that line, if it comes first, becomes the session's one-line error. */
async function launchWithToolkitCheck(dbg: Debugger, spec: DebuggerSpec, options: LaunchOptions = {}): Promise<Launched> {
  let failed = false;
  const watch = (from: Readable): Readable => {
    let first = true;
    return from.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (first && chunk.toString('latin1').startsWith(TOOLKIT_SH_FAILED)) failed = true;
          first = false;
          done(null, failed ? undefined : chunk);
        },
      }),
    );
  };
  const watched = (streams: DebuggerStreams): DebuggerStreams =>
    spec.tty ? { ...streams, stdout: watch(streams.stdout) } : { ...streams, stderr: streams.stderr && watch(streams.stderr) };
  let streams: DebuggerStreams | undefined;
  const launched = await dbg.launch({
    attached: (s) => {
      streams = watched(s);
      options.attached?.(streams);
    },
  });
  streams ??= watched(launched.streams);
  const exited = launched.exited.then(async (code) => {
    await streams!.ended;
    if (!failed) return code;
    throw new UserError(`the toolkit ${spec.image} cannot run inside the copy: its sh is dynamically linked`, {
      hint: 'use a statically linked toolkit for stopped containers, e.g. --image busybox:musl',
      kind: 'toolkit',
    });
  });
  return { streams, exited };
}

/** Waits (a few seconds at most) until the engine has removed the container. */
async function untilRemoved(container: Docker.Container): Promise<void> {
  const removed = container.wait({ condition: 'removed' }).catch(() => undefined);
  await Promise.race([removed, new Promise((r) => setTimeout(r, 5000).unref())]);
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
  const dir = layers.find((d) => existsSync(join(d, TOOLKIT_SH.slice(TOOLKIT_MOUNT.length))));
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
