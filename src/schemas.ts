import { readPackageJson } from './package-info.js';
import type { StreamDef } from './streams.js';

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  [keyword: string]: unknown;
}

const cache = new Map<string, JsonSchema>();

/** A stream's JSON Schema from schemas/streams/<name>.json, read once per process. */
export function streamSchema(def: Pick<StreamDef, 'name'>): JsonSchema {
  let schema = cache.get(def.name);
  if (!schema) {
    schema = readPackageJson<JsonSchema>(`schemas/streams/${def.name}.json`);
    cache.set(def.name, schema);
  }
  return schema;
}
