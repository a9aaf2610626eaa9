/**
 * `sidekick exec --copy` on the real cluster: a crash-looping distroless pod (the crash fixture exits
 * with code 3 at start), root and non-root, debugged in a copy whose container waits; the original
 * left as it was; the copy deleted at the end, on SIGINT and by the reaper after SIGKILL, kept with
 * --keep (and after SIGKILL only its debugger's processes ended); the node's pulls of the copy's
 * images (init containers included) told as the ephemeral debugger's are, from the local registry;
 * one-line failures (RBAC, a copy that cannot be scheduled, a pod that does not exist) that leave
 * nothing behind.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick, sidekickProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/engines.js';
import { KUBECONFIG, accountKubeconfig, clusterReady, createNamespace, deleteNamespace, kubectl, restrictedKubeconfig, uniqueNamespace } from '../helpers/kube.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-copy');
const NODE = 'sidekick-node';
const PIN = `sidekick.test/${ns}`;
const run = (args: string[], kubeconfig?: string) => sidekick(['exec', '-n', ns, ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []), ...args], { env, timeout: 150_000 });
/** the copies sidekick made in the namespace */
const copies = async () => (await kubectl(['get', 'pods', '-n', ns, '-l', 'io.sidekick.pod-copy', '-o', 'name'])).trim();
const REGISTRY = '127.0.0.1:5055/sidekick/toolkit';
const NOTICE = (pod: string) => new RegExp(`^sidekick: container app of pod ${ns}/${pod} is (in CrashLoopBackOff|terminated) \\(exit code 3[^)]*\\): debugging a copy, pod ${pod}-sidekick-copy-[0-9a-f]{4}, deleted at the end$`, 'm');

interface CrashOptions {
  nonRoot?: boolean;
  /** an init container of this image, run before the crash */
  initImage?: string;
  /** Never: the pod fails once and stays so (its status no longer changes) */
  restartPolicy?: 'Always' | 'Never';
  nodeSelector?: Record<string, string>;
  /** another app than the crash fixture, and the code it exits with */
  app?: { image: string; command: string[]; args: string[]; code: number; podSecurity: Record<string, unknown>; readOnly?: boolean };
}

const CRASH_APP = { image: 'sidekick-fixture/crash:latest', command: ['/app/crash'], args: ['--config', '/app/app.conf'], code: 3 };

/** A pod of the crash fixture (or opts.app), once its container has exited with its code at least once. */
async function crashingPod(name: string, opts: CrashOptions = {}): Promise<void> {
  const app = opts.app ?? CRASH_APP;
  const probe = { exec: { command: app.command }, periodSeconds: 5 };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      terminationGracePeriodSeconds: 1,
      restartPolicy: opts.restartPolicy ?? 'Always',
      nodeSelector: opts.nodeSelector,
      securityContext: opts.app?.podSecurity ?? (opts.nonRoot ? { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 } : undefined),
      initContainers: opts.initImage ? [{ name: 'prep', image: opts.initImage, imagePullPolicy: 'IfNotPresent', command: ['true'] }] : undefined,
      containers: [
        {
          name: 'app',
          image: app.image,
          imagePullPolicy: 'Never',
          command: app.command,
          args: app.args,
          livenessProbe: probe,
          readinessProbe: probe,
          securityContext: opts.app?.readOnly ? { readOnlyRootFilesystem: true } : undefined,
        },
      ],
    },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  const crashed = async () => (await kubectl(['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}{.status.containerStatuses[0].state.terminated.exitCode}'])).includes(String(app.code));
  expect(await eventually(crashed, 90_000, 250)).toBe(true);
}

/** Whether a copy's containers run: its holder and its debugger (the last one). */
const debugging = async () => (await kubectl(['get', 'pods', '-n', ns, '-l', 'io.sidekick.pod-copy', '-o', 'jsonpath={.items[*].status.containerStatuses[*].state.running.startedAt}'])).trim().split(/\s+/).length === 2;

