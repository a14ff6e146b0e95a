// The H.264 parameter sets of an MP4 the smart cut wrote itself (an edge: one video track,
// libx264 under ffmpeg, which keeps SPS/PPS out of band), read from the avcC box in the file
// instead of an ffmpeg run. Pure: the caller reads the file.

/** Boxes whose payload is a list of boxes, on the way from the file to the sample entry. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

interface Box {
  type: string;
  body: Buffer;
}

function* boxes(data: Buffer): Generator<Box> {
  let at = 0;
  while (at + 8 <= data.length) {
    let size = data.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > data.length) return;
      size = Number(data.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = data.length - at;
    if (size < header || at + size > data.length) return;
    yield { type: data.toString('latin1', at + 4, at + 8), body: data.subarray(at + header, at + size) };
    at += size;
  }
}

/** The avcC record of the first avc1/avc3 sample entry, or null. */
export function findAvcC(data: Buffer): Buffer | null {
  for (const box of boxes(data)) {
    if (CONTAINERS.has(box.type)) {
      const inner = findAvcC(box.body);
      if (inner) return inner;
    } else if (box.type === 'stsd') {
      // version/flags (4), entry count (4), then sample entries; a visual sample entry has 78
      // bytes of fields before its own boxes.
      for (const entry of boxes(box.body.subarray(8))) {
        if (entry.type !== 'avc1' && entry.type !== 'avc3') continue;
        for (const child of boxes(entry.body.subarray(78))) if (child.type === 'avcC') return child.body;
      }
    }
  }
  return null;
}

/** SPS and PPS NAL units of an avcC record (ISO/IEC 14496-15 5.3.3.1); null when malformed. */
export function parseAvcC(record: Buffer): { sps: Buffer[]; pps: Buffer[] } | null {
  if (record.length < 7 || record[0] !== 1) return null;
  let at = 5;
  const take = (count: number): Buffer[] | null => {
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > record.length) return null;
      const len = record.readUInt16BE(at);
      if (at + 2 + len > record.length) return null;
      out.push(Buffer.from(record.subarray(at + 2, at + 2 + len)));
      at += 2 + len;
    }
    return out;
  };
  const sps = take(record[at++]! & 0x1f);
  if (sps === null || at >= record.length) return null;
  const pps = take(record[at++]!);
  return pps === null ? null : { sps, pps };
}
