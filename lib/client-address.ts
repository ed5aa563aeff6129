import { isIP } from 'node:net';

// Where a request came from, as far as this deployment can know it. Headers are text anyone can
// send, so only a header written by something we trust counts, and only if it parses as an IP
// address: on Vercel its own x-vercel-forwarded-for; behind proxies we run, the entry of
// X-Forwarded-For that the outermost of them appended (TRUSTED_PROXY_HOPS, counted from the
// right); otherwise nothing. Whatever leaves this module is an address in canonical form or null,
// never header text. Decision record: docs/decisions/0017-client-address.md.

export type ProxyTrust = {
  /** On Vercel: the platform writes x-vercel-forwarded-for itself, whatever the client sent. */
  onVercel: boolean;
  /** How many proxies of ours append to X-Forwarded-For in front of the app (0: none). */
  trustedProxyHops: number;
};

/** The client's address from the trusted header, or null when there is none to trust. */
export function clientAddress(headers: Headers, trust: ProxyTrust): string | null {
  if (trust.onVercel) return parseAddress(headers.get('x-vercel-forwarded-for'));
  const hops = trust.trustedProxyHops;
  if (hops < 1) return null;
  // Each proxy appends what it saw: the last `hops` entries are ours, and the first of them is
  // the address the outermost proxy saw. Entries further left are whatever the client wrote.
  const chain = headers.get('x-forwarded-for')?.split(',') ?? [];
  return chain.length < hops ? null : parseAddress(chain[chain.length - hops]);
}

/**
 * An IP address in canonical form, or null: IPv4 in dotted decimal, IPv6 lower case and
 * compressed (RFC 5952), an IPv4-mapped IPv6 address as the IPv4 it maps. A port some proxies
 * add (`203.0.113.7:4711`, `[2001:db8::1]:443`) is dropped; a zone (`fe80::1%eth0`) is refused.
 */
export function parseAddress(text: string | null | undefined): string | null {
  if (!text) return null;
  let address = text.trim();
  if (address.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(address);
  address = bracketed?.[1] ?? withPort?.[1] ?? address;
  if (address.includes('%')) return null;
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return null;
  const groups = ipv6Groups(address);
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  return canonicalIpv6(address);
}

/**
 * What per-address limits count: an IPv4 address itself, an IPv6 address by its /64 prefix
 * (`2001:db8:1:2::/64`), since one subscriber usually holds a whole /64 and may use any address
 * in it. Null for anything that is not an address.
 */
export function addressBucket(ip: string | null | undefined): string | null {
  const address = parseAddress(ip);
  if (!address || isIP(address) === 4) return address;
  const prefix = ipv6Groups(address).slice(0, 4);
  return `${canonicalIpv6(`${prefix.map((g) => g.toString(16)).join(':')}::`)}/64`;
}

/** The address as an email or page may show it: a checked address, or "unknown". */
export function shownAddress(ip: string | null | undefined): string {
  return parseAddress(ip) ?? 'unknown';
}

/** RFC 5952 text, as the WHATWG URL parser writes an IPv6 host (the input is a valid address). */
function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/** The eight 16-bit groups of a valid IPv6 address, '::' and a dotted IPv4 tail expanded. */
function ipv6Groups(address: string): number[] {
  // The canonical text has no dotted tail and at most one '::'.
  const [head = '', tail] = canonicalIpv6(address).split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const gap = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...gap, ...right].map((group) => parseInt(group, 16));
}
