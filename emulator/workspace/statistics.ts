/**
 * GET /api/v1/statistics: the last statistics document (IStats) with `success` merged in. Typed
 * route (`refresh` enum, no other parameter, checked before authentication); without
 * view-statistics the handler throws `Error('error-not-allowed')`, a 400.
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/app/api/server/v1/stats.ts
 */
import { DATA_END_MS, iso } from '../data/common.js';
import type { Dataset } from '../data/dataset.js';
import type { Body, RouteDef } from '../routes/common.js';
import type { Identity } from '../identities.js';
import type { Doc, Json } from '../mongo.js';
import { agentIndexes, livechatRooms, storeOf } from '../omnichannel/store.js';
import { plainError, schemaError, typedCheck, type ParamSchema } from './params.js';

export const STATISTICS_SCHEMA: ParamSchema = { fields: { refresh: { enum: ['true', 'false'] } } };

interface UserCounts { managers: number; total: number; active: number; guests: number; inactive: number; apps: number; online: number; away: number; busy: number; offline: number }

function userCounts(ds: Dataset): UserCounts {
  const c: UserCounts = { managers: 0, total: 0, active: 0, guests: 0, inactive: 0, apps: 0, online: 0, away: 0, busy: 0, offline: 0 };
  for (let i = 0; i < ds.users.ids.length; i++) {
    if (!ds.users.isAlive(i)) continue;
    const d = ds.users.doc(i);
    c.total++;
    if (d.type === 'app') c.apps++;
    const guest = Array.isArray(d.roles) && d.roles.includes('guest');
    if (Array.isArray(d.roles) && d.roles.includes('livechat-manager')) c.managers++;
    if (d.active === true) { if (guest) c.guests++; else c.active++; } else c.inactive++;
    if (d.status === 'online') c.online++; else if (d.status === 'away') c.away++; else if (d.status === 'busy') c.busy++; else c.offline++;
  }
  return c;
}

function roomCounts(ds: Dataset): Doc {
  const msgs = (pred: (r: Doc) => boolean) => ds.rooms.filter(pred).reduce((n, r) => n + ((r.msgs as number) || 0), 0);
  const plain = (t: string) => (r: Doc) => r.t === t && r.prid === undefined;
  return {
    totalRooms: ds.rooms.length,
    totalChannels: ds.rooms.filter((r) => r.t === 'c').length,
    totalPrivateGroups: ds.rooms.filter((r) => r.t === 'p').length,
    totalDirect: ds.rooms.filter((r) => r.t === 'd').length,
    totalLivechat: ds.rooms.filter((r) => r.t === 'l').length,
    totalDiscussions: ds.rooms.filter((r) => r.prid !== undefined).length,
    totalThreads: 0,
    totalChannelMessages: msgs(plain('c')),
    totalPrivateGroupMessages: msgs(plain('p')),
    totalDiscussionsMessages: msgs((r) => r.prid !== undefined),
    totalDirectMessages: msgs(plain('d')),
    totalLivechatMessages: msgs(plain('l')),
    totalMessages: msgs(() => true),
  };
}

function omnichannelCounts(ds: Dataset, managers: number): Doc {
  const store = storeOf(ds);
  const rooms = livechatRooms(ds);
  const sources = new Map<string, number>();
  for (const r of rooms) {
    const type = ((r.source as Doc | undefined)?.type as string | undefined) ?? 'widget';
    sources.set(type, (sources.get(type) ?? 0) + 1);
  }
  return {
    totalLivechatVisitors: store.visitors.length,
    totalLivechatAgents: agentIndexes(ds).length,
    totalLivechatManagers: managers,
    livechatEnabled: store.enabled,
    omnichannelSources: [...sources].map(([type, count]) => ({ type, count })) as Json,
    totalLivechatRoomsWithDepartment: rooms.filter((r) => typeof r.departmentId === 'string').length,
    departments: store.departments.length,
    archivedDepartments: store.departments.filter((d) => d.archived === true).length,
    chatsOnHold: rooms.filter((r) => r.onHold === true).length,
    routingAlgorithm: 'Auto_Selection',
    onHoldEnabled: true,
  };
}

const cache = new WeakMap<Dataset, { key: string; doc: Doc }>();

/** The statistics document for the data as it is now (recomputed after any change). */
export function statisticsDoc(ds: Dataset, version: string): Doc {
  const key = `${ds.version}|${ds.users.ids.length}|${storeOf(ds).enabled}|${version}`;
  const hit = cache.get(ds);
  if (hit && hit.key === key) return hit.doc;
  const u = userCounts(ds);
  const doc: Doc = {
    _id: `stats-${ds.seed}-${ds.version}`,
    wizard: { organizationType: 'enterprise', industry: 'technology', size: '2', country: 'worldwide', language: 'en', serverType: 'privateTeam', registerServer: false },
    uniqueId: `emulator-${ds.seed}`, installedAt: iso(DATA_END_MS - 3 * 365 * 86_400_000), version, tag: version, branch: 'release',
    totalUsers: u.total, activeUsers: u.active, activeGuests: u.guests, nonActiveUsers: u.inactive, appUsers: u.apps,
    onlineUsers: u.online, awayUsers: u.away, busyUsers: u.busy, totalConnectedUsers: u.online + u.away + u.busy, offlineUsers: u.offline,
    userLanguages: { none: u.total },
    ...roomCounts(ds),
    ...omnichannelCounts(ds, u.managers),
    teams: { totalTeams: ds.teams.length, totalRoomsInsideTeams: ds.rooms.filter((r) => r.teamId !== undefined).length, totalDefaultRoomsInsideTeams: ds.rooms.filter((r) => r.teamDefault === true).length },
    os: { type: 'Linux', platform: 'linux', arch: 'x64', release: 'emulator', uptime: 1, loadavg: [0, 0, 0], totalmem: 0, freemem: 0, cpus: [] },
    process: { nodeVersion: 'v22.16.0', pid: 1, uptime: 1 },
    deploy: { method: 'tar', platform: 'selfinstall' },
    enterpriseReady: true,
    createdAt: ds.lastStamp,
  };
  cache.set(ds, { key, doc });
  return doc;
}

export const statistics: RouteDef = {
  path: '/api/v1/statistics', auth: true, rateLimited: true,
  validate: (q) => typedCheck(q, (p) => schemaError(STATISTICS_SCHEMA, p)),
  handle(ctx) {
    if (!(ctx.identity as Identity).permissions.has('view-statistics')) return plainError('error-not-allowed');
    const body: Body = { ...structuredClone(statisticsDoc(ctx.ds, ctx.settings.version)), success: true };
    return { status: 200, body };
  },
};
