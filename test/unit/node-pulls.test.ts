import { describe, expect, it } from 'vitest';
import { debuggerContainer, NodePulls, podContainers } from '../../src/runtimes/kubernetes/node-pulls.js';
import type { KubeRest, PodEvent } from '../../src/runtimes/kubernetes/rest.js';
import type { Progress } from '../../src/runtimes/runtime.js';

/** The kubelet's events so far, and what the user was told. */
function watching(containers: Parameters<typeof podContainers>[0]) {
  const events: PodEvent[] = [];
  const said: string[] = [];
  const api = { podEvents: async () => ({ items: events }) } as unknown as KubeRest;
  const progress: Progress = { pull: (e) => said.push(`pulling ${e.image}`), pullDone: (image) => said.push(`pulled ${image}`) };
  const pulls = new NodePulls(api, { namespace: 'ns', pod: 'p' }, podContainers(containers), progress);
  const event = (reason: string, fieldPath: string) => events.push({ reason, involvedObject: { fieldPath } });
  return { pulls, said, event };
}

describe("the node's pulls, from the kubelet's events", () => {
  it("names the debugger's container as the events do", () => {
    expect(debuggerContainer({ namespace: 'n', pod: 'p', container: 'dbg' }, 'i').fieldPath).toBe('spec.ephemeralContainers{dbg}');
    expect(debuggerContainer({ namespace: 'n', pod: 'p', container: 'dbg', own: true }, 'i').fieldPath).toBe('spec.containers{dbg}');
  });

  it("a copy's pulls, init containers included: each image told once, done once each pull of it ended", async () => {
    const { pulls, said, event } = watching({
      spec: {
        initContainers: [{ name: 'sidekick-holder', image: 'toolkit' }, { name: 'prep', image: 'tools:1' }],
        containers: [{ name: 'app', image: 'app:1' }, { name: 'dbg', image: 'toolkit' }],
      },
    });
    event('Pulling', 'spec.initContainers{sidekick-holder}');
    await pulls.look();
    expect(said).toEqual(['pulling toolkit']);
    event('Pulled', 'spec.initContainers{sidekick-holder}');
    event('Pulling', 'spec.initContainers{prep}');
    await pulls.look();
    expect(said).toEqual(['pulling toolkit', 'pulled toolkit', 'pulling tools:1']);
    // present already for the debugger: nothing more to tell of it
    event('Pulled', 'spec.initContainers{prep}');
    event('Pulled', 'spec.containers{dbg}');
    await pulls.look();
    await pulls.final();
    expect(said).toEqual(['pulling toolkit', 'pulled toolkit', 'pulling tools:1', 'pulled tools:1']);
  });

  it('a pull seen begun but never seen ending is done once the containers run', async () => {
    const { pulls, said, event } = watching({ spec: { containers: [{ name: 'app', image: 'app:1' }] } });
    event('Pulling', 'spec.containers{app}');
    await pulls.final();
    expect(said).toEqual(['pulling app:1', 'pulled app:1']);
  });
});
