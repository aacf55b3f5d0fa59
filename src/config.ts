import type { ErrorObject } from 'ajv';
import { validate as validateAgainstSchema } from './generated/validate-config.js';
import { InputError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { logger, parseLogLevel, type LogLevel } from './log.js';
import { ENV_PREFIX } from './package-info.js';
import { loadConfigSchema, envVarName, type ConfigSchema, type SettingSchema } from './settings-schema.js';
import { closestName } from './suggest.js';
import { parseIsoDate } from './dates.js';
import { parsePartition } from './messages/partition.js';
import { listSetting, parseRoomKinds, type RoomFilterSettings } from './messages/room-filter.js';
import type { Scope } from './scope.js';

const log = logger('tap-rocketchat');

/** Settings after merging, validation and defaults, in the units the code uses. */
export interface TapSettings {
  endpoint: string;
  userId: string;
  token: string;
  startDate: string | undefined;
  pageSize: number;
  maxConcurrency: number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  maxRateLimitWaitMs: number;
  activateVersion: boolean;
  /** Whose view of the workspace the streams read (src/scope.ts). */
  scope: Scope;
  /** livechat_rooms: an incremental run reads every room when the last full read is this old (0: never). */
  livechatRoomsFullReadHours: number;
  /** METRIC lines below this level are not written (the Meltano SDK's `metrics_log_level`). */
  metricsLogLevel: LogLevel;
  messages: MessagesSettings;
}

/** How the messages stream chooses and reads rooms (src/messages/). */
export interface MessagesSettings {
  pageSize: number;
  rooms: RoomFilterSettings;
  skipUnchangedRooms: boolean;
  fullPassHours: number;
}

export type RawConfig = Record<string, unknown>;

/** The literal `--config ENV` reads settings from the environment, as the Meltano SDK does. */
export const ENV_SOURCE = 'ENV';

async function readConfigFile(path: string): Promise<RawConfig> {
  const parsed = await readJsonFile(path, 'config');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`config file ${path} must hold a JSON object of settings`);
  }
  return parsed as RawConfig;
}

/** Converts an environment string to the setting's type; errors name the variable. */
function fromEnv(name: string, raw: string, schema: SettingSchema): unknown {
  const variable = envVarName(name);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw new InputError(`${variable} must be a number (got "${raw}")`);
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off', ''].includes(v)) return false;
      throw new InputError(`${variable} must be true or false (got "${raw}")`);
    }
    default:
      return raw;
  }
}

/**
 * Variables with the settings' prefix that are read elsewhere, not settings (src/log.ts). One
 * the tap starts reading must be added here, or --config ENV warns that it is unknown.
 */
export const NON_SETTING_ENV: readonly string[] = [ENV_PREFIX + 'LOGLEVEL'];

export function configFromEnv(schema: ConfigSchema, env: NodeJS.ProcessEnv = process.env): RawConfig {
  const config: RawConfig = {};
  for (const [name, setting] of Object.entries(schema.properties)) {
    const value = env[envVarName(name)];
    if (value !== undefined) config[name] = fromEnv(name, value, setting);
  }
  warnUnknownEnv(schema, env);
  return config;
}

/** `TAP_ROCKETCHAT_ENDPONT` is ignored: say so, as a typo in a config file is reported. */
function warnUnknownEnv(schema: ConfigSchema, env: NodeJS.ProcessEnv): void {
  const known = Object.keys(schema.properties).map(envVarName);
  for (const variable of Object.keys(env).sort()) {
    // Meltano's own extras are spelled with a double underscore (TAP_ROCKETCHAT__SELECT).
    if (!variable.startsWith(ENV_PREFIX) || variable.startsWith(ENV_PREFIX + '_')) continue;
    if (known.includes(variable) || NON_SETTING_ENV.includes(variable)) continue;
    const guess = closestName(variable.slice(ENV_PREFIX.length), [...known, ...NON_SETTING_ENV].map((v) => v.slice(ENV_PREFIX.length)));
    log.warn(`environment: ${variable} is not a setting and is ignored${guess ? ` (did you mean ${ENV_PREFIX}${guess}?)` : ''}`);
  }
}

/** Merges `--config` sources left to right, later ones winning key by key (the SDK's shallow update). */
export async function mergeConfigSources(sources: readonly string[], schema: ConfigSchema): Promise<RawConfig> {
  const merged: RawConfig = {};
  for (const source of sources) {
    Object.assign(merged, source === ENV_SOURCE ? configFromEnv(schema) : await readConfigFile(source));
  }
  return merged;
}

