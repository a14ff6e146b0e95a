// The text rule at the edge: every string of a request (body, message, query, path) is
// checked before any schema reads it, named by its path so a 400 says which field. The
// fields' own shapes and limits are in api-schema/.
import { textProblem } from '../domain/text-input.js';
import { validation } from '@framesmith/core/errors';

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
