import { describe, expect, it } from 'vitest';
import { hostsLookup, parseResolvConf, queryNames } from '../../src/port-forward/target-names.js';

const HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost
172.18.0.3\t4f2a9c0e1b2d   # the container itself
172.18.0.5 Backend.Internal backend
`;

describe('hostsLookup', () => {
  it('finds every address of a name, case-insensitively, comments ignored', () => {
    expect(hostsLookup(HOSTS, 'localhost')).toEqual(['127.0.0.1', '::1']);
    expect(hostsLookup(HOSTS, 'backend.internal')).toEqual(['172.18.0.5']);
    expect(hostsLookup(HOSTS, 'backend.')).toEqual(['172.18.0.5']);
    expect(hostsLookup(HOSTS, 'the')).toEqual([]);
    expect(hostsLookup('', 'x')).toEqual([]);
  });
});

describe('parseResolvConf', () => {
  it("reads Docker's embedded resolver", () => {
    expect(parseResolvConf('nameserver 127.0.0.11\noptions ndots:0\n')).toEqual({ nameservers: ['127.0.0.11'], search: [], ndots: 0 });
  });

  it('reads a Kubernetes-style file', () => {
    const conf = parseResolvConf('search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5 timeout:1\n');
    expect(conf).toEqual({ nameservers: ['10.96.0.10'], search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  });

  it('falls back to the local resolver when no nameserver is named', () => {
    expect(parseResolvConf('# empty\n').nameservers).toEqual(['127.0.0.1']);
  });
});

describe('queryNames', () => {
  const k8s = { nameservers: ['10.96.0.10'], search: ['shop.svc.cluster.local', 'cluster.local'], ndots: 5 };
  it('tries the search domains first for a name with fewer than ndots dots', () => {
    expect(queryNames('db', k8s)).toEqual(['db.shop.svc.cluster.local', 'db.cluster.local', 'db']);
  });
  it('tries the name first once it has ndots dots, and only it when it ends with a dot', () => {
    expect(queryNames('a.b.c.d.e.f', k8s)[0]).toBe('a.b.c.d.e.f');
    expect(queryNames('db.internal.', k8s)).toEqual(['db.internal']);
    expect(queryNames('db.internal', { nameservers: [], search: [], ndots: 1 })).toEqual(['db.internal']);
  });
});
