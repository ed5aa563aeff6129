import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress, parseAddress, shownAddress } from './client-address';
import { ipSubject } from './rate-limit/rate-limiter';

const NO_PROXY = { onVercel: false, trustedProxyHops: 0 };
const ONE_PROXY = { onVercel: false, trustedProxyHops: 1 };
const VERCEL = { onVercel: true, trustedProxyHops: 0 };
const headers = (init: Record<string, string>) => new Headers(init);
const HOSTILE = '203.0.113.9 -- URGENT from Latchkey security: your account is compromised';

describe('the client address comes only from a header this deployment trusts', () => {
  it('BF-05 with one trusted proxy, a spoofed first X-Forwarded-For entry is ignored: the address is the one the proxy appended', () => {
    // The client wrote "198.51.100.1, 192.0.2.50"; our proxy appended what it saw: 203.0.113.7.
    const h = headers({ 'x-forwarded-for': '198.51.100.1, 192.0.2.50, 203.0.113.7' });
    expect(clientAddress(h, ONE_PROXY)).toBe('203.0.113.7');
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.7' }), ONE_PROXY)).toBe(
      '203.0.113.7',
    );
  });

  it('with N trusted proxies, the address is the N-th entry from the right; a shorter chain gives none', () => {
    const h = headers({ 'x-forwarded-for': '192.0.2.99, 203.0.113.7, 10.0.0.2' });
    expect(clientAddress(h, { onVercel: false, trustedProxyHops: 2 })).toBe('203.0.113.7');
    expect(clientAddress(h, { onVercel: false, trustedProxyHops: 3 })).toBe('192.0.2.99');
    expect(clientAddress(h, { onVercel: false, trustedProxyHops: 4 })).toBeNull();
    expect(clientAddress(headers({}), ONE_PROXY)).toBeNull();
  });

  it('BF-05 with no proxy configured (npm run dev, a bare next start), forwarded headers are ignored: the address is unknown', () => {
    const h = headers({
      'x-forwarded-for': '203.0.113.7',
      'x-real-ip': '203.0.113.8',
      'x-vercel-forwarded-for': '203.0.113.9',
    });
    expect(clientAddress(h, NO_PROXY)).toBeNull();
  });

  it("on Vercel the address is the platform's x-vercel-forwarded-for, whatever X-Forwarded-For says", () => {
    const h = headers({
      'x-forwarded-for': '198.51.100.1, 203.0.113.7',
      'x-vercel-forwarded-for': '203.0.113.7',
    });
    expect(clientAddress(h, VERCEL)).toBe('203.0.113.7');
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.7' }), VERCEL)).toBeNull();
    expect(
      clientAddress(headers({ 'x-vercel-forwarded-for': '198.51.100.1, 203.0.113.7' }), VERCEL),
    ).toBeNull();
  });

  it('header text that is not an IP address gives no address: garbage, hostnames, ranges, zones, lists', () => {
    for (const text of [
      HOSTILE,
      'unknown',
      'localhost',
      'login.example.com',
      '203.0.113.0/24',
      '203.0.113',
      '203.0.113.256',
      '0x7f.0.0.1',
      '0203.0.113.9',
      '203.0.113.9 evil',
      'fe80::1%eth0',
      '2001:db8::1::2',
      '[2001:db8::1',
      '203.0.113.9:',
      `${'1'.repeat(70)}`,
      '',
      '  ',
    ]) {
      expect(parseAddress(text), text).toBeNull();
      expect(clientAddress(headers({ 'x-forwarded-for': text }), ONE_PROXY), text).toBeNull();
      expect(shownAddress(text), text).toBe('unknown');
    }
    expect(
      clientAddress(headers({ 'x-forwarded-for': `198.51.100.1, ${HOSTILE}` }), ONE_PROXY),
    ).toBeNull();
  });

  it('an address comes out in one canonical form: IPv4-mapped IPv6 as IPv4, IPv6 compressed in lower case, a proxy-added port dropped', () => {
    expect(parseAddress(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(parseAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(parseAddress('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(parseAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(parseAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(parseAddress('::')).toBe('::');
    expect(parseAddress('::1')).toBe('::1');
    expect(parseAddress('203.0.113.7:4711')).toBe('203.0.113.7');
    expect(parseAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(parseAddress('[2001:db8::1]')).toBe('2001:db8::1');
  });
});

describe('BF-05 per-address limits count an IPv6 client by its /64', () => {
  it('BF-05 every address of one /64 is one limit subject, however it is written; the next /64 is another', () => {
    const sameNetwork = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0db8:0001:0002:0000:0000:0000:0abc',
      '2001:DB8:1:2:3:4:5:6',
      '[2001:db8:1:2::7]:443',
    ];
    for (const ip of sameNetwork) {
      expect(addressBucket(ip), ip).toBe('2001:db8:1:2::/64');
      expect(ipSubject(ip), ip).toBe('ip:2001:db8:1:2::/64');
    }
    expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8::/64');
    expect(addressBucket('::1')).toBe('::/64');
    expect(addressBucket('::')).toBe('::/64');
    expect(addressBucket('1:2:3:4::')).toBe('1:2:3:4::/64');
    expect(addressBucket('0:0:0:1::5')).toBe('0:0:0:1::/64');
  });

  it('IPv4 counts per address, an IPv4-mapped IPv6 client as its IPv4, and unknown addresses share one subject', () => {
    expect(ipSubject('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipSubject('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipSubject('203.0.113.8')).not.toBe(ipSubject('203.0.113.7'));
    expect(ipSubject(null)).toBe('ip:unknown');
    expect(ipSubject(HOSTILE)).toBe('ip:unknown');
  });
});
