import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { byPreference, isRunning, selectorText, summarise, whyNotRunning } from '../../src/runtimes/kubernetes/workloads.js';

const pod = (name: string, status: V1Pod['status'], created = '2026-01-01T00:00:00Z', deleting = false): V1Pod => ({
  metadata: { name, creationTimestamp: created as unknown as Date, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
  status,
});
const readyCond = [{ type: 'Ready', status: 'True' }];

describe('workload pods', () => {
  it('turns a LabelSelector into the labelSelector parameter', () => {
    expect(
      selectorText({
        matchLabels: { app: 'web', tier: 'front' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['a', 'b'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['x'] },
          { key: 'owner', operator: 'Exists' },
        ],
      }),
    ).toBe('app=web,tier=front,env in (a,b),!canary,zone notin (x),owner');
    expect(selectorText(undefined)).toBe('');
  });

  it('prefers ready pods, then the oldest, then by name', () => {
    const pods = [
      pod('c', { phase: 'Running' }, '2026-01-01T00:00:00Z'),
      pod('b', { phase: 'Running', conditions: readyCond }, '2026-01-02T00:00:00Z'),
      pod('a', { phase: 'Running', conditions: readyCond }, '2026-01-02T00:00:00Z'),
      pod('z', { phase: 'Running', conditions: readyCond }, '2026-01-01T00:00:00Z'),
    ];
    expect(pods.sort(byPreference).map((p) => p.metadata!.name)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('counts a terminating pod as not running', () => {
    expect(isRunning(pod('a', { phase: 'Running' }))).toBe(true);
    expect(isRunning(pod('a', { phase: 'Running' }, undefined, true))).toBe(false);
    expect(whyNotRunning(pod('a', { phase: 'Running' }, undefined, true))).toBe('Terminating');
  });

  it('says why pods do not run, grouped', () => {
    const pull = pod('a', { phase: 'Pending', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] });
    const unscheduled = pod('b', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] });
    const done = pod('c', { phase: 'Succeeded' });
    expect(summarise([pull, pull, unscheduled, done])).toBe('2 Pending/ImagePullBackOff, 1 Pending/Unschedulable, 1 Succeeded');
  });
});
