import { describe, expect, it } from 'vitest';
import { ExitMarkFilter } from '../../src/runtimes/kubernetes/exit-mark.js';
import { literal, parseQuantity } from '../../src/runtimes/kubernetes/runtime.js';

async function filter(chunks: string[]): Promise<{ out: string; code?: number }> {
  const f = new ExitMarkFilter();
  let out = '';
  f.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const done = new Promise((r) => f.on('end', r));
  for (const c of chunks) f.write(Buffer.from(c, 'latin1'));
  f.end();
  await done;
  return { out, code: f.code };
}

describe('exit mark', () => {
  it('takes the mark out and keeps the code, even split across chunks', async () => {
    expect(await filter(['hello\n\x1esidekick-exit 7\x1e'])).toEqual({ out: 'hello\n', code: 7 });
    expect(await filter(['out\x1esidek', 'ick-exit 1', '27\x1e'])).toEqual({ out: 'out', code: 127 });
  });
  it('never holds back ordinary output', async () => {
    const f = new ExitMarkFilter();
    const seen: string[] = [];
    f.on('data', (d: Buffer) => seen.push(d.toString()));
    f.write(Buffer.from('[prompt] # '));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['[prompt] # ']);
    expect(await filter(['a\x1eb'])).toEqual({ out: 'a\x1eb', code: undefined });
  });
});

describe('kubernetes translation', () => {
  it('keeps $ literal in commands and env values', () => {
    expect(literal('eval "$SIDEKICK_ENTRY" $$ $(X)')).toBe('eval "$$SIDEKICK_ENTRY" $$$$ $$(X)');
  });
  it('reads quantities', () => {
    expect(parseQuantity('64Mi')).toBe(64 * 1024 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('bogus')).toBeUndefined();
  });
});
