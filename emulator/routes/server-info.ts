/** /api/info (no auth) and /api/v1/me: what the tap checks before it reads a stream. */
import { identityUserIndex, type Identity } from '../identities.js';
import { omitFields } from '../mongo.js';
import type { Body, RouteDef } from './common.js';

const ME_EXCLUDED: ReadonlySet<string> = new Set(['services', 'inviteToken', 'e2e', 'importIds', 'appId']);

export const me: RouteDef = {
  path: '/api/v1/me', auth: true, rateLimited: true,
  handle(ctx) {
    const identity = ctx.identity as Identity;
    const doc = ctx.ds.users.doc(identityUserIndex(identity.name));
    const out: Body = {};
    for (const [k, v] of Object.entries(omitFields(doc, ME_EXCLUDED))) {
      out[k] = v;
      if (k === '_id') out.services = { password: { exists: true } };
    }
    out.avatarUrl = `${ctx.baseUrl}/avatar/${identity.username}`;
    out.isOAuthUser = false;
    out.success = true;
    return { status: 200, body: out };
  },
};

export const info: RouteDef = {
  path: '/api/info', auth: false, rateLimited: false,
  handle(ctx) {
    const full = ctx.settings.version;
    const trimmed = full.split('.').slice(0, 2).join('.');
    const stats = ctx.identity?.permissions.has('view-statistics') ?? false;
    const body: Body = {
      workspaceUrl: `${ctx.baseUrl}/`,
      hashedWorkspaceUrl: '0e3c5d8c2f1f6e34f1b1a1d4b1f0b9a7',
      version: stats ? full : trimmed,
      minimumClientVersions: { desktop: '3.9.6', mobile: '4.39.0' },
    };
    if (stats) {
      body.info = {
        version: full,
        build: { date: '2025-06-30T12:00:00.000Z', nodeVersion: 'v22.16.0', arch: 'x64', platform: 'linux', osRelease: 'emulator', totalMemory: 0, freeMemory: 0, cpus: 2 },
        marketplaceApiVersion: '1.52.0',
        commit: { hash: 'emulator', date: '2025-06-30', author: 'tap-rocketchat emulator', subject: 'emulated', tag: full, branch: 'release' },
      };
    }
    body.success = true;
    return { status: 200, body };
  },
};
