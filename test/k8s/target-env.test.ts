/**
 * The configured environment as only a pod spec says it (values set at creation, odd values and real
 * nginx run on every engine in test/contract/target-env.contract.test.ts): a container whose process
 * wrote its title over its environment still gets ConfigMap and Secret keys, downward API fields,
 * envFrom, $(VAR) expansion and its workingDir; what these credentials may not read is left out and
 * named under --debug; the entrypoint helper knows the command the pod spec sets, and says when it
 * sets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidekick } from '../helpers/cli.js';
import { KUBECONFIG, accountKubeconfig, clusterReady, createNamespace, deleteNamespace, forgetKubeconfigs, kubectl, startPod, uniqueNamespace } from '../helpers/kube.js';

const ns = uniqueNamespace('sk-env');
const SECRET = 'p@ss $word "q"\nline two';
const run = (args: string[], kubeconfig = KUBECONFIG) => sidekick(['exec', ...args], { env: { KUBECONFIG: kubeconfig }, timeout: 120_000 });

const env = [
  { name: 'APP_VAR', value: 'set in the pod spec' },
  { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'GREETING' } } },
  { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'URL', value: 'http://$(POD_NAME):8080/$$(POD_NAME)' },
];
const NGINX = ['/usr/sbin/nginx', '-e', 'stderr', '-g', 'daemon off;'];
const SHOW = ['sh', '-c', 'printf "%s|" "$APP_VAR" "$FROM_CM" "$FROM_SECRET" "$POD_NAME" "$URL" "$CFG_MODE"; pwd'];

describe('the target environment on kubernetes', () => {
  beforeAll(async () => {
    await clusterReady();
    await createNamespace(ns);
    await kubectl(['create', 'configmap', 'settings', '-n', ns, '--from-literal=GREETING=hi from a configmap', '--from-literal=MODE=prod']);
    await kubectl(['create', 'secret', 'generic', 'db', '-n', ns, `--from-literal=password=${SECRET}`]);
    const envFrom = [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }];
    await Promise.all([
      startPod({ namespace: ns, name: 'titled', fixture: 'proctitle', env, envFrom, workingDir: '/app' }),
      startPod({ namespace: ns, name: 'nginx', fixture: 'nginx', env: [{ name: 'APP_VAR', value: 'for nginx' }], command: NGINX }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await deleteNamespace(ns);
    forgetKubeconfigs(ns);
  });

  it('gives what the pod spec sets, although the process wrote its title over its environ', async () => {
    const r = await run([`k8s://${ns}/titled`, '--', ...SHOW]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`set in the pod spec|hi from a configmap|${SECRET}|titled|http://titled:8080/$(POD_NAME)|prod|/app\n`);
  });

  it('leaves out what the credentials may not read, and says so under --debug', async () => {
    // everything a session needs, and ConfigMaps, but not Secrets
    const kubeconfig = await accountKubeconfig(ns, 'nosecrets', [
      { verbs: 'get,list,watch', resources: 'pods,configmaps' },
      { verbs: 'patch,update', resources: 'pods/ephemeralcontainers' },
      { verbs: 'create,get', resources: 'pods/attach,pods/exec' },
    ]);
    const r = await run(['--debug', `k8s://${ns}/titled`, '--', ...SHOW], kubeconfig);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('set in the pod spec|hi from a configmap||titled|http://titled:8080/$(POD_NAME)|prod|/app\n');
    expect(r.stderr).toContain(`not known: env FROM_SECRET (these credentials may not get secrets in ${ns})`);
  });

  it('has the entrypoint helper: the command the pod spec sets, or why it is not known', async () => {
    const [set, unset] = await Promise.all([
      run([`k8s://${ns}/nginx`, '--', 'entrypoint', '--print']),
      run([`k8s://${ns}/titled`, '--', 'entrypoint', '--print']),
    ]);
    expect(set.stdout).toBe("/usr/sbin/nginx -e stderr -g 'daemon off;'\n");
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toMatch(/^entrypoint: the engine does not say how the target starts \(on Kubernetes: the pod spec sets no command/);
  });
});
