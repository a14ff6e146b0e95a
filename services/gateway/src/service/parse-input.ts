// Field readers for request bodies and queries. Every reader names the field in its error
// so a 400 says exactly what was wrong; the core never sees optional or untyped input.
import { textProblem } from '@framesmith/core/domain/text-input';
import { validation } from '@framesmith/core/errors';

export type Body = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: string): boolean {
  return UUID.test(v);
}

/** Fields whose text is multi-line by nature (an expression, JSON text): tab and line breaks pass. */
const MULTILINE_FIELDS = new Set(['clip.filter', 'configurationJson']);

/** The text rule (`textProblem`) as a 400 naming the field. */
export function checkText(text: string, field: string): string {
  const problem = textProblem(text, { multiline: MULTILINE_FIELDS.has(field) });
  if (problem) throw validation(`Unable to read ${field} because it contains ${problem}`, { field });
  return text;
}

/**
 * Applies the text rule to every string in a request (a JSON body, a protobuf message): values
 * and keys at any depth, named by their path (`clip.eventId`, `filter.extensions[1]`), so no
 * field can slip past by being new or nested.
 */
export function checkStrings(value: unknown, field = ''): void {
  // A loop, not recursion: 64 KiB of JSON can nest 30,000 levels deep, past the call stack.
  const pending: [unknown, string][] = [[value, field]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [v, name] = next;
    if (typeof v === 'string') {
      checkText(v, name || 'body');
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => pending.push([item, `${name}[${i}]`]));
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      for (const [key, item] of Object.entries(v)) {
        checkText(key, name ? `a field name in ${name}` : 'a field name');
        pending.push([item, name ? `${name}.${key}` : key]);
      }
    }
  }
}

/** The text rule for every query parameter, named by its key. */
export function checkQuery(q: URLSearchParams): void {
  for (const [key, value] of q) {
    checkText(key, 'a query parameter name');
    checkText(value, key);
  }
}

export function asObject(v: unknown, field: string): Body {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw validation(`${field} must be a JSON object`, { field });
  return v as Body;
}

export function reqString(b: Body, key: string, field = key, max = 256): string {
  const v = b[key];
  if (typeof v !== 'string' || v.trim() === '') throw validation(`${field} is required and must be a non-empty string`, { field });
  if (v.length > max) throw validation(`${field} must be at most ${max} characters`, { field });
  return v;
}

export function optString(b: Body, key: string, field = key, max = 2048): string | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw validation(`${field} must be a string`, { field });
  if (v.length > max) throw validation(`${field} must be at most ${max} characters`, { field });
  return v;
}

export function reqUuid(b: Body, key: string, field = key): string {
  const v = reqString(b, key, field, 64);
  if (!isUuid(v)) throw validation(`${field} must be a GUID`, { field });
  return v.toLowerCase();
}

export function optUuid(b: Body, key: string, field = key): string | null {
  const v = optString(b, key, field, 64);
  if (v === null) return null;
  if (!isUuid(v)) throw validation(`${field} must be a GUID`, { field });
  return v.toLowerCase();
}

export function optInt(b: Body, key: string, range: { min: number; max: number }, field = key): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(`${field} must be an integer`, { field });
  if (v < range.min || v > range.max) throw validation(`${field} must be between ${range.min} and ${range.max}`, { field, min: range.min, max: range.max });
  return v;
}

export function optNumber(b: Body, key: string, range: { min: number; max: number }, field = key): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw validation(`${field} must be a number`, { field });
  if (v < range.min || v > range.max) throw validation(`${field} must be between ${range.min} and ${range.max}`, { field, min: range.min, max: range.max });
  return v;
}

/** Booleans; the seed types some flags as int/float, so 0 and 1 are accepted too. */
export function optBool(b: Body, key: string, field = key): boolean | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw validation(`${field} must be true or false`, { field });
}

/** Query-string booleans: `true`/`false`/`1`/`0`, anything else is a 400. */
export function queryBool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null || v === '') return false;
  const lower = v.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw validation(`${key} must be true or false`, { field: key });
}
