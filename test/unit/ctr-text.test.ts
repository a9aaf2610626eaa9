import { describe, expect, it } from 'vitest';
import { normalizeRef, plainHttpRegistry } from '../../src/runtimes/containerd/ctr-text.js';

describe('normalizeRef', () => {
  it("names images as containerd stores them, Docker's defaults filled in", () => {
    expect(normalizeRef('busybox:musl')).toBe('docker.io/library/busybox:musl');
    expect(normalizeRef('me/app')).toBe('docker.io/me/app:latest');
    expect(normalizeRef('127.0.0.1:5055/sidekick/toolkit:pull-test')).toBe('127.0.0.1:5055/sidekick/toolkit:pull-test');
    expect(normalizeRef('localhost/app@sha256:abc')).toBe('localhost/app@sha256:abc');
  });
});

describe('plainHttpRegistry', () => {
  it('speaks plain HTTP to a registry on the loopback', () => {
    const local = ['127.0.0.1:5055/sidekick/toolkit:pull-test', '127.1.2.3/app', 'localhost:5000/app', 'localhost/app', 'LOCALHOST:5000/app'];
    for (const image of [...local, '[::1]:5000/app', '[::1]/app', '[0:0:0:0:0:0:0:1]:5000/app']) {
      expect(plainHttpRegistry(normalizeRef(image)), image).toBe(true);
    }
  });

  it('keeps HTTPS for every other registry, and for names that only look local', () => {
    // "localhost" alone is an image of Docker Hub's library, "localhost:5000" its tag 5000
    const hub = ['busybox:musl', 'localhost', 'localhost:5000', 'me/localhost', 'docker.io/library/app'];
    const remote = ['128.0.0.1:5000/app', '10.0.0.1:5000/app', '127.0.0.1.nip.io/app', '127.example.com/app', 'localhost.localdomain:5000/app', 'myregistry.localhost/app'];
    for (const image of [...hub, ...remote, '[::2]:5000/app', '[fe80::1]/app']) {
      expect(plainHttpRegistry(normalizeRef(image)), image).toBe(false);
    }
  });
});
