import type { JsonSchema } from './schemas.js';

/**
 * Fields whose values Rocket.Chat gives several JSON types (`sysMes`: a boolean or a list of
 * message types; `department`, `blocked`, `code`: typed unknown) are emitted as JSON text.
 *
 * A schema with several types makes target-postgres (MeltanoLabs) create a jsonb column that
 * takes any value, but the loaders derived from pipelinewise (pipelinewise-target-postgres,
 * target-duckdb) write such a column through CSV with Python's `str()` or one `json.dumps`, so a
 * boolean arrives as `True` and a string unquoted: the load stops ("invalid input syntax for type
 * json", "Could not convert string "True" to 'JSON'"). No value of a union type reaches all of
 * them intact; a string does. So these properties are declared `["string", "null"]` with
 * `contentMediaType: application/json`, and their values are sent as `JSON.stringify(value)`:
 * `true`, `"abc"`, `["uj","ul"]`. null stays null, an absent field stays absent.
 */
export const JSON_TEXT_MEDIA_TYPE = 'application/json';

/** Top-level properties of a stream schema declared as JSON text. */
export function jsonTextFields(schema: JsonSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, prop]) => prop.contentMediaType === JSON_TEXT_MEDIA_TYPE)
    .map(([name]) => name);
}

/**
 * The record with each of `fields` that holds a non-null value replaced by its JSON text; the
 * same object when there is nothing to replace (so a record can still be copied as received).
 * The input is never modified.
 */
export function encodeJsonText<T extends Record<string, unknown>>(record: T, fields: readonly string[]): T {
  let out: T | undefined;
  for (const field of fields) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    out ??= { ...record };
    (out as Record<string, unknown>)[field] = JSON.stringify(value);
  }
  return out ?? record;
}
