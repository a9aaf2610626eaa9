import { describe, expect, it } from 'vitest';
import { nodePod } from '../../src/runtimes/kubernetes/node-debugger.js';
import type { DebuggerSpec } from '../../src/runtimes/runtime.js';
import { applyProfile, type Profile } from '../../src/runtimes/security.js';

const spec = (profile: Profile): DebuggerSpec => ({
  image: 'busybox:musl',
  pull: 'never',
  argv: ['sh', '-c', 'eval "$SIDEKICK_ENTRY"', 'sidekick', 'echo', '$(id)'],
  env: { SIDEKICK_ENTRY: 'x' },
  tty: false,
  stdin: false,
  security: applyProfile(profile, { capAdd: [], privileged: false }),
  name: 'dbg',
  labels: {},
});
const literal = (s: string) => s.replaceAll('$', '$$$$');
const container = (profile: Profile) => nodePod('n1', 'd', 'p', spec(profile), literal).spec!.containers[0]!;

describe('node debugger pod', () => {
  it('is pinned to the node, tolerates every taint, joins the host namespaces', () => {
    const pod = nodePod('n1', 'default', 'sidekick-node-n1-abc', spec('general'), literal);
    expect(pod.spec).toMatchObject({ nodeName: 'n1', hostPID: true, hostNetwork: true, hostIPC: true, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] });
    expect(pod.metadata?.labels).toEqual({ 'io.sidekick.node-debugger': 'n1' });
    const c = pod.spec!.containers[0]!;
    expect(c.imagePullPolicy).toBe('Never');
    expect(c.securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ['SYS_PTRACE'] } });
    // the prelude is fixed text; the user's words stay separate arguments, kept literal for Kubernetes
    expect(c.command!.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.command!.slice(3)).toEqual(['sidekick-node', 'sh', '-c', 'eval "$$SIDEKICK_ENTRY"', 'sidekick', 'echo', '$$(id)']);
  });

  it('takes its security from the profile: privileged under sysadmin only, NET_ADMIN under netadmin', () => {
    expect(container('sysadmin').securityContext?.privileged).toBe(true);
    expect(container('general').securityContext?.privileged).toBeUndefined();
    expect(container('netadmin').securityContext?.capabilities?.add).toEqual(expect.arrayContaining(['SYS_PTRACE', 'NET_ADMIN', 'NET_RAW']));
  });
});
