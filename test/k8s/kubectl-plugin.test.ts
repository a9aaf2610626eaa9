/**
 * kubectl's plugin with the real kubectl: `kubectl-sidekick` on PATH (as `npm install -g` links it)
 * makes `kubectl sidekick exec POD` work, with kubectl's -n, --context and --kubeconfig.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, startPod, uniqueNamespace } from '../helpers/kube.js';

const KUBECTL = `${process.env.SIDEKICK_CACHE ?? '/var/cache/sidekick'}/k8s-v1.30.14/bin/kubectl`;
const ns = uniqueNamespace('sk-kubectl-plugin');
const work = mkdtempSync(join(tmpdir(), 'sk-kubectl-plugin-'));
symlinkSync(fileURLToPath(new URL('../../bin/kubectl-sidekick.js', import.meta.url)), join(work, 'kubectl-sidekick'));
// no KUBECONFIG and no ~/.kube/config: only the flags say where the cluster is
const env = { PATH: `${work}:${process.env.PATH}`, HOME: work, KUBECONFIG: '' };
const kubectlPlugin = (args: string[]) => execa(KUBECTL, ['sidekick', ...args], { env, reject: false, stdin: 'ignore', timeout: 120_000 });

describe('kubectl sidekick', () => {
  let context: string;
  beforeAll(async () => {
    await clusterReady();
    context = (await kubectl(['config', 'current-context'])).trim();
    await createNamespace(ns);
    await startPod({ namespace: ns, name: 'web' });
  }, 180_000);
  afterAll(async () => {
    await deleteNamespace(ns);
    rmSync(work, { recursive: true, force: true });
  });

  it('is listed by kubectl plugin list', async () => {
    const r = await execa(KUBECTL, ['plugin', 'list'], { env, reject: false });
    expect(String(r.stdout)).toContain(join(work, 'kubectl-sidekick'));
  });

  it('debugs a pod named bare, with kubectl -n, --context and --kubeconfig', async () => {
    const r = await kubectlPlugin(['exec', 'web', '-n', ns, '--context', context, '--kubeconfig', KUBECONFIG, '--', 'sh', '-c', 'ls /; exit 6']);
    expect(r.exitCode, String(r.stderr)).toBe(6);
    expect(String(r.stdout)).toMatch(/^app$/m);
    // the container after the pod, and --namespace=
    const again = await kubectlPlugin(['exec', `--namespace=${ns}`, '--kubeconfig', KUBECONFIG, 'web/app', '--', 'cat', '/app/data/greeting.txt']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout)).toContain('hello from the target filesystem');
  });

  it('means what kubectl means by its flags when they are wrong', async () => {
    const noNamespace = await kubectlPlugin(['exec', 'web', '--kubeconfig', KUBECONFIG, '--', 'true']);
    expect(noNamespace.exitCode).toBe(125);
    expect(String(noNamespace.stderr).trim().split('\n')).toHaveLength(1);
    expect(String(noNamespace.stderr)).toMatch(/web.*default|default.*web/);
    const badContext = await kubectlPlugin(['exec', 'web', '-n', ns, '--kubeconfig', KUBECONFIG, '--context', 'nope', '--', 'true']);
    expect(String(badContext.stderr)).toMatch(/^sidekick: context "nope" is not in the kubeconfig/);
    expect(badContext.exitCode).toBe(125);
  });
});
