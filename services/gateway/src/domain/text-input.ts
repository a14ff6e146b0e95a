// The one rule for text that comes from outside (REST query, path and body, gRPC fields, file
// names): no control characters and well-formed Unicode. PostgreSQL refuses NUL in text and
// jsonb (a 500 instead of a 400), C1 and DEL hide text in logs and terminals, and a lone
// surrogate silently becomes U+FFFD on the way to UTF-8, so the stored text differs from the
// text given. Tab and line breaks are allowed only where a field is multi-line by nature.

// C0 and DEL and C1, optionally minus tab, LF and CR; plus lone UTF-16 surrogates.
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Surrogate}/u;
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Surrogate}/u;

export type TextProblem = 'a control character' | 'text that is not valid Unicode';

/** What makes `text` unacceptable as input, or null. */
export function textProblem(text: string, opts: { multiline?: boolean } = {}): TextProblem | null {
  const m = (opts.multiline ? CONTROL_BUT_LINE_BREAKS : ANY_CONTROL).exec(text);
  if (!m) return null;
  return /\p{Surrogate}/u.test(m[0]) ? 'text that is not valid Unicode' : 'a control character';
}

const utf8 = new TextEncoder();

/** Length in UTF-8 bytes: the unit of file names and of PostgreSQL's index limits. */
export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}
