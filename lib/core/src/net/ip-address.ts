// IP literals in every notation a URL, a CONNECT line or a resolver may hand us, reduced to
// bytes so one range table decides. Attackers write loopback as `2130706433`, `0x7f.1`,
// `0177.0.0.1`, `127.1`, `[::ffff:127.0.0.1]` or `[::1%lo]`; each must compare as 127.0.0.1.

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parses a host as an IP literal (brackets and IPv6 zone ids allowed); null when it is a
 * name. IPv4 follows inet_aton/WHATWG: 1–4 parts, each decimal, octal (leading 0) or hex (0x),
 * the last part filling the remaining bytes.
 */
export function parseIpLiteral(host: string): IpAddress | null {
  let h = host.trim().toLowerCase();
  if (h.endsWith('.') && !h.endsWith('..')) h = h.slice(0, -1); // `127.0.0.1.` is the same host
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  else if (h.startsWith('[') || h.endsWith(']')) return null;
  if (h.includes(':')) return parseIpv6(h);
  return parseIpv4(h);
}

function parseIpv4(h: string): IpAddress | null {
  if (h === '') return null;
  const parts = h.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    const v = ipv4Part(part);
    if (v === null) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  const n = values.reduce((acc, v, i) => acc + v * 256 ** (3 - i), 0) + last;
  return { family: 4, bytes: new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]) };
}

function ipv4Part(part: string): number | null {
  let digits = part;
  let radix = 10;
  if (/^0x/.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0; // `0x` alone is 0 to inet_aton and WHATWG
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return null;
  const v = parseInt(digits, radix);
  return Number.isSafeInteger(v) && v <= 0xffffffff ? v : null;
}

function parseIpv6(text: string): IpAddress | null {
  const zone = text.indexOf('%');
  const h = zone === -1 ? text : text.slice(0, zone); // `fe80::1%eth0`: the zone picks an interface, not an address
  if (zone !== -1 && zone === text.length - 1) return null;
  const halves = h.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const push = (list: string[], isTail: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      const lastGroup = i === list.length - 1 && (isTail || halves.length === 1);
      if (lastGroup && g.includes('.')) {
        const v4 = parseStrictIpv4(g);
        if (!v4) return false;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/.test(g)) return false;
      words.push(parseInt(g, 16));
    }
    return true;
  };
  if (!push(head, false)) return null;
  const headLen = words.length;
  if (!push(tail, true)) return null;
  const tailWords = words.splice(headLen);
  if (halves.length === 1 ? words.length !== 8 : words.length + tailWords.length > 7) return null;
  const all = [...words, ...new Array<number>(8 - words.length - tailWords.length).fill(0), ...tailWords];
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 255;
  });
  return { family: 6, bytes };
}

// Inside IPv6 only the dotted-decimal form is valid (RFC 4291 §2.2).
function parseStrictIpv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return null;
  return parts.map(Number);
}

/** The IPv4 address an IPv6 one stands for (`::ffff:a.b.c.d` mapped, `64:ff9b::a.b.c.d` NAT64), else null. */
export function embeddedIpv4(ip: IpAddress): IpAddress | null {
  if (ip.family !== 6) return null;
  const b = ip.bytes;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12);
  return mapped || nat64 ? { family: 4, bytes: b.slice(12, 16) } : null;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const words = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  // RFC 5952: the longest run of two or more zero groups becomes `::`.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

/** `10.0.0.0/8`, `fc00::/7`, or a bare address (a single host). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.lastIndexOf('/');
  const ip = parseIpLiteral(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { family: ip.family, bytes: ip.bytes, prefix: Number(prefixText) };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip.bytes[i]! & mask)) return false;
  }
  return true;
}
