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
