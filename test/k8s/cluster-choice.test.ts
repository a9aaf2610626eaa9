/**
 * Which cluster and which container: KUBECONFIG lists merged as kubectl merges them (a context from
 * one file, its cluster and user from another, chosen with --context), and the default-container
 * annotation naming a container that is not the first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, startPod, uniqueNamespace } from '../helpers/kube.js';

const ns = uniqueNamespace('sk-choice');
const dir = mkdtempSync(join(tmpdir(), 'sidekick-kubeconfig-'));
const exec = (args: string[], env: Record<string, string> = { KUBECONFIG }) => sidekick(['exec', ...args], { env, timeout: 120_000 });
// The sidecar of the test pods runs with PORT=8081 in its environment; the first container has none.
const whichContainer = ['--', 'sh', '-c', 'echo ${PORT:-first}'];

describe('choosing the cluster and the container', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await Promise.all([
      startPod({ namespace: ns, name: 'annotated', annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' }, extraContainer: 'sidecar' }),
      startPod({ namespace: ns, name: 'plain', extraContainer: 'sidecar' }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the container the default-container annotation names, even when it is not the first', async () => {
    const annotated = await exec([`k8s://${ns}/annotated`, ...whichContainer]);
    expect(annotated.exitCode, annotated.stderr).toBe(0);
    expect(annotated.stdout).toBe('8081\n');
    const plain = await exec([`k8s://${ns}/plain`, ...whichContainer]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('first\n');
  });

  it('merges the files of KUBECONFIG and uses the context --context names', async () => {
    const admin = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    // first file: the real cluster and user, but its current context points at a dead server
    const first = join(dir, 'first.json');
    writeFileSync(
      first,
      JSON.stringify({
        ...admin,
        clusters: [...admin.clusters, { name: 'dead', cluster: { server: 'https://127.0.0.1:1' } }],
        contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'admin' } }],
        'current-context': 'dead',
      }),
    );
    // second file: only a context, whose cluster and user live in the first
    const second = join(dir, 'second.json');
    writeFileSync(second, JSON.stringify({ apiVersion: 'v1', kind: 'Config', contexts: [{ name: 'merged', context: { cluster: admin.clusters[0].name, user: admin.users[0].name, namespace: ns } }] }));
    const env = { KUBECONFIG: `${first}:${second}` };

    const chosen = await exec(['--context', 'merged', 'pod/plain', '--', 'cat', '/app/data/greeting.txt'], env);
    expect(chosen.exitCode, chosen.stderr).toBe(0);
    expect(chosen.stdout).toBe('hello from the target filesystem\n');

    const current = await exec([`k8s://${ns}/plain`, '--', 'true'], env);
    expectOneLineError(current, /127\.0\.0\.1:1/);
  });
});
