import { describe, expect, it } from 'vitest';
import {
  blockedHostnameReason,
  guardedLookup,
  isAddressAllowed,
  isBlockedAddress,
  parseIPv6,
  type HostResolver,
} from './ipGuard.js';
import { ToolError } from './types.js';

describe('isBlockedAddress', () => {
  it.each([
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.254', '127.0.0.1', '127.255.0.9',
    '169.254.169.254', '169.254.0.1', '172.16.0.1', '172.31.255.255', '192.0.0.8', '192.0.2.1', '192.168.1.1',
    '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1',
    '255.255.255.255',
  ])('blocks IPv4 %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each([
    '::', '::1', '[::1]', '::7f00:1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', '::ffff:169.254.169.254',
    '64:ff9b::127.0.0.1', '64:ff9b::a00:1', '64:ff9b:1::1', '100::1', '2001:db8::1', 'fc00::1', 'fd00:ec2::254',
    'fe80::1', 'fe80::1%eth0', 'febf::1', 'fec0::1', 'ff02::1',
    '2002:7f00:1::1', // 6to4 wrapping 127.0.0.1
    '2002:a9fe:a9fe::1', // 6to4 wrapping 169.254.169.254
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo whose client is 192.0.2.45
  ])('blocks IPv6 %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '172.15.255.255', '100.128.0.1', '100.63.255.255',
    '192.169.0.1', '198.20.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '2002:808:808::1',
  ])('allows public %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });

  it('treats anything that is not an IP address as blocked', () => {
    expect(isBlockedAddress('example.com')).toBe(true);
    expect(isBlockedAddress('999.1.1.1')).toBe(true);
    expect(isBlockedAddress('')).toBe(true);
  });

  it('parses IPv6 forms to the same number', () => {
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('::ffff:7f00:1'));
    expect(parseIPv6('[0:0:0:0:0:0:0:1]')).toBe(1n);
    expect(parseIPv6('1::')).toBe(1n << 112n);
    expect(parseIPv6('not-an-ip')).toBeNull();
  });
});

describe('isAddressAllowed', () => {
  it('honours allowPrivate: off, on, and an address:port predicate', () => {
    expect(isAddressAllowed('127.0.0.1', 8080)).toBe(false);
    expect(isAddressAllowed('127.0.0.1', 8080, true)).toBe(true);
    const onlyPageServer = (a: string, p: number) => a === '127.0.0.1' && p === 8080;
    expect(isAddressAllowed('127.0.0.1', 8080, onlyPageServer)).toBe(true);
    expect(isAddressAllowed('127.0.0.1', 80, onlyPageServer)).toBe(false);
    expect(isAddressAllowed('10.0.0.1', 8080, onlyPageServer)).toBe(false);
    expect(isAddressAllowed('[::1]', 8080, (a) => a === '::1')).toBe(true);
    expect(isAddressAllowed('8.8.8.8', 80, onlyPageServer)).toBe(true);
  });
});

describe('blockedHostnameReason', () => {
  it.each(['localhost', 'LOCALHOST.', 'app.localhost', 'metadata.google.internal', 'printer.local', 'redis', 'rag_api'])(
    'refuses %s',
    (h) => {
      expect(blockedHostnameReason(h)).not.toBeNull();
    },
  );
  it.each(['example.com', 'evil.test', '127.0.0.1.nip.io'])('lets %s through to the address check', (h) => {
    expect(blockedHostnameReason(h)).toBeNull();
  });
});

describe('guardedLookup', () => {
  const call = (resolve: HostResolver, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: unknown; address: unknown; family?: number }>((done) => {
      const lookup = guardedLookup(resolve, (a) => !isBlockedAddress(a));
      lookup('host.test', options as never, (err, address, family) => done({ err, address, family }));
    });

  it('answers the {all: true} array form and the single form', async () => {
    const resolve: HostResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ];
    const all = await call(resolve, { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    const one = await call(resolve, { family: 6 });
    expect(one).toMatchObject({ err: null, address: '2606:2800:220:1::1', family: 6 });
  });

  it('refuses when any resolved address is private, in both forms', async () => {
    const resolve: HostResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:7f00:1', family: 6 },
    ];
    for (const options of [{ all: true }, {}]) {
      const r = await call(resolve, options);
      expect(r.err).toBeInstanceOf(ToolError);
      expect((r.err as ToolError).code).toBe('blocked_address');
    }
  });

  it('passes resolver failures and empty answers on as DNS errors', async () => {
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND host.test'), { code: 'ENOTFOUND' });
    };
    expect(((await call(failing, { all: true })).err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
    expect(((await call(async () => [], { all: true })).err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});
