/** One cluster as sidekick talks to it: credentials, the REST calls, and failures made one-line errors. */
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../../errors.js';
import type { KubeOptions } from './config.js';
import { apiMessage, commonApiError } from './errors.js';
import { KubeRest } from './rest.js';

export class KubeClient {
  readonly api: KubeRest;
  /** the API server, for messages */
  readonly endpoint: string;
  readonly context: string;

  constructor(
    readonly kc: KubeConfig,
    readonly opts: KubeOptions,
  ) {
    this.api = new KubeRest(kc);
    this.endpoint = kc.getCurrentCluster()?.server ?? '';
    this.context = kc.getCurrentContext();
  }

  /** An API call whose failures that concern no object in particular (unreachable, denied) become one-line errors. */
  async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (e) {
      throw commonApiError(e, this.endpoint, this.context) ?? e;
    }
  }

  /** An API call whose every failure becomes a one-line error. */
  async must<T>(what: () => Promise<T>, doing: string): Promise<T> {
    try {
      return await this.call(what);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot ${doing}: ${apiMessage(e)}`, { cause: e });
    }
  }
}
