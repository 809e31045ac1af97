import { isIP, type LookupFunction } from 'node:net';
import { promises as dns } from 'node:dns';
import { ToolError } from './types.js';

/**
 * SSRF address checks for fetch_page (notes/llm-wire.md §7.3). Addresses are parsed into numbers and
 * matched against CIDR tables, so textual tricks (`::ffff:7f00:1`, `64:ff9b::10.0.0.1`) cannot slip by.
 */

/** `true` allows every address (tests only); a predicate allows chosen blocked `address:port` pairs. */
export type AllowPrivate = boolean | ((address: string, port: number) => boolean);

/** Resolves a host name to every address it has; injectable so tests can fake DNS. */
export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** Parses a strict dotted-quad IPv4 address to an unsigned 32-bit number. */
export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** Parses an IPv6 address (with `::`, an embedded dotted IPv4 tail, or a `%zone`) to a 128-bit bigint. */
export function parseIPv6(input: string): bigint | null {
  let s = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(s) !== 6) return null;
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (tail) {
    const v4 = parseIPv4(tail[1]);
    if (v4 === null) return null;
    s = `${s.slice(0, tail.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.split('::');
  const a = head ? head.split(':') : [];
  const b = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - a.length - b.length;
  const groups = [...a, ...Array<string>(fill).fill('0'), ...b];
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function v4Cidr(base: string, bits: number): [number, number] {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [(parseIPv4(base)! & mask) >>> 0, mask];
}
function v6Cidr(base: string, bits: number): [bigint, bigint] {
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  return [parseIPv6(base)! & mask, mask];
}

const V4_BLOCKED = (
  [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
    ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
    ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4], ['255.255.255.255', 32],
  ] as const
).map(([b, n]) => v4Cidr(b, n));

const V6_BLOCKED = (
  [
    // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form (::7f00:1); none is a public host.
    ['::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
    ['64:ff9b:1::', 48], // RFC 8215 local-use NAT64
  ] as const
).map(([b, n]) => v6Cidr(b, n));

const MAPPED = v6Cidr('::ffff:0:0', 96);
const NAT64 = v6Cidr('64:ff9b::', 96);
const SIX_TO_FOUR = v6Cidr('2002::', 16);
const TEREDO = v6Cidr('2001::', 32);

export function isBlockedIPv4(n: number): boolean {
  return V4_BLOCKED.some(([base, mask]) => ((n & mask) >>> 0) === base);
}

export function isBlockedIPv6(n: bigint): boolean {
  const within = ([base, mask]: [bigint, bigint]) => (n & mask) === base;
  if (V6_BLOCKED.some(within)) return true;
  const low32 = Number(n & 0xffffffffn);
  // Forms that embed an IPv4 address the packet may end up at: unwrap and check it.
  if (within(MAPPED) || within(NAT64)) return isBlockedIPv4(low32);
  // 6to4 and Teredo go beyond §7.3, but they embed IPv4 too and cost nothing to check.
  if (within(SIX_TO_FOUR)) return isBlockedIPv4(Number((n >> 80n) & 0xffffffffn));
  if (within(TEREDO)) return isBlockedIPv4(~low32 >>> 0) || isBlockedIPv4(Number((n >> 64n) & 0xffffffffn));
  return false;
}

/** True for any address fetch_page must not dial; unparsable input counts as blocked. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return isBlockedIPv4(parseIPv4(bare)!);
  if (family === 6) {
    const n = parseIPv6(bare);
    return n === null || isBlockedIPv6(n);
  }
  return true;
}

/** Whether `address:port` may be dialled under the given `allowPrivate` setting. */
export function isAddressAllowed(address: string, port: number, allowPrivate: AllowPrivate = false): boolean {
  if (allowPrivate === true || !isBlockedAddress(address)) return true;
  return typeof allowPrivate === 'function' && allowPrivate(address.replace(/^\[|\]$/g, ''), port);
}

/**
 * Host names refused before any DNS lookup: names that by convention point inside the network
 * (`localhost`, `.localhost`, `.local`, `.internal`) and single-label names (Docker/K8s services).
 * Returns the reason, or null when the name may be resolved (its addresses are still checked).
 */
export function blockedHostnameReason(hostname: string): string | null {
  const h = hostname.toLowerCase().replace(/\.+$/, '');
  if (!h) return 'empty host name';
  if (h === 'localhost' || h.endsWith('.localhost')) return 'localhost';
  if (h.endsWith('.local') || h.endsWith('.internal')) return 'an internal domain';
  if (!h.includes('.')) return 'a single-label host name';
  return null;
}

/**
 * A `net.connect` lookup hook that resolves through `resolve` and refuses the connection when ANY
 * resolved address is blocked. Checking inside the hook validates the address actually dialled
 * (no DNS-rebinding gap). Node calls it with `{all: true}` (autoSelectFamily), so both answer
 * shapes are produced. IP-literal hosts never reach this hook: check them before dispatching.
 */
export function guardedLookup(resolve: HostResolver, allowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const list = all.filter((a) => !family || a.family === family);
        const bad = list.find((a) => !allowed(a.address));
        if (bad) {
          callback(new ToolError('blocked_address', `Refusing to fetch ${hostname}: it resolves to a private or reserved address`), '');
          return;
        }
        if (list.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '');
          return;
        }
        if (options.all) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, list[0].address, list[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
