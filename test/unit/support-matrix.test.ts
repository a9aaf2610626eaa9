/** The README's support matrix is what the engines declare and the scenarios need: it cannot drift. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, COLUMNS, lacking } from '../helpers/capabilities.js';
import { SCENARIOS } from '../contract/scenarios.js';
import { BEGIN, END, renderMatrix, withMatrix } from '../contract/support-matrix.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

describe('the support matrix', () => {
  it('in README.md is the one the declarations render (npm run matrix rewrites it)', () => {
    expect(readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length)).toBe(withMatrix(`${BEGIN}${END}`, renderMatrix(root)));
  });

  it('changes when a declaration changes', () => {
    const before = renderMatrix(root);
    const saved = CAPABILITIES.containerd.nsenter;
    CAPABILITIES.containerd.nsenter = 'not here';
    try {
      expect(renderMatrix(root)).not.toBe(before);
    } finally {
      CAPABILITIES.containerd.nsenter = saved;
    }
  });

  it('names existing test files for every scenario, and every column', () => {
    for (const scenario of Object.values(SCENARIOS)) for (const file of scenario.files) expect(() => readFileSync(`${root}${file}`)).not.toThrow();
    expect(renderMatrix(root).split('\n')[0]).toBe('| scenario | Docker | Podman | containerd | nerdctl | Kubernetes |');
    expect(COLUMNS).toHaveLength(5);
  });

  it("gives the first reason an engine lacks what a scenario needs, and none where it has everything", () => {
    expect(lacking('docker', ['idPrefix', 'networks', 'nsenter'])).toBeUndefined();
    expect(lacking('kubernetes', ['memoryLimits', 'removableDebuggers', 'idPrefix'])).toBe(CAPABILITIES.kubernetes.removableDebuggers);
    expect(lacking('podman', ['nodes'])).toBe('');
  });

  it('says port-forward takes nsenter on containerd and nerdctl, as their engines declare', () => {
    const row = renderMatrix(root).split('\n').find((l) => l.startsWith('| port-forward'))!;
    expect(row.split(' | ').slice(1, 5)).toEqual(Array(4).fill('exec + nsenter (`--via auto` takes it)'));
  });
});
