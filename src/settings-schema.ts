import { ENV_PREFIX, readPackageJson } from './package-info.js';

/** What the tap reads of schemas/config.schema.json (kept free of ajv so --about stays fast). */
export interface SettingSchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  title?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  writeOnly?: boolean;
}

export interface ConfigSchema {
  properties: Record<string, SettingSchema>;
  required: string[];
}

export function loadConfigSchema(): ConfigSchema {
  return readPackageJson<ConfigSchema>('schemas/config.schema.json');
}

/** `page_size` → `TAP_ROCKETCHAT_PAGE_SIZE`, the Meltano SDK's naming. */
export function envVarName(setting: string): string {
  return ENV_PREFIX + setting.toUpperCase().replace(/-/g, '_');
}
