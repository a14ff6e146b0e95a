// Clip and grab times: `HH:mm:ss[.fff]` offsets from the start of the stream, or ISO8601
// instants that only sources carrying timecode can map (see docs/api.md).
export type ClipTime = { kind: 'offset'; seconds: number } | { kind: 'instant'; epochMs: number };

const OFFSET = /^(\d{1,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

export function parseClipTime(text: string): ClipTime | null {
  const o = OFFSET.exec(text);
  if (o) {
    const [, h, m, s, frac] = o;
    // Millisecond resolution keeps the arithmetic exact for frame rounding later.
    const ms = frac ? Math.round(Number('0.' + frac) * 1000) : 0;
    return { kind: 'offset', seconds: (Number(h) * 3600_000 + Number(m) * 60_000 + Number(s) * 1000 + ms) / 1000 };
  }
  const i = ISO.exec(text);
  if (i) {
    const normalised = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const epochMs = Date.parse(normalised);
    if (Number.isNaN(epochMs)) return null;
    // Date.parse silently rolls over impossible dates (Feb 30th); reject them.
    const month = Number(i[2]);
    const day = Number(i[3]);
    if (month < 1 || month > 12 || day < 1 || day > 31 || Number(i[4]) > 23 || Number(i[5]) > 59 || Number(i[6]) > 59) return null;
    return { kind: 'instant', epochMs };
  }
  return null;
}

export function formatOffset(seconds: number): string {
  const totalMs = Math.round(seconds * 1000);
  const h = Math.floor(totalMs / 3600_000);
  const m = Math.floor((totalMs % 3600_000) / 60_000);
  const s = Math.floor((totalMs % 60_000) / 1000);
  const ms = totalMs % 1000;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}
