/** The test cluster of scripts/k8s (a real API server and kubelet): kubectl from its build, namespaces per test file. */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_IMAGES, type Fixture } from './engines.js';

export const KUBECONFIG = '/var/lib/sidekick/k8s/admin.kubeconfig';
const BIN = `${process.env.SIDEKICK_CACHE ?? '/var/cache/sidekick'}/k8s-v1.30.14/bin`;

export async function kubectl(args: string[], input?: string, kubeconfig = KUBECONFIG): Promise<string> {
  const r = await execa(join(BIN, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { input, reject: false });
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return String(r.stdout);
}

export async function clusterReady(): Promise<void> {
  if (!existsSync(KUBECONFIG)) throw new Error('no test cluster: run "npm test" (scripts/test.sh starts it with scripts/k8s/cluster.sh up)');
  await kubectl(['get', '--raw', '/readyz']);
}

export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export interface PodOptions {
  namespace: string;
  name: string;
  runAsUser?: number;
  /** readOnlyRootFilesystem for its containers */
  readOnly?: boolean;
  /** a pod that passes Pod Security "restricted" */
  restricted?: boolean;
  annotations?: Record<string, string>;
  extraContainer?: string;
  /** the pod-level securityContext (runAsNonRoot, runAsUser, fsGroup...) */
  podSecurity?: Record<string, unknown>;
  /** the container's securityContext, instead of what runAsUser/readOnly/restricted make */
  containerSecurity?: Record<string, unknown>;
  /** the app container's image (default the distroless target) */
  fixture?: Fixture;
  /** the app container's command, env, envFrom and workingDir, as a pod spec writes them */
  command?: string[];
  env?: unknown[];
  envFrom?: unknown[];
  workingDir?: string;
  /** the app container's arguments (the image's entrypoint stays) */
  args?: string[];
  /** a memory limit in bytes (requests the same) */
  memoryBytes?: number;
  /** nameservers of the pod's resolv.conf (dnsPolicy None) */
  dns?: string[];
}

/** A pod of the distroless fixture, ready when this resolves. */
export async function startPod(opts: PodOptions): Promise<void> {
  const sc = opts.restricted
    ? { runAsNonRoot: true, runAsUser: opts.runAsUser ?? 65532, runAsGroup: opts.runAsUser ?? 65532, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } }
    : opts.runAsUser === undefined
      ? undefined
      : { runAsUser: opts.runAsUser, runAsGroup: opts.runAsUser };
  const securityContext = opts.containerSecurity ?? (opts.readOnly ? { ...sc, readOnlyRootFilesystem: true } : sc);
  const resources = opts.memoryBytes ? { limits: { memory: String(opts.memoryBytes) }, requests: { memory: String(opts.memoryBytes) } } : undefined;
  const app = { command: opts.command, args: opts.args, env: opts.env, envFrom: opts.envFrom, workingDir: opts.workingDir, resources };
  const containers = [{ name: 'app', image: FIXTURE_IMAGES[opts.fixture ?? 'target'], imagePullPolicy: 'Never', securityContext, ...app }];
  if (opts.extraContainer) {
    // the same server on other ports: the pod's containers share one network namespace
    const env = [{ name: 'PORT', value: '8081' }, { name: 'LOOPBACK_PORT', value: '6061' }, { name: 'ECHO_PORT', value: '7071' }];
    containers.push({ name: opts.extraContainer, image: 'sidekick-fixture/target:latest', imagePullPolicy: 'Never', securityContext, env } as (typeof containers)[number]);
  }
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: opts.name, namespace: opts.namespace, annotations: opts.annotations },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: opts.podSecurity,
      containers,
      ...(opts.dns ? { dnsPolicy: 'None', dnsConfig: { nameservers: opts.dns } } : {}),
    },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  await kubectl(['wait', '-n', opts.namespace, '--for=condition=Ready', `pod/${opts.name}`, '--timeout=90s']);
}

