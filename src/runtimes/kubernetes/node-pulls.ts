/**
 * The node's pull of the debugger's image, from the kubelet's events on the pod, shown like a local
 * engine's pull.
 */
import { debugLog } from '../../log.js';
import type { Progress } from '../runtime.js';
import type { PodTarget } from './debugger.js';
import { apiMessage } from './errors.js';
import type { KubeRest, PodEvent } from './rest.js';

/**
 * The node's pull of the debugger's image, from the kubelet's events on the pod ("Pulling",
 * "Pulled"), shown like a local engine's pull. Events are optional: without the right to list them
 * sidekick just waits.
 */
export class NodePulls {
  private pulling = false;
  private done = false;
  private blind = false;
  private readonly fieldPath: string;

  constructor(
    private readonly api: KubeRest,
    private readonly where: PodTarget,
    private readonly image: string,
    private readonly progress: Progress,
  ) {
    this.fieldPath = `spec.${where.own ? 'containers' : 'ephemeralContainers'}{${where.container}}`;
  }

  async look(): Promise<void> {
    if (this.blind || this.done) return;
    let events: PodEvent[];
    try {
      events = (await this.api.podEvents(this.where.namespace, this.where.pod)).items;
    } catch (e) {
      this.blind = true;
      debugLog(`kubernetes: no pod events (${apiMessage(e)})`);
      return;
    }
    const ours = events.filter((e) => e.involvedObject?.fieldPath === this.fieldPath);
    if (!this.pulling && ours.some((e) => e.reason === 'Pulling')) {
      this.pulling = true;
      this.progress.pull({ image: this.image, status: 'pulling on the node' });
    }
    if (this.pulling && ours.some((e) => e.reason === 'Pulled')) this.finish();
  }

  /**
   * Once the container runs: one more look, then a pull that was shown is done. (The kubelet stops
   * recording events for a pod that had many, so a pod debugged over and over may tell nothing.)
   */
  async final(): Promise<void> {
    await this.look();
    if (this.pulling && !this.done) this.finish();
  }

  private finish(): void {
    this.done = true;
    this.progress.pullDone(this.image);
  }
}