/**
 * The node's pulls of a pod's images, from the kubelet's events on the pod ("Pulling", "Pulled"),
 * shown like a local engine's pull: the debugger's image (an ephemeral container, a node debugger),
 * or every image of a copy of a pod (its init containers included).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { debugLog } from '../../log.js';
import type { Progress } from '../runtime.js';
import type { PodTarget } from './debugger.js';
import { apiMessage } from './errors.js';
import type { KubeRest, PodEvent } from './rest.js';

/** A container whose image the node may pull: its field path in the pod's events, and the image. */
export interface PulledContainer {
  fieldPath: string;
  image: string;
}

/** The debugger's container in its pod. */
export function debuggerContainer(where: PodTarget, image: string): PulledContainer {
  return { fieldPath: `spec.${where.own ? 'containers' : 'ephemeralContainers'}{${where.container}}`, image };
}

/** Every container of a pod, init containers first, as the kubelet pulls for them. */
export function podContainers(pod: V1Pod): PulledContainer[] {
  const of = (kind: string, list: Array<{ name: string; image?: string }> = []) => list.map((c) => ({ fieldPath: `spec.${kind}{${c.name}}`, image: c.image ?? '' }));
  return [...of('initContainers', pod.spec?.initContainers), ...of('containers', pod.spec?.containers)];
}

/**
 * The pulls of the given containers' images, told once per image: "Pulling" when the kubelet starts
 * pulling it for one of them, "Pulled" once every pull of it so begun has ended. Events are optional:
 * without the right to list them sidekick just waits.
 */
export class NodePulls {
  private blind = false;
  /** per image: the field paths it is pulled for, and those whose pull ended */
  private readonly images = new Map<string, { pulling: Set<string>; pulled: Set<string>; done: boolean }>();

  constructor(
    private readonly api: KubeRest,
    private readonly pod: { namespace: string; pod: string },
    private readonly containers: readonly PulledContainer[],
    private readonly progress: Progress,
  ) {}

  async look(): Promise<void> {
    if (this.blind) return;
    let events: PodEvent[];
    try {
      events = (await this.api.podEvents(this.pod.namespace, this.pod.pod)).items;
    } catch (e) {
      this.blind = true;
      debugLog(`kubernetes: no pod events (${apiMessage(e)})`);
      return;
    }
    for (const { fieldPath, image } of this.containers) {
      const ours = events.filter((e) => e.involvedObject?.fieldPath === fieldPath);
      if (!ours.some((e) => e.reason === 'Pulling')) continue;
      const pull = this.images.get(image) ?? { pulling: new Set<string>(), pulled: new Set<string>(), done: false };
      if (!this.images.has(image)) {
        this.images.set(image, pull);
        this.progress.pull({ image, status: 'pulling on the node' });
      }
      pull.pulling.add(fieldPath);
      if (ours.some((e) => e.reason === 'Pulled')) pull.pulled.add(fieldPath);
      // in the kubelet's order: an image pulled before the next begins is told so first
      if (!pull.done && [...pull.pulling].every((f) => pull.pulled.has(f))) this.finish(image);
    }
  }

  /**
   * Once the containers run: one more look, then a pull that was shown is done. (The kubelet stops
   * recording events for a pod that had many, so a pod debugged over and over may tell nothing.)
   */
  async final(): Promise<void> {
    await this.look();
    for (const [image, pull] of this.images) if (!pull.done) this.finish(image);
  }

  private finish(image: string): void {
    this.images.get(image)!.done = true;
    this.progress.pullDone(image);
  }
}