function describeAjvError(err: ErrorObject, schema: ConfigSchema, raw: RawConfig, usedEnv: boolean): string {
  if (err.keyword === 'required') {
    const key = (err.params as { missingProperty: string }).missingProperty;
    const hint = usedEnv ? ` (or ${envVarName(key)})` : '';
    return `missing required setting "${key}"${hint}`;
  }
  const key = err.instancePath.replace(/^\//, '');
  const setting = schema.properties[key];
  // A secret is never echoed, even when it has the wrong type.
  const value = raw[key];
  const got = setting?.writeOnly ? (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`) : JSON.stringify(value);
  switch (err.keyword) {
    case 'type':
      return `"${key}" must be ${setting?.type === 'integer' ? 'an integer' : `a ${setting?.type ?? 'value of the right type'}`} (got ${got})`;
    case 'minLength':
      return `"${key}" must not be empty${usedEnv ? ` (${envVarName(key)})` : ''}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return `"${key}" must be ${rangeText(setting)} (got ${got})`;
    default:
      return `"${key}" ${err.message ?? 'is invalid'} (got ${got})`;
  }
}

function rangeText(setting: SettingSchema | undefined): string {
  if (!setting) return 'in range';
  const kind = setting.type === 'integer' ? 'an integer' : 'a number';
  const low = setting.minimum !== undefined ? `${setting.minimum}` : setting.exclusiveMinimum !== undefined ? `more than ${setting.exclusiveMinimum}` : undefined;
  if (low !== undefined && setting.maximum !== undefined) {
    return setting.minimum !== undefined ? `${kind} between ${low} and ${setting.maximum}` : `${kind} ${low} and at most ${setting.maximum}`;
  }
  if (low !== undefined) return setting.minimum !== undefined ? `${kind} of at least ${low}` : `${kind} ${low}`;
  return `${kind} of at most ${setting.maximum}`;
}

/** Visible ASCII: what user ids and personal access tokens are made of. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The workspace URL, checked and normalised: no trailing slash, no /api suffix. */
function checkEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`config: "endpoint" must be a URL such as https://chat.example.com (got ${JSON.stringify(raw)})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`config: "endpoint" must start with https:// or http:// (got ${JSON.stringify(raw)})`);
  }
  if (url.username || url.password) {
    throw new InputError('config: "endpoint" must not contain credentials; use user_id and token');
  }
  if (url.search || url.hash) {
    throw new InputError(`config: "endpoint" must not have a query string or fragment (got ${JSON.stringify(raw)})`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const apiSuffix = /\/api(\/v1)?$/.exec(path);
  if (apiSuffix) {
    const base = `${url.origin}${path.slice(0, apiSuffix.index)}`;
    throw new InputError(`config: "endpoint" must be the workspace URL without ${apiSuffix[0]} (got ${raw}; use ${base})`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    log.warn(`endpoint ${url.origin} uses plain http: the token travels unencrypted; use https`);
  }
  return `${url.origin}${path}`;
}

/** Validates merged settings against schemas/config.schema.json and applies defaults. */
export function validateConfig(raw: RawConfig, schema: ConfigSchema, usedEnv = false): TapSettings {
  for (const key of Object.keys(raw)) {
    if (!(key in schema.properties)) {
      const guess = closestName(key, Object.keys(schema.properties));
      log.warn(`config: unknown setting "${key}" is ignored${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
  }
  const withDefaults: RawConfig = { ...raw };
  // Precompiled from schemas/config.schema.json by `npm run generate-types` (fills in defaults).
  const validate = validateAgainstSchema as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
  if (!validate(withDefaults)) {
    const messages = (validate.errors ?? []).map((e) => describeAjvError(e, schema, raw, usedEnv));
    throw new InputError(`config: ${[...new Set(messages)].join('; ')}`);
  }
  for (const key of ['endpoint', 'user_id', 'token']) {
    const value = (withDefaults[key] as string).trim();
    const source = usedEnv ? ` (${envVarName(key)})` : '';
    if (value === '') throw new InputError(`config: "${key}" must not be empty${source}`);
    // They travel in headers (X-User-Id, X-Auth-Token); a pasted curly quote or line break would
    // only fail later, as if the network were at fault.
    if (key !== 'endpoint' && !HEADER_SAFE.test(value)) {
      throw new InputError(`config: "${key}" contains spaces or characters that cannot be sent in an HTTP header${source}; check for a pasted quote or line break`);
    }
  }
  const startDate = withDefaults.start_date as string | undefined;
  if (startDate !== undefined && !parseIsoDate(startDate)) {
    throw new InputError(`config: "start_date" must be an ISO 8601 date such as 2024-01-31 or 2024-01-31T00:00:00Z (got ${JSON.stringify(startDate)})`);
  }
  return {
    endpoint: checkEndpoint(withDefaults.endpoint as string),
    userId: (withDefaults.user_id as string).trim(),
    token: (withDefaults.token as string).trim(),
    startDate: startDate === undefined ? undefined : parseIsoDate(startDate)!.toISOString(),
    pageSize: withDefaults.page_size as number,
    maxConcurrency: withDefaults.max_concurrency as number,
    requestTimeoutMs: (withDefaults.request_timeout as number) * 1000,
    maxRetries: withDefaults.max_retries as number,
    retryBackoffMs: (withDefaults.retry_backoff as number) * 1000,
    maxRateLimitWaitMs: (withDefaults.max_rate_limit_wait as number) * 1000,
    activateVersion: withDefaults.emit_activate_version_messages as boolean,
    scope: withDefaults.scope as Scope,
    livechatRoomsFullReadHours: withDefaults.livechat_rooms_full_read_hours as number,
    metricsLogLevel: parseLogLevel(withDefaults.metrics_log_level as string, 'config: "metrics_log_level"'),
    messages: messagesSettings(withDefaults),
  };
}

function messagesSettings(c: RawConfig): MessagesSettings {
  return {
    pageSize: c.messages_page_size as number,
    rooms: {
      kinds: parseRoomKinds(c.messages_room_types as string),
      include: new Set(listSetting(c.messages_rooms_include as string | undefined)),
      exclude: new Set(listSetting(c.messages_rooms_exclude as string | undefined)),
      partition: parsePartition(c.partition as string | undefined),
    },
    skipUnchangedRooms: c.messages_skip_unchanged_rooms as boolean,
    fullPassHours: c.messages_full_pass_hours as number,
  };
}

export async function loadSettings(sources: readonly string[]): Promise<TapSettings> {
  const schema = loadConfigSchema();
  if (sources.length === 0) {
    throw new InputError('no config given: pass --config FILE (repeatable) or --config ENV to read TAP_ROCKETCHAT_* variables');
  }
  const raw = await mergeConfigSources(sources, schema);
  return validateConfig(raw, schema, sources.includes(ENV_SOURCE));
}
