import { PassThrough } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectWhileBusy } from '../../src/young-collection.js';

describe('collectWhileBusy', () => {
  it('passes every byte on, and reaches V8 gc() once the stream gets busy', async () => {
    expect(runInNewContext('typeof gc')).toBe('undefined');
    const stream = new PassThrough();
    collectWhileBusy(stream);
    let seen = 0;
    stream.on('data', (chunk: Buffer) => (seen += chunk.length));
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 40; i++) {
      stream.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    stream.end();
    await new Promise((r) => stream.once('end', r));
    expect(seen).toBe(40 << 20);
    expect(runInNewContext('typeof gc')).toBe('function');
  });
});
