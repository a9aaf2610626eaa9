import { describe, expect, it } from 'vitest';
import { isStale } from '../../src/commands/sessions.js';
import { formatAge, renderTable } from '../../src/format.js';
import type { DebuggerInfo } from '../../src/runtimes/runtime.js';

const base: DebuggerInfo = { engine: 'docker', id: 'x', name: 'd', target: 't', status: 'Up', running: true, created: new Date(), owner: 'me@box:42' };

describe('listings', () => {
  it('formats ages like docker', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(formatAge(new Date('2026-01-01T11:59:30Z'), now)).toBe('30s');
    expect(formatAge(new Date('2026-01-01T11:00:00Z'), now)).toBe('1h');
    expect(formatAge(new Date('2025-12-29T12:00:00Z'), now)).toBe('3d');
  });
  it('renders a borderless table', () => {
    expect(renderTable(['A', 'BB'], [['xyz', '1']])).toBe('A    BB\nxyz  1');
  });
  it('calls a debugger stale when it stopped or its CLI on this host is gone', () => {
    expect(isStale({ ...base, running: false }, 'box', () => true)).toBe(true);
    expect(isStale(base, 'box', () => false)).toBe(true);
    expect(isStale(base, 'box', () => true)).toBe(false);
    expect(isStale(base, 'elsewhere', () => false)).toBe(false);
  });
});
