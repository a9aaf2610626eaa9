/** Talking to a forwarded local port the way a client does. */
import { connect } from 'node:net';

/** Sends a payload, half-closes, and collects everything that comes back until the far end closes. */
export function exchange(port: number, payload: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.end(payload);
  });
}

/** exchange(), the answer as text. */
export async function talk(port: number, payload: string): Promise<string> {
  return (await exchange(port, payload)).toString();
}
