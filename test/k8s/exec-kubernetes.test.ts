/**
 * sidekick exec on a real cluster (scripts/k8s), what is Kubernetes' own: addresses of pods and
 * containers, in-cluster config, a terminal, Pod Security levels, RBAC, admission, the kubelet's pulls
 * and events, ephemeral containers that stay (and are listed once ended), and one-line errors. What
 * every engine does (processes, files, exit codes, streams, env, diagnose, a target that goes away,
 * listings and cleanup, port-forward) runs on Kubernetes in the contract suite (test/contract, its
 * kubernetes engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { expectOneLineError, sidekick, sidekickProcess } from '../helpers/cli.js';
import {
  KUBECONFIG,
  clusterReady,
  createNamespace,
  deleteNamespace,
  forgetInClusterServiceAccount,
  forgetKubeconfigs,
  inClusterServiceAccount,
  kubeconfigFile,
  kubectl,
  restrictedKubeconfig,
  startPod,
  uniqueNamespace,
} from '../helpers/kube.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtySession } from '../helpers/pty.js';
import { eventually } from '../helpers/engines.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-exec');
const strict = uniqueNamespace('sk-strict');
/** An empty home of its own (no ~/.kube/config), removed at the end. */
const homes: string[] = [];
const emptyHome = () => {
  homes.push(mkdtempSync(join(tmpdir(), 'sidekick-home-')));
  return homes.at(-1)!;
};
const run = (args: string[], input?: string, extraEnv: Record<string, string> = {}) => sidekick(['exec', ...args], { env: { ...env, ...extraEnv }, input, timeout: 120_000 });

