import { createClient } from './client-options.js';
import { loadSettings } from './config.js';
import { TapError } from './errors.js';
import { logger } from './log.js';
import { scoped, type Scope } from './scope.js';
import { unservableReason } from './skip.js';
import { requestParams, STREAMS, type StreamDef } from './streams.js';
import { requestOptions, type ApiClient } from './sync-context.js';

const log = logger('tap-rocketchat');

/** Roles that hold api-bypass-rate-limit by default. */
const UNLIMITED_ROLES = ['admin', 'bot', 'app'];

/**
 * `--test`: is the server reachable (/api/info, which needs no login), are the credentials
 * accepted (/api/v1/me), and which streams can this token read. One cheap request per stream.
 */
export async function runConnectionTest(configSources: readonly string[]): Promise<void> {
  const settings = await loadSettings(configSources);
  // A check should answer in seconds: one retry, not the sync's patient backoff.
  const client = createClient({ ...settings, maxRetries: Math.min(settings.maxRetries, 1) });
  try {
    const info = await client.get('/api/info', {});
    log.info(`server ${settings.endpoint} is reachable: Rocket.Chat ${serverVersion(info)}`);
    const me = await client.get('/api/v1/me', {});
    const roles = Array.isArray(me.roles) ? (me.roles as string[]) : [];
    // /me names custom roles by their random ids: roles.list gives their names.
    const rolesDef = STREAMS.find((s) => s.name === 'roles') as StreamDef;
    const names = await client.get(rolesDef.path, {}, requestOptions(rolesDef)).then(roleNames, () => new Map<string, string>());
    log.info(`credentials accepted: user ${String(me.username ?? me._id)} (roles: ${roles.map((r) => names.get(r) ?? r).join(', ') || 'none'})`);
    if (!roles.some((r) => UNLIMITED_ROLES.includes(r))) {
      log.warn('this token is probably rate limited (10 requests per minute per endpoint by default): a bot token, or the api-bypass-rate-limit permission, makes large syncs much faster');
    }
    const unreadable = await checkStreams(client, settings.scope);
    if (unreadable.length > 0) {
      throw new TapError(`connection test failed: the token cannot read ${unreadable.join(', ')} in scope ${settings.scope}; deselect them or grant the permissions named above`);
    }
    log.info(`connection test passed: every stream selected by default is readable in scope ${settings.scope}`);
  } finally {
    client.close();
  }
}

/**
 * The version as /api/info gives it: major.minor only to callers without view-statistics (and to
 * every caller before the credentials are checked), the full one in `info.version` otherwise.
 */
function serverVersion(info: Record<string, unknown>): string {
  const full = typeof (info.info as { version?: unknown } | undefined)?.version === 'string' ? String((info.info as { version: string }).version) : undefined;
  const version = full ?? (typeof info.version === 'string' ? info.version : undefined);
  if (version === undefined) return 'of unknown version';
  return /^\d+\.\d+$/.test(version) ? `${version}.x (the patch level is shown only to users with view-statistics)` : version;
}

/** Role id → name from roles.list: custom roles have random ids. */
function roleNames(body: Record<string, unknown>): Map<string, string> {
  const names = new Map<string, string>();
  for (const role of Array.isArray(body.roles) ? (body.roles as Array<{ _id?: unknown; name?: unknown }>) : []) {
    if (typeof role._id === 'string' && typeof role.name === 'string' && role.name !== role._id) names.set(role._id, role.name);
  }
  return names;
}

/** A room to probe a per-room stream with: the first the token's user is subscribed to. */
async function firstRoomId(client: { get: ApiClient['get'] }): Promise<string | undefined> {
  const body = await client.get('/api/v1/rooms.get', {}, { expect: { recordsKey: 'update' } });
  const first = (body.update as Array<{ _id?: unknown }>)[0];
  return typeof first?._id === 'string' ? first._id : undefined;
}

/**
 * One cheap request per stream and scope: the streams whose route differs by scope (rooms,
 * teams) are probed in both. Returns the streams selected by default that `scope` cannot read;
 * Omnichannel and statistics are reported, never failed on (they are skipped in a sync).
 */
async function checkStreams(client: { get: ApiClient['get'] }, scope: Scope): Promise<string[]> {
  const unreadable: string[] = [];
  for (const base of STREAMS as readonly StreamDef[]) {
    const variants = SCOPES.map((s) => ({ s, def: scoped(base, s) }));
    const distinct = variants.filter((v, i) => i === 0 || v.def !== variants[0]!.def);
    for (const { s, def } of distinct) {
      const label = distinct.length > 1 ? `stream ${def.name} (scope ${s}, ${def.path})` : `stream ${def.name}`;
      const problem = await probe(client, def, label);
      const counts = base.selectedByDefault !== false && (distinct.length === 1 || s === scope);
      if (problem && counts) unreadable.push(def.name);
    }
  }
  return unreadable;
}

const SCOPES: readonly Scope[] = ['subscribed', 'workspace'];

/** Reads one record (or only what changed from now on); true when the token cannot read the stream. */
async function probe(client: { get: ApiClient['get'] }, def: StreamDef, label: string): Promise<boolean> {
  // One record, or only what changed from now on: enough to see whether the route answers.
  const roomId = def.read === 'per-room' ? await firstRoomId(client) : undefined;
  if (def.read === 'per-room' && roomId === undefined) {
    log.warn(`${label}: not checked, since the token's user is in no room`);
    return false;
  }
  const params = requestParams(def, { offset: 0, count: 1, since: new Date().toISOString(), roomId });
  try {
    const body = await client.get(def.path, params, requestOptions(def));
    log.info(`${label}: readable${typeof body.total === 'number' ? ` (${body.total} records)` : ''}`);
    return false;
  } catch (err) {
    const reason = unservableReason(def, err);
    if (reason === undefined) throw err;
    const optional = def.optional ? ' (not selected by default; a sync skips it with a warning)' : '';
    if (def.optional) log.warn(`${label}: not readable: ${reason}${optional}`);
    else log.error(`${label}: not readable: ${reason}`);
    return true;
  }
}
