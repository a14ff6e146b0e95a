// The one egress policy: which hosts and addresses anything the system fetches may reach
// (sources, playlists, segments through ffmpeg's proxy, callbacks). Everything that is not a
// public unicast address is refused — loopback, private, CGNAT, link-local (cloud metadata at
// 169.254.169.254), unique-local, multicast, unspecified, broadcast, documentation and reserved
// ranges — in every notation, unless the operator widens the policy with OUTBOUND_ALLOW.
// Names are resolved and every address must pass; the address a socket connects to is checked
// again at connect time (checkedLookup), so a name that re-resolves elsewhere (DNS rebinding)
// gains nothing.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { type Cidr, cidrContains, embeddedIpv4, formatIp, type IpAddress, parseCidr, parseIpLiteral } from './ip-address.js';

export interface EgressPolicy {
  /** Networks the operator trusts (OUTBOUND_ALLOW, tests' 127.0.0.0/8). */
  allowCidrs: Cidr[];
  /** Host names the operator trusts whatever they resolve to (OUTBOUND_ALLOW names, the S3 endpoint's host). */
  allowHosts: Set<string>;
}

/** A destination the policy refuses. Never worth a retry. */
export class EgressRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly why: string,
  ) {
    super(`the address of ${host} is not allowed (${why})`);
    this.name = 'EgressRefusedError';
  }
}

/**
 * Builds the policy from OUTBOUND_ALLOW-style entries: CIDRs, single addresses, or host names.
 * Throws on an entry that is none of them (a typo must not silently widen or narrow it).
 */
export function createEgressPolicy(allow: readonly string[] = []): EgressPolicy {
  const policy: EgressPolicy = { allowCidrs: [], allowHosts: new Set() };
  for (const raw of allow) {
    const entry = raw.trim();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (cidr) policy.allowCidrs.push(cidr);
    else if (isHostName(entry)) policy.allowHosts.add(normaliseName(entry));
    else throw new Error(`OUTBOUND_ALLOW entry ${JSON.stringify(entry)} is neither a CIDR, an address nor a host name`);
  }
  return policy;
}

export function isHostName(s: string): boolean {
  return s.length <= 253 && /^(?=.*[a-z])[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/i.test(s) && !s.includes('..');
}

function normaliseName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

// [range, why]: public unicast is everything else. IPv6 outside 2000::/3 is refused as a whole.
const REFUSED_V4: [string, string][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes 255.255.255.255, broadcast
];
const REFUSED_V6: [string, string][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['2001::/23', 'reserved'], // Teredo and other IETF protocol assignments
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'], // tunnels to an IPv4 address that this check would not see
  ['3fff::/20', 'documentation'],
];
const compile = (list: [string, string][]) => list.map(([c, why]) => ({ cidr: parseCidr(c)!, why }));
const V4 = compile(REFUSED_V4);
const V6 = compile(REFUSED_V6);
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3')!;

/** Why the policy refuses this address, or null when it may be reached. */
export function refusedAddress(policy: EgressPolicy, ip: IpAddress): string | null {
  if (policy.allowCidrs.some((c) => cidrContains(c, ip))) return null;
  const v4 = embeddedIpv4(ip);
  if (v4) return refusedAddress(policy, v4);
  const table = ip.family === 4 ? V4 : V6;
  const hit = table.find((r) => cidrContains(r.cidr, ip));
  if (hit) return `${hit.why} address ${formatIp(ip)}`;
  if (ip.family === 6 && !cidrContains(GLOBAL_UNICAST_V6, ip)) return `reserved address ${formatIp(ip)}`;
  return null;
}

export type HostVerdict = { kind: 'allowed' } | { kind: 'refused'; why: string } | { kind: 'resolve' };

/**
 * What the host alone says: an allow-listed name or a literal address is decided here; any
 * other name must be resolved (resolveChecked) and is checked again where it connects.
 */
export function hostVerdict(policy: EgressPolicy, host: string): HostVerdict {
  const ip = parseIpLiteral(host);
  if (ip) {
    const why = refusedAddress(policy, ip);
    return why === null ? { kind: 'allowed' } : { kind: 'refused', why };
  }
  const name = normaliseName(host.replace(/^\[|\]$/g, ''));
  if (!isHostName(name)) return { kind: 'refused', why: 'not a valid host name' };
  if (policy.allowHosts.has(name)) return { kind: 'allowed' };
  // `localhost` and its subdomains never leave the machine, whatever a resolver says.
  if (name === 'localhost' || name.endsWith('.localhost')) return { kind: 'refused', why: 'loopback name' };
  return { kind: 'resolve' };
}

export type Lookup = (hostname: string, options: { all: true; family?: number }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: Lookup = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * The system resolver with a deadline, for request paths: getaddrinfo has none of its own
 * and a stalled DNS server must not hold an API request (ETIMEDOUT after `ms`).
 */
export function timedLookup(hostname: string, options: { all: true; family?: number }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void, ms = 5_000): void {
  let done = false;
  const timer = setTimeout(() => {
    done = true;
    callback(Object.assign(new Error(`resolving ${hostname} timed out`), { code: 'ETIMEDOUT' }), []);
  }, ms);
  dnsLookup(hostname, options, (err, addresses) => {
    if (done) return;
    clearTimeout(timer);
    callback(err, addresses);
  });
}

/** Resolves `host` and checks every address; throws EgressRefusedError if any is refused. */
export async function resolveChecked(policy: EgressPolicy, host: string, lookup: Lookup = systemLookup): Promise<LookupAddress[]> {
  const verdict = hostVerdict(policy, host);
  if (verdict.kind === 'refused') throw new EgressRefusedError(host, verdict.why);
  const literal = parseIpLiteral(host);
  if (literal) return [{ address: formatIp(literal), family: literal.family }];
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookup(host, { all: true }, (err, list) => (err ? reject(err) : resolve(list))),
  );
  if (verdict.kind === 'allowed') return addresses;
  for (const a of addresses) {
    const ip = parseIpLiteral(a.address);
    const why = ip ? refusedAddress(policy, ip) : 'not an address';
    if (why !== null) throw new EgressRefusedError(host, `resolves to ${why}`);
  }
  if (addresses.length === 0) throw new EgressRefusedError(host, 'resolves to no address');
  return addresses;
}

type NodeLookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/http/https/tls: resolves through the policy at connect time, so the
 * socket connects only to an address that was checked in the same step. Works with Node's
 * `autoSelectFamily` (which asks for all addresses) and with single-address callers.
 */
export function checkedLookup(policy: EgressPolicy, lookup: Lookup = systemLookup) {
  return (hostname: string, options: { all?: boolean; family?: number } | number | undefined, callback: NodeLookupCallback): void => {
    const all = typeof options === 'object' && options?.all === true;
    resolveChecked(policy, hostname, lookup).then(
      (addresses) => (all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, all ? [] : ''),
    );
  };
}
