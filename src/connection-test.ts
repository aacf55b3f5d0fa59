import { createClient } from './client-options.js';
import { isRoomRefused } from './messages/sync-messages-api.js';
import { loadSettings } from './config.js';
import { HttpError, TapError, errorMessage } from './errors.js';
import { logger } from './log.js';
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
    // The roles stream's probe, made first: /me names custom roles by their random ids.
    const probes = new Map<string, Promise<Record<string, unknown>>>();
    const probe = (def: StreamDef, params: Record<string, string | number>): Promise<Record<string, unknown>> => {
      let body = probes.get(def.name);
      if (!body) probes.set(def.name, (body = client.get(def.path, params, requestOptions(def))));
      return body;
    };
    const rolesDef = STREAMS.find((s) => s.name === 'roles') as StreamDef;
    const names = await probe(rolesDef, requestParams(rolesDef)).then(roleNames, () => new Map<string, string>());
    log.info(`credentials accepted: user ${String(me.username ?? me._id)} (roles: ${roles.map((r) => names.get(r) ?? r).join(', ') || 'none'})`);
    if (!roles.some((r) => UNLIMITED_ROLES.includes(r))) {
      log.warn('this token is probably rate limited (10 requests per minute per endpoint by default): a bot token, or the api-bypass-rate-limit permission, makes large syncs much faster');
    }
    const unreadable: string[] = [];
    for (const def of STREAMS as readonly StreamDef[]) {
      // One record, or only what changed from now on: enough to see whether the route answers.
      const roomId = def.read === 'per-room' ? await firstRoomId(client) : undefined;
      if (def.read === 'per-room' && roomId === undefined) {
        log.warn(`stream ${def.name}: not checked, since the token's user is in no room`);
        continue;
      }
      const params = requestParams(def, { offset: 0, count: 1, since: new Date().toISOString(), roomId });
      try {
        const body = await probe(def, params);
        log.info(`stream ${def.name}: readable${typeof body.total === 'number' ? ` (${body.total} records)` : ''}`);
      } catch (err) {
        // chat.syncMessages refuses a room with 400 error-not-allowed, never 403.
        if (!(err instanceof HttpError) || (err.status !== 403 && !isRoomRefused(err))) throw err;
        unreadable.push(def.name);
        const message = errorMessage(err);
        // The 403 message already says "permission denied for stream X".
        log.error(message.includes(`stream ${def.name}`) ? message : `stream ${def.name}: ${message}`);
      }
    }
    if (unreadable.length > 0) {
      throw new TapError(`connection test failed: the token cannot read ${unreadable.join(', ')}; deselect them or grant the permissions named above`);
    }
    log.info('connection test passed: every stream is readable');
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
