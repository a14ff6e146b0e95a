import { describe, expect, it } from 'vitest';
import { checkedLookup, createEgressPolicy, EgressRefusedError, hostVerdict, type Lookup, resolveChecked } from './egress-policy.js';
import { formatIp, parseCidr, parseIpLiteral } from './ip-address.js';

const strict = createEgressPolicy();
const fakeLookup =
  (table: Record<string, string[]>): Lookup =>
  (host, _opts, cb) => {
    const list = table[host];
    if (!list) return cb(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }), []);
    cb(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

describe('parseIpLiteral', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
    ['169.254.43518', '169.254.169.254'],
    ['[::1]', '::1'],
    ['::', '::'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['::ffff:7f00:1', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[fe80::1%25lo]', 'fe80::1'],
    ['2001:4860:4860::8888', '2001:4860:4860::8888'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('%s is %s', (text, expected) => {
    expect(formatIp(parseIpLiteral(text)!)).toBe(expected);
  });

  it.each(['example.com', '4294967296', '256.1.1.1', '1.2.3.4.5', '08.1.1.1', '0x', '[::1', '1::2::3', '::ffff:0177.0.0.1', '1:2:3:4:5:6:7:8:9', 'fe80::1%', ''])(
    '%s is not an address',
    (text) => {
      if (text === '0x') expect(formatIp(parseIpLiteral(text)!)).toBe('0.0.0.0'); // WHATWG reads `0x` as 0
      else expect(parseIpLiteral(text)).toBeNull();
    },
  );
});

describe('hostVerdict', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['127.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['[::ffff:7f00:2]', 'loopback'],
    ['[64:ff9b::7f00:1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'shared address space'],
    ['169.254.169.254', 'link-local'],
    ['[fe80::1%eth0]', 'link-local'],
    ['[fd00::1]', 'unique-local'],
    ['[fc00::1]', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['[ff02::1]', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['[::]', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['[2001:db8::1]', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['[::7f00:1]', 'reserved'],
    ['[2002:7f00:1::]', '6to4'],
    ['localhost', 'loopback name'],
    ['a.localhost', 'loopback name'],
    ['bad_host!', 'not a valid host name'],
  ])('refuses %s (%s)', (host, why) => {
    const v = hostVerdict(strict, host);
    expect(v.kind).toBe('refused');
    expect(v.kind === 'refused' && v.why).toContain(why);
  });

  it('allows public addresses and asks to resolve names', () => {
    expect(hostVerdict(strict, '8.8.8.8')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(strict, '[2001:4860:4860::8888]')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(strict, '172.32.0.1')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(strict, 'cdn.example.com')).toEqual({ kind: 'resolve' });
  });

  it('OUTBOUND_ALLOW widens it by CIDR (any notation of a covered address) and by host name', () => {
    const p = createEgressPolicy(['127.0.0.1/32', ' minio.internal ', 'fd00::/8', '10.0.0.5']);
    expect(hostVerdict(p, '127.0.0.1')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '2130706433')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '[::ffff:127.0.0.1]')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '127.0.0.2').kind).toBe('refused');
    expect(hostVerdict(p, 'MINIO.internal.')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '[fd00::9]')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '10.0.0.5')).toEqual({ kind: 'allowed' });
    expect(hostVerdict(p, '10.0.0.6').kind).toBe('refused');
  });

  it('refuses a malformed OUTBOUND_ALLOW entry instead of ignoring it', () => {
    expect(() => createEgressPolicy(['10.0.0.0/33'])).toThrow(/OUTBOUND_ALLOW/);
    expect(() => createEgressPolicy(['http://x/'])).toThrow(/OUTBOUND_ALLOW/);
  });

  it('parses CIDRs', () => {
    expect(parseCidr('10.0.0.0/8')?.prefix).toBe(8);
    expect(parseCidr('::/0')?.prefix).toBe(0);
    expect(parseCidr('1.2.3.4/x')).toBeNull();
  });
});

describe('resolveChecked', () => {
  it('passes a name whose every address is public', async () => {
    const list = await resolveChecked(strict, 'cdn.example.com', fakeLookup({ 'cdn.example.com': ['93.184.216.34', '2606:2800:220:1::1'] }));
    expect(list.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
  });

  it('refuses a name when any address is refused', async () => {
    const lookup = fakeLookup({ 'mixed.example': ['93.184.216.34', '10.0.0.1'], 'meta.example': ['::ffff:169.254.169.254'] });
    await expect(resolveChecked(strict, 'mixed.example', lookup)).rejects.toThrow(/mixed.example is not allowed \(resolves to private address 10.0.0.1\)/);
    await expect(resolveChecked(strict, 'meta.example', lookup)).rejects.toThrow(/link-local address 169.254.169.254/);
  });

  it('does not resolve a literal and trusts an allow-listed name', async () => {
    const none = fakeLookup({});
    await expect(resolveChecked(strict, '0x7f000001', none)).rejects.toBeInstanceOf(EgressRefusedError);
    const p = createEgressPolicy(['minio.internal']);
    expect(await resolveChecked(p, 'minio.internal', fakeLookup({ 'minio.internal': ['10.1.1.1'] }))).toHaveLength(1);
  });
});

describe('checkedLookup (connect time)', () => {
  const lookup = fakeLookup({ 'rebind.example': ['127.0.0.1'], 'ok.example': ['93.184.216.34'] });
  const call = (host: string, options: { all?: boolean }) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) => checkedLookup(strict, lookup)(host, options, (err, address) => resolve({ err, address })));

  it('fails the connection when the name resolves to a refused address now', async () => {
    const r = await call('rebind.example', {});
    expect(r.err).toBeInstanceOf(EgressRefusedError);
    expect((await call('rebind.example', { all: true })).err).toBeInstanceOf(EgressRefusedError);
  });

  it('hands over the checked address in both callback shapes', async () => {
    expect(await call('ok.example', {})).toEqual({ err: null, address: '93.184.216.34' });
    expect(await call('ok.example', { all: true })).toEqual({ err: null, address: [{ address: '93.184.216.34', family: 4 }] });
  });

  it('refuses an actual connection to a rebinding name (node:net uses the lookup)', async () => {
    const net = await import('node:net');
    const err = await new Promise<Error>((resolve) => {
      const s = net.connect({ host: 'rebind.example', port: 9, lookup: checkedLookup(strict, lookup) as never });
      s.on('error', resolve);
      s.on('connect', () => resolve(new Error('connected')));
    });
    expect(err).toBeInstanceOf(EgressRefusedError);
  });
});
