import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from './logger.js';
import { withLogContext } from './log-context.js';

/** A logger writing into an array, one parsed object per line. */
function capture(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const logger = createLogger('test', { level, format: 'json' }, { write: (s: string) => void lines.push(s) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('logger', () => {
  it('censors API keys in request headers, top level and one object down', () => {
    const { logger, lines, parsed } = capture();
    logger.info({ req: { method: 'GET', headers: { 'api-key': 'secret-one', 'x-auth-key': 'secret-two', authorization: 'Bearer secret-three', 'user-agent': 'curl' } } }, 'request');
    logger.info({ headers: { 'api-key': 'secret-four' } }, 'metadata');
    logger.info({ config: { apiKeys: ['secret-five'] }, apiKey: 'secret-six' }, 'settings');
    expect(lines.join('')).not.toMatch(/secret-/);
    const [req, meta, settings] = parsed();
    expect(req!.req.headers['api-key']).toBe(REDACTED);
    expect(req!.req.headers['x-auth-key']).toBe(REDACTED);
    expect(req!.req.headers.authorization).toBe(REDACTED);
    // Only secrets are censored.
    expect(req!.req.headers['user-agent']).toBe('curl');
    expect(meta!.headers['api-key']).toBe(REDACTED);
    expect(settings!.config.apiKeys).toBe(REDACTED);
    expect(settings!.apiKey).toBe(REDACTED);
  });

  it('censors every secret header on the request lines and the gRPC metadata, and the config secrets', () => {
    const { logger, lines, parsed } = capture();
    const headers = () => ({ 'api-key': 'secret-a', 'x-auth-key': 'secret-b', authorization: 'Basic secret-c', cookie: 'session=secret-d', host: 'gateway' });
    // The gateway's access line (http-observer.ts) and RPC line (rpc-observer.ts) shapes.
    logger.info({ component: 'gateway', req: { method: 'GET', url: '/api/asset/', headers: headers() }, route: 'GET /api/asset/', status: 200 }, 'request finished');
    logger.info({ headers: headers() }, 'metadata');
    logger.info({ config: { apiKey: 'secret-e', contentSigning: { secret: 'secret-f', ttlSeconds: 60 }, webhooks: { signingSecret: 'secret-g' } } }, 'config');
    logger.info({ credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret-h' }, secretAccessKey: 'secret-i', apiKeys: ['secret-j'] }, 'credentials');
    expect(lines.join('')).not.toMatch(/secret-/);
    const [access, meta, config, creds] = parsed();
    for (const h of [access!.req.headers, meta!.headers]) {
      expect(h).toEqual({ 'api-key': REDACTED, 'x-auth-key': REDACTED, authorization: REDACTED, cookie: REDACTED, host: 'gateway' });
    }
    expect(access).toMatchObject({ component: 'gateway', route: 'GET /api/asset/', status: 200, req: { method: 'GET', url: '/api/asset/' } });
    expect(config!.config).toEqual({ apiKey: REDACTED, contentSigning: { secret: REDACTED, ttlSeconds: 60 }, webhooks: { signingSecret: REDACTED } });
    expect(creds).toMatchObject({ credentials: { accessKeyId: 'AKID', secretAccessKey: REDACTED }, secretAccessKey: REDACTED, apiKeys: REDACTED });
  });

  it('leaves the logged objects as they were (redaction restores what it censored)', () => {
    const { logger } = capture();
    const req = { headers: { 'api-key': 'kept' } };
    logger.info({ req }, 'request finished');
    expect(req.headers['api-key']).toBe('kept');
  });

  it('writes JSON lines with the level name, time and the log context (transaction id)', () => {
    const { logger, parsed } = capture();
    withLogContext({ txn: 'txn-1' }, () => {
      withLogContext({ assetId: 'a1' }, () => logger.warn({ n: 1 }, 'inside'));
    });
    logger.info('outside');
    const [inside, outside] = parsed();
    expect(inside).toMatchObject({ level: 'warn', name: 'test', txn: 'txn-1', assetId: 'a1', n: 1, msg: 'inside' });
    expect(Date.parse(inside!.time)).not.toBeNaN();
    expect(outside!.txn).toBeUndefined();
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(lines).toHaveLength(1);
  });
});
