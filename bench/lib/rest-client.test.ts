import { describe, expect, it } from 'vitest';
import { envelope, readEnvelopes } from './rest-client.js';

async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
}

async function read(body: AsyncIterable<Uint8Array>) {
  const out = [];
  for await (const m of readEnvelopes(body)) out.push(m);
  return out;
}

describe('readEnvelopes (the Connect server stream the bench follows)', () => {
  const end = Buffer.from(envelope({}));
  end[0] = 0x02;
  const stream = Buffer.concat([envelope({ asset: { stateString: 'GENERATING' } }), envelope({ asset: { stateString: 'COMPLETED' } }), end]);
  const expected = [
    { end: false, message: { asset: { stateString: 'GENERATING' } } },
    { end: false, message: { asset: { stateString: 'COMPLETED' } } },
    { end: true, message: {} },
  ];

  it('reads messages that arrive whole, in one chunk', async () => {
    expect(await read(chunks(stream, []))).toEqual(expected);
  });

  it('reads messages cut anywhere, inside the 5-byte prefix too', async () => {
    expect(await read(chunks(stream, [1, 3, 7, 20, 41, 42, stream.length - 2]))).toEqual(expected);
  });

  it('leaves a message whose bytes never all arrived unread', async () => {
    expect(await read(chunks(stream.subarray(0, stream.length - 1), [4]))).toEqual(expected.slice(0, 2));
  });
});
