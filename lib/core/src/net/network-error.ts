// A network failure in our words: the code, never the remote side's text. Distinct words per
// cause help an operator; they reveal nothing about hosts the egress policy refuses, since
// those are refused before any connection is made.
import { EgressRefusedError } from './egress-policy.js';

const BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection reset',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** Worth another try: the origin may answer later. */
export const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function networkErrorCode(err: unknown): string | null {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return null;
}

export function describeNetworkError(err: unknown): string {
  if (err instanceof EgressRefusedError) return err.message;
  if ((err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError') return 'no answer in time';
  const code = networkErrorCode(err);
  if (code && BY_CODE[code]) return BY_CODE[code];
  if (code && (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('SSL') || code.startsWith('DEPTH_ZERO') || code.startsWith('UNABLE_TO'))) return 'the TLS handshake failed';
  return 'network error';
}
