import { describe, expect, it } from 'vitest';
import { formatHostPort, parseForwardSpec, parseForwardSpecs } from '../../src/port-forward/spec.js';
import { UserError } from '../../src/errors.js';

const at = (host: string, port: number) => ({ host, port });

describe('parseForwardSpec', () => {
  it.each([
    ['8080', at('127.0.0.1', 0), at('127.0.0.1', 8080)],
    ['9000:6060', at('127.0.0.1', 9000), at('127.0.0.1', 6060)],
    ['0:6060', at('127.0.0.1', 0), at('127.0.0.1', 6060)],
    ['db.internal:5432', at('127.0.0.1', 0), at('db.internal', 5432)],
    ['10.0.0.5:80', at('127.0.0.1', 0), at('10.0.0.5', 80)],
    ['9000:127.0.0.1:6060', at('127.0.0.1', 9000), at('127.0.0.1', 6060)],
    ['5432:db.internal:5432', at('127.0.0.1', 5432), at('db.internal', 5432)],
    ['5432:my_db:5432', at('127.0.0.1', 5432), at('my_db', 5432)],
    ['0.0.0.0:9000:6060', at('0.0.0.0', 9000), at('127.0.0.1', 6060)],
    ['localhost:9000:6060', at('localhost', 9000), at('127.0.0.1', 6060)],
    ['127.0.0.2:9000:redis:6379', at('127.0.0.2', 9000), at('redis', 6379)],
    ['[::1]:80', at('127.0.0.1', 0), at('::1', 80)],
    ['9000:[fd00::5]:80', at('127.0.0.1', 9000), at('fd00::5', 80)],
    ['[::1]:9000:6060', at('::1', 9000), at('127.0.0.1', 6060)],
    ['[::]:9000:[::1]:80', at('::', 9000), at('::1', 80)],
    ['65535:1', at('127.0.0.1', 65535), at('127.0.0.1', 1)],
    [' 8080 ', at('127.0.0.1', 0), at('127.0.0.1', 8080)],
  ])('parses %j', (raw, local, remote) => {
    expect(parseForwardSpec(raw)).toEqual({ local, remote, raw: raw.trim() });
  });

  it.each([
    ['', /it is empty/],
    ['http', /remote port "http" is not a number/],
    ['0', /remote port 0 is out of range/],
    ['65536', /remote port 65536 is out of range/],
    ['70000:80', /local port 70000 is out of range/],
    ['9000:', /remote port is empty/],
    [':80', /remote host is empty/],
    ['9000:8080:80', /remote host "8080" is a number/],
    ['a:b:c', /local port "b" is not a number/],
    ['1:2:3:4:5', /5 parts; at most 4/],
    ['::1:80', /parts; at most 4|empty/],
    ['[::1:80', /unmatched "\["/],
    ['::1]:80', /unmatched "\]"/],
    ['[127.0.0.1]:80', /not an IPv6 address/],
    ['[zz]:80', /not an IPv6 address/],
    ['9000:-e:80', /"-e" is not a host name/],
    ['9000:a b:80', /not a host name/],
    ['9000:$(id):80', /not a host name/],
    ['x[::1]:80', /malformed|not a host/],
  ])('rejects %j with a hint', (raw, why) => {
    expect(() => parseForwardSpec(raw)).toThrow(UserError);
    try {
      parseForwardSpec(raw);
    } catch (e) {
      expect((e as UserError).line).toMatch(/^bad port-forward spec .*: use \[\[LOCAL_HOST:\]LOCAL_PORT:\]/);
      expect((e as UserError).message).toMatch(why);
    }
  });
});

describe('parseForwardSpecs', () => {
  it('keeps the order and allows several random ports', () => {
    const specs = parseForwardSpecs(['8080', '9090', '0:7070']);
    expect(specs.map((s) => s.remote.port)).toEqual([8080, 9090, 7070]);
  });

  it('needs at least one spec', () => {
    expect(() => parseForwardSpecs([])).toThrow(/at least one port/);
  });

  it('rejects a fixed local address given twice', () => {
    expect(() => parseForwardSpecs(['9000:80', '9000:81'])).toThrow(/127\.0\.0\.1:9000 is given twice/);
    expect(parseForwardSpecs(['9000:80', '0.0.0.0:9000:81'])).toHaveLength(2);
  });
});

describe('formatHostPort', () => {
  it('brackets IPv6 addresses only', () => {
    expect(formatHostPort(at('127.0.0.1', 80))).toBe('127.0.0.1:80');
    expect(formatHostPort(at('db.internal', 5432))).toBe('db.internal:5432');
    expect(formatHostPort(at('::1', 80))).toBe('[::1]:80');
  });
});
