// A DNS responder for the tests: answers A queries for the names given (NAME=IPV4) and nothing else
// (NOERROR, no answer), on UDP ADDRESS:PORT. Started in a target's network namespace (test/helpers/dns.ts)
// so that a diagnose dns check has a resolver that works, then one that does not.
// Usage: node dns-responder.mjs ADDRESS PORT NAME=IPV4...
import { createSocket } from 'node:dgram';

const [address, port, ...pairs] = process.argv.slice(2);
const names = new Map(pairs.map((p) => p.split('=')).map(([name, ip]) => [name.toLowerCase(), ip]));

/** The question's name and where the question ends (labels, then type and class). */
function question(msg) {
  const labels = [];
  let at = 12;
  while (msg[at]) {
    labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('ascii'));
    at += msg[at] + 1;
  }
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(at + 1), end: at + 5 };
}

const server = createSocket('udp4');
server.on('message', (msg, from) => {
  if (msg.length < 17) return;
  const q = question(msg);
  const ip = q.type === 1 ? names.get(q.name) : undefined;
  const known = names.has(q.name);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0); // the query's id
  header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // a response, recursion available; NXDOMAIN for other names
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ip ? 1 : 0, 6);
  const parts = [header, msg.subarray(12, q.end)];
  if (ip) {
    const answer = Buffer.alloc(16);
    answer.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    answer.writeUInt16BE(1, 2); // A
    answer.writeUInt16BE(1, 4); // IN
    answer.writeUInt32BE(60, 6); // TTL
    answer.writeUInt16BE(4, 10);
    ip.split('.').forEach((octet, i) => answer.writeUInt8(Number(octet), 12 + i));
    parts.push(answer);
  }
  server.send(Buffer.concat(parts), from.port, from.address);
});
server.bind(Number(port), address, () => console.log('ready'));
