/**
 * The few Kubernetes API calls sidekick makes, over node's https with the kubeconfig's credentials
 * (KubeConfig.applyToHTTPSOptions: certificates, tokens, exec plugins). The generated API client
 * of @kubernetes/client-node would add ~1.4 MB of code to every session's start.
 */
import type { KubeConfig, V1Pod, V1PodList } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

/** A failed call: `code` is the HTTP status, `body` the API's Status object, as client-node's errors carry. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}: ${(body as { message?: string })?.message ?? ''}`);
  }
}

/** The parts of a core/v1 Event sidekick reads. */
export interface PodEvent {
  reason?: string;
  message?: string;
  involvedObject?: { fieldPath?: string };
}

export class KubeRest {
  constructor(private readonly kc: KubeConfig) {}

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const server = this.kc.getCurrentCluster()!.server.replace(/\/$/, '');
    const url = new URL(server + path);
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) opts.headers = { ...opts.headers, 'Content-Type': contentType, 'Content-Length': payload.length };
    const client = url.protocol === 'http:' ? http : https;
    return new Promise<T>((resolve, reject) => {
      const req = client.request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON (a proxy's page): keep the text
          }
          if ((res.statusCode ?? 500) >= 400) reject(new ApiFailure(res.statusCode ?? 500, json));
          else resolve(json as T);
        });
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(Object.assign(new Error('the API did not answer in 30s'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
  }

  listPods(namespace?: string): Promise<V1PodList> {
    return this.request('GET', namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods');
  }

  /** Events about one pod (the kubelet's "Pulling", "Pulled", "Failed"...). */
  podEvents(namespace: string, pod: string): Promise<{ items: PodEvent[] }> {
    const selector = encodeURIComponent(`involvedObject.kind=Pod,involvedObject.name=${pod}`);
    return this.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=${selector}`);
  }

  /** Deletes a pod at once; gone already is fine. */
  async deletePod(namespace: string, name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}?gracePeriodSeconds=0`).catch((e: unknown) => {
      if ((e as ApiFailure)?.code !== 404) throw e;
    });
  }

  addEphemeralContainer(namespace: string, name: string, patch: unknown): Promise<V1Pod> {
    return this.request(
      'PATCH',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/ephemeralcontainers`,
      patch,
      'application/strategic-merge-patch+json',
    );
  }
}
