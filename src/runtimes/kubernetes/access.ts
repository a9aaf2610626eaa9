/** Whether these credentials may do something, asked before doing it (a SelfSubjectAccessReview). */
import { debugLog } from '../../log.js';
import type { KubeRest } from './rest.js';

export interface ResourceAccess {
  namespace: string;
  verb: string;
  /** e.g. "pods" */
  resource: string;
  subresource?: string;
  name?: string;
}

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/**
 * The verbs of `access` that these credentials may not use. A review that cannot be made (an API
 * without the authorization group, or credentials that may not ask) denies nothing: the call
 * itself then says what is refused.
 */
export async function refusedVerbs(api: KubeRest, access: Omit<ResourceAccess, 'verb'>, verbs: string[]): Promise<string[]> {
  const answers = await Promise.all(
    verbs.map((verb) =>
      api
        .request<AccessReview>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { ...access, verb } },
        })
        .then(
          (review) => review.status?.allowed !== false,
          (e: unknown) => {
            debugLog(`kubernetes: cannot review access to ${verb} ${access.resource}: ${String(e)}`);
            return true;
          },
        ),
    ),
  );
  return verbs.filter((_, i) => !answers[i]);
}
