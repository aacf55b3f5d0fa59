/**
 * Query validation of the message routes, as rest-typings' ajv schemas do it (coerceTypes, first
 * error only, checked in the order required → additionalProperties → properties in schema order).
 * Error bodies are the typed-route ones the rest of the emulator uses. Executed against ajv 8 +
 * ajv-formats 3: `count=` → null, `count= ` → 0, `count=0x1A` → 26, `count=Infinity` → null,
 * `count=ten` → "must be number"; a repeated string parameter → "must be string".
 */
import type { ApiResult } from '../routes/common.js';
import type { Json } from '../mongo.js';

export type Field =
  | { name: string; type: 'string'; minLength?: number; enum?: readonly string[]; format?: 'iso-date-time' }
  | { name: string; type: 'number' };

export interface MessageSchema {
  required: readonly string[];
  fields: readonly Field[];
}

export function invalid(message: string): ApiResult {
  return { status: 400, body: { success: false, errorType: 'error-invalid-params', error: message } };
}

/** ajv's number coercion of a query string: a number, null (nullable), or undefined when invalid. */
export function coerceNumber(v: string): number | null | undefined {
  if (v === '') return null;
  const n = +v;
  if (Number.isNaN(n)) return undefined;
  return Number.isFinite(n) ? n : null;
}

const DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
const TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ajv-formats `iso-date-time` (time zone optional, `t` or a space as separator, leap seconds). */
export function isIsoDateTime(s: string): boolean {
  const parts = s.split(/t|\s/i);
  if (parts.length !== 2) return false;
  const d = DATE.exec(parts[0] as string);
  if (!d) return false;
  const year = +(d[1] as string);
  const month = +(d[2] as string);
  const day = +(d[3] as string);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : (DAYS[month] as number))) return false;
  const t = TIME.exec(parts[1] as string);
  if (!t) return false;
  const hr = +(t[1] as string);
  const min = +(t[2] as string);
  const sec = +(t[3] as string);
  const sign = t[5] === '-' ? -1 : 1;
  const tzH = +(t[6] ?? 0);
  const tzM = +(t[7] ?? 0);
  if (tzH > 23 || tzM > 59) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  const utcMin = min - tzM * sign;
  const utcHr = hr - tzH * sign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

/** Validates and coerces; returns the coerced values or a 400. */
export function validate(schema: MessageSchema, q: URLSearchParams): { values: Record<string, Json> } | { error: ApiResult } {
  for (const r of schema.required) if (!q.has(r)) return { error: invalid(`must have required property '${r}'`) };
  const known = new Set(schema.fields.map((f) => f.name));
  for (const k of q.keys()) if (!known.has(k)) return { error: invalid('must NOT have additional properties') };
  const values: Record<string, Json> = {};
  for (const f of schema.fields) {
    const all = q.getAll(f.name);
    if (all.length === 0) continue;
    if (f.type === 'number') {
      const n = all.length === 1 ? coerceNumber(all[0] as string) : undefined;
      if (n === undefined) return { error: invalid('must be number') };
      values[f.name] = n;
      continue;
    }
    if (all.length > 1) return { error: invalid('must be string') };
    const v = all[0] as string;
    if (f.minLength !== undefined && v.length < f.minLength) return { error: invalid(`must NOT have fewer than ${f.minLength} characters`) };
    if (f.format === 'iso-date-time' && !isIsoDateTime(v)) return { error: invalid('must match format "iso-date-time"') };
    if (f.enum && !f.enum.includes(v)) return { error: invalid('must be equal to one of the allowed values') };
    values[f.name] = v;
  }
  return { values };
}
