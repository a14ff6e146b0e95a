// Reads the block structure of a GIF (no pixel decoding) so tests and output checks can verify
// what an encoder wrote: canvas size, loop count and per-frame delay and placement.
// Layout per the GIF89a specification: https://www.w3.org/Graphics/GIF/spec-gif89a.txt

export interface GifFrame {
  /** Delay after this frame in 1/100 s, from its Graphic Control Extension; 0 when it has none. */
  delayCs: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface GifInfo {
  width: number;
  height: number;
  /** null: no NETSCAPE2.0 block, the animation plays once; 0: forever; n: as written. */
  loopCount: number | null;
  frames: GifFrame[];
}

export class GifFormatError extends Error {
  override readonly name = 'GifFormatError';
  constructor(
    reason: string,
    /** Byte offset where the problem was found. */
    readonly offset: number,
  ) {
    super(`Malformed GIF at byte ${offset}: ${reason}`);
  }
}

const EXTENSION_INTRODUCER = 0x21;
const IMAGE_SEPARATOR = 0x2c;
const TRAILER = 0x3b;
const GRAPHIC_CONTROL_LABEL = 0xf9;
const APPLICATION_LABEL = 0xff;

export function inspectGif(buf: Uint8Array): GifInfo {
  const reader = new Reader(buf);
  const signature = String.fromCharCode(...reader.bytes(6, 'header'));
  if (signature !== 'GIF89a' && signature !== 'GIF87a') {
    throw new GifFormatError(`not a GIF (signature ${JSON.stringify(signature)})`, 0);
  }

  const width = reader.u16('logical screen width');
  const height = reader.u16('logical screen height');
  const packed = reader.u8('logical screen descriptor');
  reader.bytes(2, 'logical screen descriptor');
  skipColourTable(reader, packed, 'global colour table');

  let loopCount: number | null = null;
  let pendingDelayCs: number | null = null;
  const frames: GifFrame[] = [];

  for (;;) {
    const blockOffset = reader.offset;
    const introducer = reader.u8('block introducer (file ends without a trailer)');
    if (introducer === TRAILER) break;
    if (introducer === EXTENSION_INTRODUCER) {
      const label = reader.u8('extension label');
      if (label === GRAPHIC_CONTROL_LABEL) {
        pendingDelayCs = readGraphicControlDelay(reader);
      } else if (label === APPLICATION_LABEL) {
        loopCount = readApplicationExtension(reader) ?? loopCount;
      } else {
        skipSubBlocks(reader);
      }
      continue;
    }
    if (introducer === IMAGE_SEPARATOR) {
      const left = reader.u16('image left');
      const top = reader.u16('image top');
      const frameWidth = reader.u16('image width');
      const frameHeight = reader.u16('image height');
      skipColourTable(reader, reader.u8('image descriptor'), 'local colour table');
      const minCodeSize = reader.u8('LZW minimum code size');
      if (minCodeSize < 2 || minCodeSize > 8) {
        throw new GifFormatError(`LZW minimum code size ${minCodeSize} is outside 2..8`, reader.offset - 1);
      }
      skipSubBlocks(reader);
      // A Graphic Control Extension applies to the one image that follows it.
      frames.push({ delayCs: pendingDelayCs ?? 0, left, top, width: frameWidth, height: frameHeight });
      pendingDelayCs = null;
      continue;
    }
    throw new GifFormatError(`unknown block introducer 0x${introducer.toString(16).padStart(2, '0')}`, blockOffset);
  }

  return { width, height, loopCount, frames };
}

function skipColourTable(reader: Reader, packed: number, what: string): void {
  if (packed & 0x80) reader.bytes(3 * 2 ** ((packed & 0x07) + 1), what);
}

function readGraphicControlDelay(reader: Reader): number {
  const start = reader.offset;
  const size = reader.u8('graphic control extension size');
  if (size !== 4) throw new GifFormatError(`graphic control extension has size ${size}, expected 4`, start);
  reader.u8('graphic control extension');
  const delay = reader.u16('graphic control delay');
  reader.u8('graphic control extension');
  skipSubBlocks(reader);
  return delay;
}

/** The NETSCAPE2.0 loop count, or null for any other application extension. */
function readApplicationExtension(reader: Reader): number | null {
  const start = reader.offset;
  const size = reader.u8('application extension size');
  if (size !== 11) throw new GifFormatError(`application extension has size ${size}, expected 11`, start);
  const identifier = String.fromCharCode(...reader.bytes(11, 'application identifier'));
  // ANIMEXTS1.0 is the same block under another vendor's name.
  if (identifier !== 'NETSCAPE2.0' && identifier !== 'ANIMEXTS1.0') {
    skipSubBlocks(reader);
    return null;
  }
  let loopCount: number | null = null;
  for (;;) {
    const subStart = reader.offset;
    const length = reader.u8('application data sub-block');
    if (length === 0) break;
    const data = reader.bytes(length, 'application data sub-block');
    // Sub-block id 1 is the loop count; id 2 (buffering size) is of no interest.
    if (data[0] === 1) {
      if (length < 3) throw new GifFormatError('NETSCAPE2.0 loop sub-block is shorter than 3 bytes', subStart);
      loopCount = data[1]! | (data[2]! << 8);
    }
  }
  return loopCount;
}

function skipSubBlocks(reader: Reader): void {
  for (;;) {
    const length = reader.u8('data sub-block');
    if (length === 0) return;
    reader.bytes(length, 'data sub-block');
  }
}

class Reader {
  offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  u8(what: string): number {
    return this.bytes(1, what)[0]!;
  }

  u16(what: string): number {
    const b = this.bytes(2, what);
    return b[0]! | (b[1]! << 8);
  }

  bytes(n: number, what: string): Uint8Array {
    if (this.offset + n > this.buf.length) {
      throw new GifFormatError(`truncated in ${what} (needs ${n} bytes, ${this.buf.length - this.offset} left)`, this.offset);
    }
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}