describe('exec on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await Promise.all([createNamespace(ns), createNamespace(strict, { 'pod-security.kubernetes.io/enforce': 'restricted' })]);
    await Promise.all([
      startPod({ namespace: ns, name: 'web', runAsUser: 65532, annotations: { 'kubectl.kubernetes.io/default-container': 'app' }, extraContainer: 'sidecar' }),
      startPod({ namespace: strict, name: 'locked', restricted: true }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([deleteNamespace(ns), deleteNamespace(strict)]);
    forgetKubeconfigs(ns);
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it('finds the cluster from inside a pod: service account token, CA and namespace, no kubeconfig', async () => {
    const serviceEnv = await inClusterServiceAccount(ns);
    try {
      // no KUBECONFIG and an empty home: nothing but the service account to go by
      const home = emptyHome();
      const r = await sidekick(['exec', 'pod/web', '--', 'cat', '/app/data/greeting.txt'], { env: { ...serviceEnv, KUBECONFIG: '', HOME: home }, timeout: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('hello from the target filesystem\n');
    } finally {
      forgetInClusterServiceAccount();
    }
  });

  it('takes pod/NAME/CONTAINER with -n', async () => {
    const r = await run(['-n', ns, 'pod/web/app', '--', 'sh', '-c', 'echo oops >&2; exit 7']);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toBe('oops\n');
  });

  it('passes stdin with -i and reaches the loopback-only port', async () => {
    const r = await run(['-i', `k8s://${ns}/web/sidecar`, '--', 'sh', '-c', 'wc -l; wget -qO- http://127.0.0.1:6060/'], 'a\nb\n');
    expect(r.stdout).toBe('2\nloopback only\n');
  });

  it('gives a terminal: prompt, ps, resize, exit code', async () => {
    const session = new PtySession(['exec', `k8s://${ns}/web`], { cols: 90, rows: 25, env });
    try {
      let at = await session.expect(/\[sidekick web\] \/app # /, 0, 60_000);
      session.write('ps -o pid,args\r');
      at = await session.expect(/1\s+\/app\/server/, at);
      session.resize(111, 33);
      await new Promise((r) => setTimeout(r, 500));
      session.write('stty size\r');
      at = await session.expect(/33 111/, at);
      session.write('exit 3\r');
      expect(await session.exited).toBe(3);
    } finally {
      session.kill();
    }
  });

  it('works in a namespace enforcing Pod Security "restricted" with --profile restricted', async () => {
    const r = await run(['--profile', 'restricted', `k8s://${strict}/locked`, '--', 'sh', '-c', 'id -u; cat data/greeting.txt; pwd']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('65532\nhello from the target filesystem\n/proc/1/root/app\n');
    expect(r.stderr).toMatch(/may not chroot.*\/proc\/1\/root/);
    // -u naming the user the profile already runs as has nothing to drop
    const asUser = await run(['--profile', 'restricted', '-u', '65532', `k8s://${strict}/locked`, '--', 'id', '-u']);
    expect(asUser.exitCode, asUser.stderr).toBe(0);
    expect(asUser.stdout).toBe('65532\n');
  });

  it('reports an admission denial in one line with the profile to try', async () => {
    const r = await run([`k8s://${strict}/locked`, '--', 'true']);
    expectOneLineError(r, /admission denied the debugger with --profile general: .*restricted.*: try --profile restricted/);
  });

  it('fails with the cause, not a hang, when the image cannot be pulled', async () => {
    const r = await run(['--image', '127.0.0.1:9/sidekick/absent:1', `k8s://${ns}/web`, '--', 'true']);
    expectOneLineError(r, /the debugger cannot start: (ErrImagePull|ImagePullBackOff).*check the image name/);
  });

  it('says when the node pulls the toolkit (from the local test registry), then runs the command', async () => {
    const image = '127.0.0.1:5055/sidekick/toolkit:pull-test';
    await execa('ctr', ['-n', 'k8s.io', 'images', 'rm', image], { reject: false });
    // a pod of its own: the kubelet stops recording events for a pod that already had many
    await startPod({ namespace: ns, name: 'puller', runAsUser: 65532 });
    const r = await run(['--image', image, `k8s://${ns}/puller`, '--', 'echo', 'pulled and ran']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('pulled and ran\n');
    expect(r.stderr).toBe(`Pulling ${image}...\nPulled ${image}\n`);
    // present now: nothing to say
    const again = await run(['--image', image, `k8s://${ns}/puller`, '--', 'true']);
    expect(again.stderr).toBe('');
  });

  it('names the verb and resource when RBAC forbids it', async () => {
    const kubeconfig = await restrictedKubeconfig(ns);
    const r = await run(['--kubeconfig', kubeconfig, 'pod/web', '--', 'true']);
    expectOneLineError(r, /forbidden: you may not patch pods\/ephemeralcontainers in namespace .*: ask for an RBAC role/);
  });

  it.each([
    [['k8s://NS/nope'], /pod nope not found in namespace/],
    [['k8s://NS/web/nope'], /container "nope" is not in pod .*its containers: app, sidecar/],
    [['--context', 'nope', 'k8s://NS/web'], /context "nope" is not in the kubeconfig: use one of/],
    [['--kubeconfig', '/nonexistent/kubeconfig', 'k8s://NS/web'], /kubeconfig \/nonexistent\/kubeconfig does not exist/],
  ])('explains %j in one line', async (args, pattern) => {
    const r = await run([...args.map((a) => a.replace('NS', ns)), '--', 'true']);
    expectOneLineError(r, pattern);
  });

  it('says when the API cannot be reached, and when no cluster is configured', async () => {
    // the test cluster's credentials, pointed at a port where no API server listens
    const unreachable = kubeconfigFile(ns, 'unreachable');
    const config = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json'])) as { clusters: Array<{ cluster: { server: string } }> };
    for (const c of config.clusters) c.cluster.server = 'https://127.0.0.1:1';
    writeFileSync(unreachable, JSON.stringify(config));
    expectOneLineError(await run(['--kubeconfig', unreachable, `k8s://${ns}/web`, '--', 'true']), /cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1/);
    const home = emptyHome();
    expectOneLineError(await run([`k8s://${ns}/web`, '--', 'true'], undefined, { KUBECONFIG: '', HOME: home }), /no Kubernetes cluster configured: set KUBECONFIG/);
  });

  it('says when the pod is not running yet', async () => {
    // a node selector no node has: the pod stays Pending
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: ns }, spec: { nodeSelector: { 'sidekick.test/none': 'x' }, containers: [{ name: 'app', image: 'sidekick-fixture/target:latest', imagePullPolicy: 'Never' }] } };
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    expectOneLineError(await run([`k8s://${ns}/stuck`, '--', 'true']), /pod .*\/stuck is not running \(Pending/);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGKILL', null],
  ] as const)('%s of the CLI ends the debugger in the pod (ephemeral containers cannot be removed)', async (signal, code) => {
    const pod = `cut-${signal.toLowerCase()}`;
    await startPod({ namespace: ns, name: pod, runAsUser: 65532 });
    const cli = sidekickProcess(['exec', '-q', `k8s://${ns}/${pod}`, '--', 'sleep', '600'], { env, timeout: 120_000 });
    cli.catch(() => undefined);
    const states = async () => kubectl(['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.status.ephemeralContainerStatuses[*].state}']);
    expect(await eventually(async () => (await states()).includes('running'), 60_000, 200)).toBe(true);
    cli.kill(signal);
    const r = await cli;
    expect(r.exitCode ?? null).toBe(code);
    // a SIGKILLed CLI leaves it to the reaper, which runs "sidekick cleanup --only" for that debugger
    expect(await eventually(async () => (await states()).includes('terminated'), 30_000, 500)).toBe(true);
  });

  it('lists the debuggers it left in pods (ended) next to the local engines', async () => {
    type Session = { engine: string; target: string; running: boolean };
    const list = async () => JSON.parse((await sidekick(['sessions', '--json', '-n', ns], { env })).stdout) as Session[];
    expect((await list()).filter((s) => s.engine === 'kubernetes' && s.target === `k8s://${ns}/web/app`).length).toBeGreaterThan(0);
    // the kubelet reports an ended container up to a few seconds after it ended
    expect(await eventually(async () => (await list()).filter((s) => s.engine === 'kubernetes').every((s) => !s.running), 20_000, 500)).toBe(true);
  });
});
