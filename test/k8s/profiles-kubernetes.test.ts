/**
 * --profile on a real cluster, against the pod most clusters push teams toward: pod-level
 * runAsNonRoot, runAsUser, runAsGroup and fsGroup, and a read-only root (a container-level field in
 * Kubernetes). general, netadmin and sysadmin give the full view (the debugger is root at the
 * container level, overriding the pod's user); baseline and restricted keep the pod's user and say so.
 * Each profile in namespaces that enforce nothing, Pod Security "baseline" and "restricted".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, sidekick } from '../helpers/cli.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, startPod, uniqueNamespace } from '../helpers/kube.js';

const open = uniqueNamespace('sk-prof-open');
const base = uniqueNamespace('sk-prof-base');
const strict = uniqueNamespace('sk-prof-strict');
const run = (args: string[]) => sidekick(['exec', ...args], { env: { KUBECONFIG }, timeout: 120_000 });

// passes Pod Security "restricted", so the same pod runs in every namespace
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

const FULL_VIEW = ['sh', '-c', 'id -u; pwd; cat /app/data/greeting.txt; ps -o pid,user,args; touch /app/x 2>/dev/null || echo read-only'];
const PARTIAL_VIEW = ['sh', '-c', 'id -u; grep CapEff /proc/self/status; pwd; cat data/greeting.txt'];

describe('--profile on kubernetes, a non-root pod', () => {
  beforeAll(async () => {
    await clusterReady();
    await Promise.all([
      createNamespace(open),
      createNamespace(base, { 'pod-security.kubernetes.io/enforce': 'baseline' }),
      createNamespace(strict, { 'pod-security.kubernetes.io/enforce': 'restricted' }),
    ]);
    await Promise.all([
      ...[open, base, strict].map((namespace) => startPod({ namespace, name: 'nonroot', podSecurity: POD_SECURITY, containerSecurity: CONTAINER_SECURITY })),
      // a real program under the same pod-level user; its data directory must be writable: no read-only root
      startPod({ namespace: open, name: 'postgres', fixture: 'postgres', podSecurity: POD_SECURITY, containerSecurity: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: false } }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([open, base, strict].map(deleteNamespace));
  });

  it.each(['general', 'netadmin', 'sysadmin'])("%s: root over the pod's user, the target's files at /, its processes, read-only kept", async (profile) => {
    const r = await run(['--profile', profile, `k8s://${open}/nonroot`, '--', ...FULL_VIEW]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0\n\/app\nhello from the target filesystem\n/);
    expect(r.stdout).toMatch(/^\s*1\s+nonroot\s+\/app\/server/m);
    expect(r.stdout).toMatch(/read-only\n$/);
    expect(r.stderr).toBe('');
  });

  it('general: -u acts as the target\'s user, by name or uid', async () => {
    const r = await run(['-u', 'nonroot', `k8s://${open}/nonroot`, '--', 'sh', '-c', 'id -u; id -g; cat /app/data/greeting.txt']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('65532\n65532\nhello from the target filesystem\n');
  });

  it("general on a real program run by the pod's user (Debian's PostgreSQL): its 0700 data directory, its workers; -u postgres", async () => {
    const root = await run([`k8s://${open}/postgres`, '--', 'sh', '-c', 'id -u; cat /var/lib/postgresql/data/PG_VERSION; ps -o user,args | grep -c "^postgres *postgres: checkpointer"']);
    expect(root.exitCode, root.stderr).toBe(0);
    expect(root.stdout).toBe('0\n15\n1\n');
    const asApp = await run(['-u', 'postgres', `k8s://${open}/postgres`, '--', 'sh', '-c', 'id -u; cat /var/lib/postgresql/data/PG_VERSION']);
    expect(asApp.exitCode, asApp.stderr).toBe(0);
    expect(asApp.stdout).toBe('65532\n15\n');
  });

  it.each([
    [open, 'baseline'],
    [open, 'restricted'],
    [base, 'baseline'],
    [base, 'restricted'],
    [strict, 'restricted'],
  ])("in %s, %s keeps the pod's user and says what that gives", async (namespace, profile) => {
    const r = await run(['--profile', profile, `k8s://${namespace}/nonroot`, '--', ...PARTIAL_VIEW]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('65532\nCapEff:\t0000000000000000\n/proc/1/root/app\nhello from the target filesystem\n');
    // one line: why (the profile), what that costs (no chroot), and what gives the full view
    expect(r.stderr).toMatch(new RegExp(`^sidekick: --profile ${profile} .*\\(Pod Security "${profile}"\\): this debugger may not chroot .*/proc/1/root; --profile general gives the full view\n$`));
  });

  it.each([
    [base, 'general', 'baseline'],
    [base, 'netadmin', 'baseline'],
    [base, 'sysadmin', 'baseline'],
    [strict, 'general', 'restricted'],
    [strict, 'baseline', 'restricted'],
    [strict, 'netadmin', 'restricted'],
    [strict, 'sysadmin', 'restricted'],
  ])('in %s, admission refuses %s: the error names --profile %s', async (namespace, profile, passes) => {
    const r = await run(['--profile', profile, `k8s://${namespace}/nonroot`, '--', 'true']);
    expectOneLineError(r, new RegExp(`admission denied the debugger with --profile ${profile}: .*: try --profile ${passes}$`));
  });
});
