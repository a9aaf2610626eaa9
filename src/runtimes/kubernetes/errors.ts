/** Kubernetes API failures as one-line errors that say what to do. */
import { UserError } from '../../errors.js';

interface ApiFailure {
  code?: number | string;
  body?: unknown;
  message?: string;
  cause?: { code?: string };
}

export function apiStatus(e: unknown): number | undefined {
  const code = (e as ApiFailure)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function apiMessage(e: unknown): string {
  const f = e as ApiFailure;
  let body = f?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
  }
  const message = (body as { message?: string } | undefined)?.message ?? (typeof body === 'string' && body) ?? f?.message ?? String(e);
  return String(message).split('\n')[0]!.trim();
}

/** Failures that are not about the object asked for: the API is down, or we may not ask. */
export function commonApiError(e: unknown, server: string, context: string): UserError | undefined {
  if (e instanceof UserError) return e;
  const status = apiStatus(e);
  const netCode = (e as ApiFailure)?.code ?? (e as ApiFailure)?.cause?.code;
  if (status === undefined && typeof netCode === 'string' && /^E[A-Z]+/.test(netCode)) {
    return new UserError(`cannot reach the Kubernetes API at ${server} (context ${context}, ${netCode})`, {
      hint: 'check that the cluster runs and the kubeconfig points at it',
      kind: 'unreachable',
      cause: e,
    });
  }
  if (status === undefined && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed/i.test(String((e as Error)?.message))) {
    return new UserError(`cannot reach the Kubernetes API at ${server} (context ${context})`, {
      hint: 'check that the cluster runs and the kubeconfig points at it',
      kind: 'unreachable',
      cause: e,
    });
  }
  if (status === 401) {
    return new UserError(`the Kubernetes API at ${server} did not accept the credentials of context ${context}`, {
      hint: 'refresh your credentials (kubeconfig user)',
      kind: 'denied',
      cause: e,
    });
  }
  if (status === 403) {
    const message = apiMessage(e);
    const rbac = /cannot (\w+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)")?/.exec(message);
    if (rbac) {
      return new UserError(`forbidden: you may not ${rbac[1]} ${rbac[2]}${rbac[3] ? ` in namespace ${rbac[3]}` : ''}`, {
        hint: `ask for an RBAC role that allows "${rbac[1]}" on "${rbac[2]}"`,
        kind: 'denied',
        cause: e,
      });
    }
  }
  return undefined;
}
