// Field schemas that speak the contract's wording. Each builder is told the field's name so
// its refusal reads exactly as the hand-written readers did ("name is required and must be a
// non-empty string", "fps must be between 1 and 50"); `toValidationError` turns the first
// issue into the contract's ValidationError naming that field. The same schemas render the
// OpenAPI document (limits appear there as minimum/maximum/maxLength).
import * as z from 'zod';
import { type ClipTime, parseClipTime } from '@framesmith/core/time';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: string): boolean {
  return UUID.test(v);
}

/**
 * A GUID path parameter (asset or event id), lower-cased, refused with `message`. `maxLength`
 * refuses a longer value first with its own wording (the sync route's "at most 64 characters").
 */
export function idParam(message: string, maxLength?: { max: number; message: string }) {
  const text = maxLength ? z.string().max(maxLength.max, { error: maxLength.message }) : z.string();
  return text.refine(isUuid, { error: message }).transform((v) => v.toLowerCase()).meta({ format: 'uuid' });
}

/** A non-empty string of at most `max` characters. */
export const reqString = (field: string, max = 256) => {
  const missing = `${field} is required and must be a non-empty string`;
  return z
    .string({ error: missing })
    .min(1, { error: missing })
    .max(max, { error: `${field} must be at most ${max} characters` })
    .refine((v) => v.trim() !== '', { error: missing });
};

/** An optional string; absent and null read as null. */
export const optString = (field: string, max = 2048) =>
  z
    .string({ error: `${field} must be a string` })
    .max(max, { error: `${field} must be at most ${max} characters` })
    .nullish()
    .transform((v) => v ?? null);

const guid = (field: string, s: z.ZodType<string, string>) =>
  s.refine(isUuid, { error: `${field} must be a GUID` }).transform((v) => v.toLowerCase()).meta({ format: 'uuid' });

/** A required GUID, lower-cased. */
export const reqUuid = (field: string) => guid(field, reqString(field, 64));

/** An optional GUID, lower-cased; absent and null read as null. */
export const optUuid = (field: string) =>
  guid(field, z.string({ error: `${field} must be a string` }).max(64, { error: `${field} must be at most 64 characters` }))
    .nullish()
    .transform((v) => v ?? null);

interface Range {
  min: number;
  max: number;
}

/** A number within `range`; the refusal carries the range, as the contract's data did. */
const ranged = (field: string, range: Range, base: z.ZodNumber) =>
  base
    .refine((v) => v >= range.min && v <= range.max, { error: `${field} must be between ${range.min} and ${range.max}`, params: { min: range.min, max: range.max } })
    .meta({ minimum: range.min, maximum: range.max });

/** An optional integer in `range`; absent and null read as null. */
export const optInt = (field: string, range: Range) =>
  ranged(field, range, z.number({ error: `${field} must be an integer` }).int({ error: `${field} must be an integer` }))
    .nullish()
    .transform((v) => v ?? null);

/** An optional finite number in `range`; absent and null read as null. */
export const optNumber = (field: string, range: Range) =>
  ranged(field, range, z.number({ error: `${field} must be a number` }))
    .nullish()
    .transform((v) => v ?? null);

/** Booleans; the seed types some flags as int/float, so 0 and 1 are accepted too. */
export const optBool = (field: string) =>
  z
    .union([z.boolean(), z.literal(0), z.literal(1)], { error: `${field} must be true or false` })
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : v === true || v === 1));

/** Query-string booleans: `true`/`false`/`1`/`0` in any case, absent or empty is false. */
export const queryBool = (field: string) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || /^(true|false|1|0)?$/i.test(v), { error: `${field} must be true or false` })
    .transform((v) => v !== undefined && /^(true|1)$/i.test(v))
    .meta({ enum: ['true', 'false', '1', '0'] });

/** `HH:mm:ss.fff` from the first frame, or an ISO8601 instant. */
export const clipTime = (field: string) =>
  reqString(field, 64)
    .transform((text, ctx): ClipTime => {
      const t = parseClipTime(text);
      if (t) return t;
      ctx.addIssue({ code: 'custom', message: `${field} must be HH:mm:ss.fff or an ISO8601 instant, got ${JSON.stringify(text)}` });
      return z.NEVER;
    })
    .meta({ description: '`HH:mm:ss` or `HH:mm:ss.fff` from the first displayed frame, or an ISO8601 instant (sources with timecode only)', examples: ['00:00:05.000'] });

/**
 * An optional absolute http(s) URL without credentials, normalised; absent and null read as
 * null. The egress policy is checked after parsing, by the service (it resolves names).
 */
export const optHttpUrl = (field: string, max = 2048) =>
  optString(field, max)
    .transform((raw, ctx) => {
      if (raw === null) return null;
      const problem = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return problem(`${field} must be an absolute http(s) URL`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return problem(`${field} must use http or https`);
      if (u.username || u.password) return problem(`${field} must not carry credentials`);
      return u.toString();
    })
    .meta({ format: 'uri' });
