// Unified-Streaming-style track filters, e.g. `(type=="video"&&DisplayHeight==576)`.
// The text comes straight from API clients, so it is parsed here into a tree and evaluated
// in process; it is never handed to a shell or to ffmpeg. Grammar (&& binds tighter than ||):
//
//   expr       := and ('||' and)*
//   and        := unary ('&&' unary)*
//   unary      := '!' unary | '(' expr ')' | comparison
//   comparison := field op literal | literal op field
import type { TrackInfo } from './track-info.js';

export type StringField = 'type' | 'FourCC' | 'SystemLanguage';
export type NumberField = 'DisplayWidth' | 'DisplayHeight' | 'SystemBitrate';
export type FilterField = StringField | NumberField;
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterNode =
  | { kind: 'or'; operands: FilterNode[] }
  | { kind: 'and'; operands: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; field: StringField; op: '==' | '!='; value: string }
  | { kind: 'compare'; field: NumberField; op: CompareOp; value: number };

export const MAX_FILTER_LENGTH = 1024;
export const MAX_FILTER_DEPTH = 32;

/** A filter that does not parse; the API answers it with a 400, never a retry. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  constructor(
    readonly reason: string,
    /** 0-based character offset into the filter text. */
    readonly position: number,
  ) {
    super(`Invalid track filter at position ${position}: ${reason}`);
  }
}

const FIELDS: ReadonlyMap<string, FilterField> = new Map(
  (['type', 'FourCC', 'SystemLanguage', 'DisplayWidth', 'DisplayHeight', 'SystemBitrate'] as const).map((f) => [f.toLowerCase(), f]),
);
const STRING_FIELDS: ReadonlySet<FilterField> = new Set<FilterField>(['type', 'FourCC', 'SystemLanguage']);

