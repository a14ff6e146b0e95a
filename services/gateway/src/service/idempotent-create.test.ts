import { describe, expect, it } from 'vitest';
import { loadConfig } from '@framesmith/core/config';
import { assetRequestSchemas } from '../api-schema/asset-requests.js';
import { parseBody } from '../api-schema/parse.js';
import type { AssetObject } from '@framesmith/core/domain/asset';
import type { Claim, IdempotencyStore } from '../db/idempotency.js';
import { idempotencyScope, idempotentCreate, requestHash } from './idempotent-create.js';

const { image, gif } = assetRequestSchemas(loadConfig({}).limits);
const EVENT = '6f9619ff-8b86-d011-b42d-00c04fc964ff';

describe('what makes two requests the same', () => {
  it('compares normalised requests: order, case of the GUID and spelled-out defaults do not matter', () => {
    const a = requestHash('image', parseBody(image, { eventId: EVENT, name: 'n', time: '00:00:01' }));
    const b = requestHash('image', parseBody(image, { time: '00:00:01.000', priority: 5, filename: null, name: 'n', eventId: EVENT.toUpperCase() }));
    expect(b).toBe(a);
  });
  it('tells apart another value or another kind', () => {
    const a = requestHash('image', parseBody(image, { eventId: EVENT, name: 'n', time: '00:00:01' }));
    expect(requestHash('image', parseBody(image, { eventId: EVENT, name: 'n', time: '00:00:02' }))).not.toBe(a);
    const clip = parseBody(gif, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02' }, name: 'n' });
    expect(requestHash('gif', clip)).not.toBe(requestHash('video', clip as never));
  });
  it('scopes keys by a hash of the API key, never the key itself', () => {
    expect(idempotencyScope('secret-key')).toMatch(/^[0-9a-f]{32}$/);
    expect(idempotencyScope('secret-key')).not.toContain('secret');
    expect(idempotencyScope('secret-key')).not.toBe(idempotencyScope('other-key'));
  });
});

describe('idempotentCreate', () => {
  const asset = (id: string) => ({ id }) as AssetObject;
  const store = (claim: Claim, takeOver = false) =>
    ({
      claim: async () => claim,
      takeOver: async () => takeOver,
      markDone: async () => undefined,
      release: async () => undefined,
    }) as unknown as IdempotencyStore;
  const idem = { scope: 's', key: 'k' };

  it('tells create whether it took over a crashed claim (only then may the row exist already)', async () => {
    const seen: [string, boolean][] = [];
    const create = async (id: string, takeover: boolean) => (seen.push([id, takeover]), asset(id));
    const replay = async (id: string) => asset(`replayed ${id}`);
    await idempotentCreate(store({ won: true, assetId: 'fresh' }), idem, 'h', create, replay, 1000);
    const stale = { requestHash: 'h', assetId: 'crashed', done: false, claimedAt: new Date(0), stale: true };
    await idempotentCreate(store({ won: false, row: stale }, true), idem, 'h', create, replay, 1000);
    expect(seen).toEqual([
      ['fresh', false],
      ['crashed', true],
    ]);
  });
});
