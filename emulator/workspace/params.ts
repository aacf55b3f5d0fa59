/**
 * Query parsing and error bodies shared by the workspace-wide and omnichannel routes: `key[]=`
 * arrays, ajv-style checks with Rocket.Chat's two validation formats (typed routes before
 * authentication, legacy `validateParams` inside the action), Meteor/plain error bodies.
 * See docs/rocketchat-api-notes.md#error-bodies.
 */
import type { ApiResult } from '../routes/common.js';
import { err } from '../routes/errors.js';
import { InvalidSortError, parseSort, type SortSpec } from '../mongo.js';

/** Query values by name, `name[]` folded into `name`, in order of appearance. */
export type Params = Map<string, string[]>;

export function paramsOf(q: URLSearchParams): Params {
  const out: Params = new Map();
  for (const [rawKey, value] of q) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    const list = out.get(key);
    if (list) list.push(value); else out.set(key, [value]);
  }
  return out;
}

/** The one value of a scalar parameter (undefined when absent). */
export function one(p: Params, key: string): string | undefined {
  return p.get(key)?.[0];
}

export type FieldType = 'number' | 'string' | 'boolean' | 'string[]' | 'string|string[]' | 'string|boolean' | { enum: readonly string[] };

export interface ParamSchema {
  readonly fields: Readonly<Record<string, FieldType>>;
  readonly required?: readonly string[];
}

function typeError(t: FieldType, values: string[]): string | undefined {
  const scalar = values.length === 1;
  if (t === 'string[]' || t === 'string|string[]') return undefined;
  if (!scalar) return t === 'number' ? 'must be number' : t === 'boolean' ? 'must be boolean' : typeof t === 'object' ? 'must be equal to one of the allowed values' : 'must be string';
  const v = values[0] as string;
  if (t === 'number') return v.trim() === '' || Number.isFinite(Number(v)) ? undefined : 'must be number';
  if (t === 'boolean') return v === 'true' || v === 'false' ? undefined : 'must be boolean';
  if (typeof t === 'object') return t.enum.includes(v) ? undefined : 'must be equal to one of the allowed values';
  return undefined;
}

/** The first ajv message for `p` against `schema` (ajv stops at the first error), or undefined. */
export function schemaError(schema: ParamSchema, p: Params): string | undefined {
  for (const key of p.keys()) if (!(key in schema.fields)) return 'must NOT have additional properties';
  for (const key of schema.required ?? []) if (!p.has(key)) return `must have required property '${key}'`;
  for (const [key, t] of Object.entries(schema.fields)) {
    const values = p.get(key);
    if (values) {
      const e = typeError(t, values);
      if (e) return e;
    }
  }
  return undefined;
}

/** Legacy `validateParams` failure (livechat/* and omnichannel/* routes). */
export function legacyInvalid(message: string): ApiResult {
  return { status: 400, body: { success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' } };
}

/** Typed-route query failure, checked before authentication. */
export function typedInvalid(message: string): ApiResult {
  return { status: 400, body: { success: false, errorType: 'error-invalid-params', error: message } };
}

/** A typed route's own query check (`RouteDef.validate`): `check`'s message as a typed-route 400, or undefined. */
export function typedCheck(q: URLSearchParams, check: (p: Params) => string | undefined): ApiResult | undefined {
  const message = check(paramsOf(q));
  return message === undefined ? undefined : typedInvalid(message);
}

/** A plain `Error` thrown in a handler. */
export function plainError(message: string): ApiResult {
  return { status: 400, body: { success: false, error: message } };
}

/** `API.v1.failure(error, errorType?)`. */
export function failure(error: string, errorType?: string): ApiResult {
  return { status: 400, body: errorType === undefined ? { success: false, error } : { success: false, error, errorType } };
}

/** A `Meteor.Error(code, reason?)` thrown in a handler. */
export function meteorError(code: string, reason?: string): ApiResult {
  return { status: 400, body: { success: false, error: reason ? `${reason} [${code}]` : `[${code}]`, errorType: code } };
}

/** Omnichannel off (Livechat_enabled false): what the livechat code throws, `error-omnichannel-is-disabled`. */
export const omnichannelDisabled = (): ApiResult => meteorError('error-omnichannel-is-disabled');

export function sortOf(p: Params): SortSpec | undefined | ApiResult {
  const raw = one(p, 'sort');
  try {
    return parseSort(raw);
  } catch (e) {
    if (!(e instanceof InvalidSortError)) throw e;
    return err.invalidSort(e.raw);
  }
}

export function isResult(v: unknown): v is ApiResult {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'status' in v && 'body' in v;
}