/** What must not change in the original: its identity, spec, labels, and no debugger added. */
async function snapshot(name: string) {
  const pod = JSON.parse(await kubectl(['get', 'pod', '-n', ns, name, '-o', 'json'])) as {
    metadata: { uid: string; resourceVersion: string; labels: unknown; generation?: number };
    spec: unknown;
    status: { containerStatuses: Array<{ restartCount: number }> };
  };
  return { uid: pod.metadata.uid, labels: pod.metadata.labels, generation: pod.metadata.generation, spec: pod.spec, restarts: pod.status.containerStatuses[0]!.restartCount, resourceVersion: pod.metadata.resourceVersion };
}

/** Debian's PostgreSQL without its data directory, as production pods run: non-root at pod level, fsGroup, read-only root. */
const PG_MISSING = '/var/lib/postgresql/missing';
const POSTGRES_CRASHING = {
  image: 'sidekick-fixture/postgres:latest',
  command: ['/usr/lib/postgresql/15/bin/postgres'],
  args: ['-D', PG_MISSING],
  code: 2,
  podSecurity: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 },
  readOnly: true,
};

describe('exec --copy on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await kubectl(['label', 'node', NODE, `${PIN}=yes`]);
    await Promise.all([
      crashingPod('crashing'),
      crashingPod('nonroot', { nonRoot: true }),
      crashingPod('failed', { restartPolicy: 'Never' }),
      crashingPod('pinned', { nodeSelector: { [PIN]: 'yes' } }),
      crashingPod('postgres', { app: POSTGRES_CRASHING }),
    ]);
    // a node the pinned pod runs on but no copy of it fits: the scheduler says why
    await kubectl(['label', 'node', NODE, `${PIN}-`]);
  }, 180_000);

  afterAll(async () => {
    await kubectl(['label', 'node', NODE, `${PIN}-`]).catch(() => undefined);
    await deleteNamespace(ns);
  });

  it('a crash-looping or terminated container answers with one line suggesting --copy, and nothing is made', async () => {
    // between two crashes it runs for a moment, and the debugger is then added (and refused by the
    // kubelet, said in the same line): asked during the back-off, nothing is added
    const backingOff = async () => (await kubectl(['get', 'pod', '-n', ns, 'crashing', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'])) === 'CrashLoopBackOff';
    expect(await eventually(backingOff, 90_000, 250)).toBe(true);
    const looping = await run(['pod/crashing', '--', 'true']);
    expectOneLineError(looping, new RegExp(`container app of pod ${ns}/crashing is (in CrashLoopBackOff|terminated) \\(exit code 3[^)]*\\): debug a copy with sidekick exec --copy k8s://${ns}/crashing/app$`));
    const failed = await run([`k8s://${ns}/failed/app`, '--', 'true']);
    expectOneLineError(failed, new RegExp(`container app of pod ${ns}/failed is terminated \\(exit code 3\\): debug a copy with sidekick exec --copy k8s://${ns}/failed/app$`));
    expect(failed.exitCode).toBe(125);
    expect(await copies()).toBe('');
    expect(await kubectl(['get', 'pod', '-n', ns, 'crashing', 'failed', '-o', 'jsonpath={.items[*].spec.ephemeralContainers}'])).toBe('');
  });

  it("--copy: the target's files, env and workdir, `entrypoint --print`, the exit code; the copy deleted, the original untouched", async () => {
    const before = await snapshot('crashing');
    const r = await run(['--copy', 'pod/crashing', '--', 'sh', '-c', 'cat /app/app.conf; echo "$CRASH_CONFIG"; pwd; id -u; entrypoint --print; exit 7']);
    expect(r.exitCode, r.stderr).toBe(7);
    expect(r.stdout).toBe('mode=production\n# listen= is missing\n/app/app.conf\n/app\n0\n/app/crash --config /app/app.conf\n');
    expect(r.stderr).toMatch(NOTICE('crashing'));
    expect(await copies()).toBe('');
    const after = await snapshot('crashing');
    expect({ ...after, restarts: undefined, resourceVersion: undefined }).toEqual({ ...before, restarts: undefined, resourceVersion: undefined });
    // it crash-loops on: restarts only ever grow
    expect(after.restarts).toBeGreaterThanOrEqual(before.restarts);
  });

  it('a non-root pod (pod-level runAsNonRoot/runAsUser): the session runs as its user, `entrypoint --run` crashes as it does', async () => {
    const id = await run(['--copy', `k8s://${ns}/nonroot`, '--', 'id']);
    expect(id.exitCode, id.stderr).toBe(0);
    expect(id.stdout).toMatch(/^uid=65532\(nonroot\) gid=65532/);
    const crash = await run(['--copy', `k8s://${ns}/nonroot/app`, '--', 'entrypoint', '--run']);
    expect(crash.exitCode, crash.stderr).toBe(3);
    expect(crash.stderr).toContain('crash: cannot start: /app/app.conf has no listen address');
    expect(await copies()).toBe('');
  });

  it("a real program crash-looping as a non-root pod (PostgreSQL without its data directory): the copy's session as its user, its data readable, `entrypoint --run` gives the same FATAL", async () => {
    const r = await run(['--copy', 'pod/postgres', '--', 'sh', '-c', 'id -u; cat /var/lib/postgresql/data/PG_VERSION; entrypoint --print; entrypoint --run; echo "rc=$?"']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`65532\n15\n/usr/lib/postgresql/15/bin/postgres -D ${PG_MISSING}\nrc=2\n`);
    expect(r.stderr).toMatch(new RegExp(`^sidekick: container app of pod ${ns}/postgres is (in CrashLoopBackOff|terminated) \\(exit code 2[^)]*\\): debugging a copy`, 'm'));
    expect(r.stderr).toContain(`could not access directory "${PG_MISSING}": No such file or directory`);
    expect(await copies()).toBe('');
  });

  it('a terminated pod (restartPolicy Never) is copied, and not written to at all (resourceVersion and restart count unchanged)', async () => {
    const before = await snapshot('failed');
    const r = await run(['--copy', 'pod/failed', '--', 'cat', '/app/app.conf']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('mode=production\n# listen= is missing\n');
    expect(r.stderr).toMatch(NOTICE('failed'));
    expect(await snapshot('failed')).toEqual(before);
    expect(await copies()).toBe('');
  });

  it('--copy-to names the copy and --keep keeps it, running, for plain exec; a name taken is one line', async () => {
    const name = 'crashing-kept';
    const r = await run(['--copy-to', name, '--keep', 'pod/crashing', '--', 'true']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`debugging a copy, pod ${name}, kept after the session (--keep)`);
    const kept = JSON.parse(await kubectl(['get', 'pod', '-n', ns, name, '-o', 'json'])) as { metadata: { labels: Record<string, string>; ownerReferences?: unknown }; spec: { shareProcessNamespace: boolean; containers: Array<{ livenessProbe?: unknown; readinessProbe?: unknown }> }; status: { phase: string } };
    expect(kept.metadata.labels).toEqual({ 'io.sidekick.pod-copy': 'kept' });
    expect(kept.spec.shareProcessNamespace).toBe(true);
    expect(kept.spec.containers[0]!.livenessProbe ?? kept.spec.containers[0]!.readinessProbe).toBeUndefined();
    expect(kept.status.phase).toBe('Running');
    // its container waits: a running target for a plain exec
    const again = await run([`k8s://${ns}/${name}/app`, '--', 'cat', '/app/app.conf']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe('mode=production\n# listen= is missing\n');
    // a taken name is refused, and the pod of that name left alone
    const taken = await run(['--copy-to', name, 'pod/crashing', '--', 'true']);
    expectOneLineError(taken, new RegExp(`pod ${ns}/${name} exists already: name the copy otherwise with --copy-to NAME`));
    expect(await copies()).toBe(`pod/${name}`);
    await kubectl(['delete', 'pod', '-n', ns, name, '--grace-period=0', '--force']);
  });

  it("--keep and SIGKILL of the CLI mid-session: the reaper ends the debugger's processes, the copy stays running", async () => {
    const name = 'crashing-kept-killed';
    const cli = sidekickProcess(['exec', '-q', '-n', ns, '--copy-to', name, '--keep', 'pod/crashing', '--', 'sleep', '600'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    expect(await eventually(debugging, 90_000, 250)).toBe(true);
    // sessions lists the kept copy's debugger (its address ends it), not the copy
    const sessions = JSON.parse((await sidekick(['sessions', '--json', '-n', ns], { env })).stdout) as Array<{ id: string; target: string; owner?: string }>;
    const listed = sessions.filter((s) => s.id.startsWith(`k8s://${ns}/${name}`));
    expect(listed.map((s) => s.id)).toEqual([expect.stringMatching(new RegExp(`^k8s://${ns}/${name}/sidekick-crashing-[0-9a-f]{6}$`))]);
    expect(listed[0]?.target).toBe(`k8s://${ns}/crashing/app`);
    cli.kill('SIGKILL');
    await cli;
    const states = async () => JSON.parse(await kubectl(['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.status.containerStatuses}'])) as Array<{ name: string; state: { running?: unknown; terminated?: unknown } }>;
    // the debugger is the copy's last container
    expect(await eventually(async () => Boolean((await states()).find((s) => s.name !== 'app')?.state.terminated), 60_000, 500)).toBe(true);
    expect((await states()).find((s) => s.name === 'app')?.state.running).toBeTruthy();
    expect(await kubectl(['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.status.phase}'])).toBe('Running');
    await kubectl(['delete', 'pod', '-n', ns, name, '--grace-period=0', '--force']);
  }, 180_000);

  it('--keep and SIGKILL of the CLI while the copy waits to be scheduled: a copy that never ran a session is deleted', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, '--copy-to', 'pinned-kept', '--keep', 'pod/pinned', '--', 'true'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await copies()) !== '', 60_000, 250)).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await copies()) === '', 60_000, 500)).toBe(true);
  }, 180_000);

  it("says when the node pulls the copy's images, init containers included (from the local test registry)", async () => {
    const tag = randomBytes(3).toString('hex');
    const [toolkit, init] = [`${REGISTRY}:copy-${tag}`, `${REGISTRY}:copy-init-${tag}`];
    try {
      for (const image of [toolkit, init]) {
        await execa('docker', ['tag', 'busybox:musl', image]);
        await execa('docker', ['push', '-q', image]);
        await execa('docker', ['rmi', image]);
      }
      // the original pulled its init container's image: gone from the node, the copy pulls it again
      await crashingPod('with-init', { initImage: init });
      await execa('ctr', ['-n', 'k8s.io', 'images', 'rm', init], { reject: false });
      const r = await run(['--copy', '--image', toolkit, 'pod/with-init', '--', 'echo', 'pulled and ran']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('pulled and ran\n');
      // the kubelet's order: the copy's own init container (the toolkit), the original's, then the debugger (present by then)
      expect(r.stderr.split('\n').filter((l) => l.startsWith('Pull'))).toEqual([`Pulling ${toolkit}...`, `Pulled ${toolkit}`, `Pulling ${init}...`, `Pulled ${init}`]);
      expect(r.stderr).toMatch(NOTICE('with-init'));
      expect(await copies()).toBe('');
    } finally {
      await kubectl(['delete', 'pod', '-n', ns, 'with-init', '--grace-period=0', '--force']).catch(() => undefined);
      for (const image of [toolkit, init]) {
        await execa('ctr', ['-n', 'k8s.io', 'images', 'rm', image], { reject: false });
        // the registry forgets the tag (it keeps its tags in memory)
        await fetch(`http://${image.replace(/^([^/]+)\/(.*):([^:]+)$/, '$1/v2/$2/manifests/$3')}`, { method: 'DELETE' }).catch(() => undefined);
      }
    }
  }, 180_000);

  it('SIGKILL of the CLI mid-session: sessions lists the copy, and the reaper deletes it', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, '--copy', 'pod/crashing', '--', 'sleep', '600'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    expect(await eventually(debugging, 90_000, 250)).toBe(true);
    const sessions = JSON.parse((await sidekick(['sessions', '--json', '-n', ns], { env })).stdout) as Array<{ id: string; target: string; owner?: string }>;
    const copy = sessions.find((s) => s.target === `k8s://${ns}/crashing/app` && /^k8s:\/\/[^/]+\/[^/]+$/.test(s.id));
    expect(copy?.id).toMatch(new RegExp(`^k8s://${ns}/crashing-sidekick-copy-[0-9a-f]{4}$`));
    expect(copy?.owner).toMatch(/@.+:\d+$/);
    cli.kill('SIGKILL');
    await cli;
    expect(await eventually(async () => (await copies()) === '', 60_000, 500)).toBe(true);
  }, 180_000);

  it('SIGINT of the CLI deletes the copy, exit 130', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, '--copy', 'pod/crashing', '--', 'sleep', '600'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    expect(await eventually(debugging, 90_000, 250)).toBe(true);
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
    expect(await copies()).toBe('');
  }, 180_000);

  it('SIGINT while the copy waits to be scheduled ends the wait: exit 130, the copy deleted', async () => {
    const cli = sidekickProcess(['exec', '-q', '-n', ns, '--copy', 'pod/pinned', '--', 'true'], { env, timeout: 150_000 });
    cli.catch(() => undefined);
    expect(await eventually(async () => (await copies()) !== '', 60_000, 250)).toBe(true);
    cli.kill('SIGINT');
    expect((await cli).exitCode).toBe(130);
    expect(await copies()).toBe('');
  }, 180_000);

  it('a namespace where pods may not be created (RBAC): one line naming the verb and resource, nothing made', async () => {
    const reader = await restrictedKubeconfig(ns);
    const r = await run(['--copy', 'pod/crashing', '--', 'true'], reader);
    expectOneLineError(r, new RegExp(`forbidden: you may not create pods in namespace ${ns}: ask for an RBAC role that allows "create" on "pods"`));
    expect(await copies()).toBe('');
  });

  it('needs no more rights than the README says: pods (get, create, delete), pods/attach and pods/exec (get, create)', async () => {
    const copier = await accountKubeconfig(ns, 'copier', [
      { verbs: 'get,create,delete', resources: 'pods' },
      { verbs: 'get,create', resources: 'pods/attach,pods/exec' },
    ]);
    const r = await run(['--copy', 'pod/failed', '--', 'cat', '/app/app.conf'], copier);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('mode=production\n# listen= is missing\n');
    expect(await copies()).toBe('');
  });

  it("a copy that cannot be scheduled: the scheduler's reason within --pod-running-timeout, the copy deleted", async () => {
    const r = await run(['--copy', '--pod-running-timeout', '5s', 'pod/pinned', '--', 'true']);
    expectOneLineError(r, new RegExp(`the copy of k8s://${ns}/pinned/app did not run within 5s \\(Pending: Unschedulable: 0/1 nodes are available: 1 node\\(s\\) didn't match Pod's node affinity/selector.*\\): it was deleted`));
    expect(await copies()).toBe('');
  });

  it.each([
    [['--copy', 'pod/no-such-pod'], /pod no-such-pod not found in namespace/],
    [['--copy', 'deploy/web'], /--copy copies one pod, and deploy\/web is a workload: give the pod/],
    [['--copy', 'docker://web'], /--copy copies a Kubernetes pod, and docker:\/\/web is not one/],
    [['--keep', 'pod/crashing'], /--keep keeps the copy that --copy makes: add --copy/],
    [['--copy-to', 'Not_A_Name', 'pod/crashing'], /bad --copy-to "Not_A_Name"/],
  ])('refuses %j in one line, leaving nothing', async (args, message) => {
    const r = await run([...args, '--', 'true']);
    expectOneLineError(r, message);
    expect(r.exitCode).toBe(125);
    expect(await copies()).toBe('');
  });
});
