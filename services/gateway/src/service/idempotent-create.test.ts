import { describe, expect, it } from 'vitest';
import { loadConfig } from '@framesmith/core/config';
import { assetRequestSchemas } from '../api-schema/asset-requests.js';
import { parseBody } from '../api-schema/parse.js';
import { idempotencyScope, requestHash } from './idempotent-create.js';

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