// The user's document was typed in a word processor, so its examples carry typographic quotes.
const QUOTES = new Set(['"', '\u201c', '\u201d']);

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'op'; op: CompareOp | '&&' | '||' | '!' | '(' | ')'; pos: number }
  | { kind: 'end'; pos: number };

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')'] as const;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (QUOTES.has(ch)) {
      i++;
      while (i < text.length && !QUOTES.has(text[i]!)) i++;
      if (i >= text.length) throw new FilterSyntaxError('unterminated string', start);
      tokens.push({ kind: 'string', value: text.slice(start + 1, i), pos: start });
      i++;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(?:\.[0-9]+)?/.exec(text.slice(i))!;
      i += match[0].length;
      if (i < text.length && /[A-Za-z0-9_.]/.test(text[i]!)) throw new FilterSyntaxError('malformed number', start);
      tokens.push({ kind: 'number', value: Number(match[0]), pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      i += match[0].length;
      tokens.push({ kind: 'ident', text: match[0], pos: start });
      continue;
    }
    const op = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (op) {
      i += op.length;
      tokens.push({ kind: 'op', op, pos: start });
      continue;
    }
    if (ch === '=') throw new FilterSyntaxError("'=' is not an operator; use '=='", start);
    if (ch === '&' || ch === '|') throw new FilterSyntaxError(`'${ch}' is not an operator; use '${ch}${ch}'`, start);
    throw new FilterSyntaxError(`unexpected character ${JSON.stringify(ch)}`, start);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

export function parseTrackFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterSyntaxError(`filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  }
  const tokens = tokenize(text);
  let next = 0;
  const peek = (): Token => tokens[next]!;
  // Stays on the final 'end' token so that a short filter reports it rather than reading past it.
  const take = (): Token => {
    const t = peek();
    if (t.kind !== 'end') next++;
    return t;
  };
  const isOp = (op: string): boolean => {
    const t = peek();
    return t.kind === 'op' && t.op === op;
  };

  // Both '(' and '!' recurse, so both count towards the depth limit that keeps a hostile
  // filter from exhausting the stack.
  const enter = (depth: number, pos: number): number => {
    if (depth >= MAX_FILTER_DEPTH) throw new FilterSyntaxError(`nested deeper than ${MAX_FILTER_DEPTH} levels`, pos);
    return depth + 1;
  };

  // `a op b op c` for one operator: a flat list of operands (|| over &&-chains, && over unaries).
  const parseChain = (op: '||' | '&&', kind: 'or' | 'and', operand: (depth: number) => FilterNode, depth: number): FilterNode => {
    const operands = [operand(depth)];
    while (isOp(op)) {
      next++;
      operands.push(operand(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind, operands };
  };
  const parseOr = (depth: number): FilterNode => parseChain('||', 'or', parseAnd, depth);
  const parseAnd = (depth: number): FilterNode => parseChain('&&', 'and', parseUnary, depth);

  const parseUnary = (depth: number): FilterNode => {
    const t = peek();
    if (isOp('!')) {
      next++;
      return { kind: 'not', operand: parseUnary(enter(depth, t.pos)) };
    }
    if (isOp('(')) {
      next++;
      const inner = parseOr(enter(depth, t.pos));
      if (!isOp(')')) throw unexpected(peek(), "')'");
      next++;
      return inner;
    }
    return parseComparison();
  };

  const parseComparison = (): FilterNode => {
    const first = take();
    if (first.kind !== 'ident' && first.kind !== 'string' && first.kind !== 'number') {
      throw unexpected(first, 'a field name');
    }
    const opToken = take();
    if (opToken.kind !== 'op' || !isCompareOp(opToken.op)) throw unexpected(opToken, 'a comparison operator');
    const second = take();
    let fieldToken: Extract<Token, { kind: 'ident' }>;
    let literal: Token;
    let op: CompareOp = opToken.op;
    if (first.kind === 'ident') {
      fieldToken = first;
      literal = second;
    } else {
      if (second.kind !== 'ident') throw unexpected(second, 'a field name');
      fieldToken = second;
      literal = first;
      op = MIRRORED[op];
    }
    const field = FIELDS.get(fieldToken.text.toLowerCase());
    if (!field) throw new FilterSyntaxError(`unknown field '${fieldToken.text}'`, fieldToken.pos);
    if (STRING_FIELDS.has(field)) {
      if (literal.kind !== 'string') throw unexpected(literal, `a quoted string for ${field}`);
      if (op !== '==' && op !== '!=') {
        throw new FilterSyntaxError(`${field} can only be compared with == or !=`, opToken.pos);
      }
      return { kind: 'compare', field: field as StringField, op, value: literal.value };
    }
    if (literal.kind !== 'number') throw unexpected(literal, `a number for ${field}`);
    return { kind: 'compare', field: field as NumberField, op, value: literal.value };
  };

  const tree = parseOr(0);
  if (peek().kind !== 'end') throw unexpected(peek(), "'&&', '||' or the end of the filter");
  return tree;
}

const MIRRORED: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function isCompareOp(op: string): op is CompareOp {
  return op in MIRRORED;
}

function unexpected(token: Token, expected: string): FilterSyntaxError {
  const found =
    token.kind === 'end'
      ? 'the end of the filter'
      : token.kind === 'op'
        ? `'${token.op}'`
        : token.kind === 'ident'
          ? `'${token.text}'`
          : token.kind === 'string'
            ? `"${token.value}"`
            : String(token.value);
  return new FilterSyntaxError(`expected ${expected}, found ${found}`, token.pos);
}

export function evaluateTrackFilter(node: FilterNode, track: TrackInfo): boolean {
  switch (node.kind) {
    case 'or':
      return node.operands.some((n) => evaluateTrackFilter(n, track));
    case 'and':
      return node.operands.every((n) => evaluateTrackFilter(n, track));
    case 'not':
      return !evaluateTrackFilter(node.operand, track);
    case 'compare':
      return typeof node.value === 'string'
        ? compareString(node.field as StringField, track, node.op as '==' | '!=', node.value)
        : compareNumber(numberValue(node.field as NumberField, track), node.op, node.value);
  }
}

export function selectTracks(node: FilterNode, tracks: TrackInfo[]): TrackInfo[] {
  return tracks.filter((track) => evaluateTrackFilter(node, track));
}

function stringValue(field: StringField, track: TrackInfo): string | null {
  switch (field) {
    case 'type':
      return track.type;
    case 'FourCC':
      return track.fourCC === '' ? null : track.fourCC;
    case 'SystemLanguage':
      return track.language;
  }
}

function numberValue(field: NumberField, track: TrackInfo): number | null {
  switch (field) {
    case 'DisplayWidth':
      return track.width;
    case 'DisplayHeight':
      return track.height;
    case 'SystemBitrate':
      return track.bitrate;
  }
}

// Unified Streaming calls text tracks `textstream`; accept its spelling alongside ours.
const TYPE_ALIASES: Readonly<Record<string, string>> = { textstream: 'text' };

function compareString(field: StringField, track: TrackInfo, op: '==' | '!=', expected: string): boolean {
  const actual = stringValue(field, track);
  // A missing value matches nothing, not even `!=`, so `SystemLanguage!="eng"` keeps only
  // tracks known to be in another language.
  if (actual === null) return false;
  // Muxers disagree on case (`avc1` in MP4, `AVC1` in the docs' examples).
  const a = actual.toLowerCase();
  let e = expected.toLowerCase();
  if (field === 'type') e = TYPE_ALIASES[e] ?? e;
  return op === '==' ? a === e : a !== e;
}

function compareNumber(actual: number | null, op: CompareOp, expected: number): boolean {
  if (actual === null) return false;
  switch (op) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}