export async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  // pods need the namespace's default service account, made by the controller manager
  for (let i = 0; i < 100; i++) {
    if ((await kubectl(['get', 'serviceaccount', '-n', name, '-o', 'name']).catch(() => '')).includes('default')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false']).catch(() => undefined);
}

/** Where a test writes a kubeconfig of its own for a namespace (accountKubeconfig's, and the like). */
export function kubeconfigFile(namespace: string, what: string): string {
  return join(tmpdir(), `sidekick-${namespace}-${what}.kubeconfig`);
}

/** Removes every kubeconfig written for this namespace (kubeconfigFile). */
export function forgetKubeconfigs(namespace: string): void {
  const prefix = `sidekick-${namespace}-`;
  for (const file of readdirSync(tmpdir())) if (file.startsWith(prefix) && file.endsWith('.kubeconfig')) rmSync(join(tmpdir(), file), { force: true });
}

/** A kubeconfig for a service account that may read pods but not add ephemeral containers. */
export async function restrictedKubeconfig(namespace: string): Promise<string> {
  return accountKubeconfig(namespace, 'reader', [{ verbs: 'get,list,watch', resources: 'pods' }]);
}

/** A kubeconfig for a new service account of the namespace with these rights there. */
export async function accountKubeconfig(namespace: string, sa: string, rights: Array<{ verbs: string; resources: string }>): Promise<string> {
  await kubectl(['create', 'serviceaccount', sa, '-n', namespace]);
  for (const [i, r] of rights.entries()) {
    await kubectl(['create', 'role', `${sa}-${i}`, '-n', namespace, `--verb=${r.verbs}`, `--resource=${r.resources}`]);
    await kubectl(['create', 'rolebinding', `${sa}-${i}`, '-n', namespace, `--role=${sa}-${i}`, `--serviceaccount=${namespace}:${sa}`]);
  }
  const token = (await kubectl(['create', 'token', sa, '-n', namespace])).trim();
  const server = (await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
  const ca = (await kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
  const file = kubeconfigFile(namespace, sa);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': ca } }],
      users: [{ name: sa, user: { token } }],
      contexts: [{ name: sa, context: { cluster: 'test', user: sa, namespace } }],
      'current-context': sa,
    }),
  );
  return file;
}

/** Where the kubelet mounts a pod's service account, and where client-node's in-cluster config reads it. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * What a pod of a debugging service account sees: its token, the cluster's CA and its namespace at
 * SERVICE_ACCOUNT_DIR, and the API's address in KUBERNETES_SERVICE_HOST/PORT (returned as env).
 * The account may add ephemeral containers and attach and exec into pods of its namespace.
 */
export async function inClusterServiceAccount(namespace: string): Promise<Record<string, string>> {
  if (existsSync(SERVICE_ACCOUNT_DIR)) throw new Error(`${SERVICE_ACCOUNT_DIR} exists on this machine: the test will not overwrite it`);
  const sa = 'debugger';
  await kubectl(['create', 'serviceaccount', sa, '-n', namespace]);
  await kubectl(['create', 'role', 'debugger', '-n', namespace, '--verb=get,list,watch', '--resource=pods']);
  await kubectl(['create', 'role', 'debugger-write', '-n', namespace, '--verb=patch,update', '--resource=pods/ephemeralcontainers']);
  await kubectl(['create', 'role', 'debugger-streams', '-n', namespace, '--verb=create,get', '--resource=pods/attach,pods/exec']);
  for (const role of ['debugger', 'debugger-write', 'debugger-streams']) {
    await kubectl(['create', 'rolebinding', role, '-n', namespace, `--role=${role}`, `--serviceaccount=${namespace}:${sa}`]);
  }
  const token = (await kubectl(['create', 'token', sa, '-n', namespace])).trim();
  const server = new URL((await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim());
  const ca = (await kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
  mkdirSync(SERVICE_ACCOUNT_DIR, { recursive: true });
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'token'), token);
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt'), Buffer.from(ca, 'base64'));
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), namespace);
  return { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port || '443' };
}

/** Removes what inClusterServiceAccount wrote on this machine. */
export function forgetInClusterServiceAccount(): void {
  rmSync('/var/run/secrets', { recursive: true, force: true });
}
