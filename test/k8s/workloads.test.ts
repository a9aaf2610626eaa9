/**
 * Workload addresses on a real cluster: deploy/, sts/, ds/, rs/, job/ and svc/ resolve to a running
 * pod through the workload's selector (-l narrows), `diagnose` covers every pod, and bad input is
 * one line.
 */
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/report.js';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, kubectl, uniqueNamespace } from '../helpers/kube.js';

const env = { KUBECONFIG };
const ns = uniqueNamespace('sk-wl');
const IMAGE = 'sidekick-fixture/target:latest';
const schema = JSON.parse(readFileSync(new URL('../../schema/diagnose-report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true });
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validate = ajv.compile(schema);

const podSpec = (image = IMAGE) => ({ terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image, imagePullPolicy: 'Never' }] });
const template = (labels: Record<string, string>, image?: string) => ({ metadata: { labels }, spec: podSpec(image) });
const apps = (kind: string, name: string, spec: object) => ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns }, spec });

const OBJECTS = [
  apps('Deployment', 'web', { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }),
  apps('Deployment', 'broken', { replicas: 2, selector: { matchLabels: { app: 'broken' } }, template: template({ app: 'broken' }, 'sidekick-fixture/absent:latest') }),
  apps('StatefulSet', 'db', { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) }),
  apps('DaemonSet', 'agent', { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) }),
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'batch', namespace: ns }, spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
];

const podsOf = async (selector: string) => (await kubectl(['get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);
const hostname = (target: string, extra: string[] = []) => sidekick(['exec', '-n', ns, target, ...extra, '--', 'hostname'], { env, timeout: 120_000 });

describe('workloads on kubernetes', () => {
  let replicaSet = '';

  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: OBJECTS }));
    await Promise.all([
      kubectl(['rollout', 'status', '-n', ns, 'deploy/web', '--timeout=120s']),
      kubectl(['rollout', 'status', '-n', ns, 'sts/db', '--timeout=120s']),
      kubectl(['rollout', 'status', '-n', ns, 'ds/agent', '--timeout=120s']),
      kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod', '-l', 'job-name=batch', '--timeout=120s']),
    ]);
    replicaSet = (await kubectl(['get', 'rs', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  }, 240_000);

  afterAll(async () => {
    await deleteNamespace(ns);
  });

  it.each([
    ['deploy/web', 'app=web'],
    ['deployment/web', 'app=web'],
    ['svc/web', 'app=web'],
    ['sts/db', 'app=db'],
    ['statefulset/db', 'app=db'],
    ['ds/agent', 'app=agent'],
    ['job/batch', 'job-name=batch'],
  ])('%s runs in a running pod of the workload, the choice on stderr', async (target, selector) => {
    const pods = await podsOf(selector);
    const r = await hostname(target);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(pods).toContain(r.stdout.trim());
    expect(r.stderr.trim()).toBe(`sidekick: ${target} → pod ${r.stdout.trim()} (1 of ${pods.length} running)`);
  });

  it('takes rs/NAME and the k8s://NS/KIND/NAME form', async () => {
    const rs = await hostname(`rs/${replicaSet}`);
    expect(rs.exitCode, rs.stderr).toBe(0);
    expect(await podsOf('app=web')).toContain(rs.stdout.trim());
    const full = await sidekick(['exec', `k8s://${ns}/deploy/web/app`, '--', 'hostname'], { env, timeout: 120_000 });
    expect(full.exitCode, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/^sidekick: deploy\/web → pod web-/);
    const quiet = await sidekick(['exec', '-q', `k8s://${ns}/deploy/web/app`, '--', 'hostname'], { env, timeout: 120_000 });
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('-l picks among the pods', async () => {
    const [first, second] = (await podsOf('app=web')).sort();
    await kubectl(['label', 'pod', '-n', ns, second!, 'pick=me']);
    const r = await hostname('deploy/web', ['-l', 'pick=me']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(second);
    expect(r.stdout.trim()).not.toBe(first);
    expect(r.stderr).toContain('(1 of 1 running)');
  });

  it('diagnoses every pod of a deployment: an array of reports that validates, the worst exit code', async () => {
    const pods = await podsOf('app=web');
    const r = await sidekick(['diagnose', '-n', ns, 'deploy/web', '--json', '--check', 'port:8080'], { env, timeout: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as Report[];
    expect(validate(reports), JSON.stringify(validate.errors)).toBe(true);
    expect(reports.map((x) => x.target.name).sort()).toEqual(pods.sort());
    expect(reports.every((x) => x.processes.some((p) => p.command.includes('/app/server')))).toBe(true);

    const failing = await sidekick(['diagnose', '-n', ns, 'deploy/web', '--check', 'port:9'], { env, timeout: 180_000 });
    expect(failing.exitCode, failing.stderr).toBe(1);
    for (const pod of pods) expect(failing.stdout).toContain(`pod ${pod} (k8s://${ns}/${pod}/app)`);
  });

  it('diagnose -l narrows the pods', async () => {
    const r = await sidekick(['diagnose', '-n', ns, 'deploy/web', '-l', 'pick=me', '--json'], { env, timeout: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Report[]).length).toBe(1);
  });

  it.each([
    [['exec', 'deploy/broken', '--', 'true'], /deploy\/broken in namespace .* has no running pod: 2 pods \(2 Pending\/ErrImageNeverPull\)/],
    [['diagnose', 'deploy/broken'], /has no running pod: 2 pods \(2 Pending\/ErrImageNeverPull\)/],
    [['exec', 'deploy/absent', '--', 'true'], /deployment absent not found in namespace/],
    [['diagnose', 'svc/absent'], /service absent not found in namespace/],
    [['exec', 'd/web', '--', 'true'], /ambiguous workload kind "d" .*\(daemonset or deployment\)/],
    [['exec', 'deploy/web', '-l', 'pick=nobody', '--', 'true'], /has no pods \(selector app=web,pick=nobody\)/],
  ])('refuses %j in one line, leaving nothing behind', async (args, message) => {
    const r = await sidekick([...args.slice(0, 1), '-n', ns, ...args.slice(1)], { env, timeout: 120_000 });
    expectOneLineError(r, message);
    if (args[0] === 'diagnose') expect(r.exitCode).toBe(2);
    const ephemeral = await kubectl(['get', 'pods', '-n', ns, '-l', 'app=broken', '-o', 'jsonpath={.items[*].spec.ephemeralContainers}']);
    expect(ephemeral.trim()).toBe('');
  });
});
