import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/runtimes/kubernetes/port-forward.js';

describe("the runtime's port-forward errors, shortened", () => {
  it.each([
    [
      "containerd 1.6's refused port, as the test cluster's kubelet passes it on",
      'error forwarding port 6061 to pod 41837eb11ef8, uid : failed to execute portforward in network namespace "/var/run/netns/cni-ea23": failed to connect to localhost:6061 inside namespace "41837eb11ef8", IPv4: dial tcp4 127.0.0.1:6061: connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found ',
      'connection refused (127.0.0.1:6061 in the pod)',
    ],
    ['a plain dial error', 'error forwarding port 80 to pod abc, uid : dial tcp 127.0.0.1:80: i/o timeout', 'i/o timeout (127.0.0.1:80 in the pod)'],
    ['another error: its first line, without the preamble', 'error forwarding port 80 to pod abc, uid : the sandbox is gone\nmore', 'the sandbox is gone'],
    ['words it does not know: as they are', 'something else entirely', 'something else entirely'],
  ])('%s', (_what, text, said) => {
    expect(describeError(text)).toBe(said);
  });
});
