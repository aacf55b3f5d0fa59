/**
 * The fixed users at the start of the user table: rocket.cat (index 0) and the emulator's callers
 * (indexes 1..6, in IDENTITY_SPECS order), whose ids agree with the tokens of identities.ts.
 */
import { buildIdentities, IDENTITY_NAMES, IDENTITY_SPECS, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { meteorId, rngFor } from '../prng.js';
import { DATA_END_MS, iso, S_USER, SPAN_MS } from './common.js';
import { userFlags, type UserCore } from './user-flags.js';

let identityIdCache: { seed: number; ids: Map<IdentityName, string> } | undefined;
function identityIdFor(seed: number, name: IdentityName): string {
  if (!identityIdCache || identityIdCache.seed !== seed) {
    const ids = new Map<IdentityName, string>();
    const built = buildIdentities(seed, undefined);
    for (const n of IDENTITY_NAMES) ids.set(n, built[n].userId);
    identityIdCache = { seed, ids };
  }
  return identityIdCache.ids.get(name) as string;
}

function rocketCat(coreOnly: boolean): UserCore | Doc {
  const core: UserCore = { id: 'rocket.cat', username: 'rocket.cat', flags: userFlags('rocket.cat', true, false, true, 'bot') };
  if (coreOnly) return core;
  return {
    _id: 'rocket.cat',
    createdAt: iso(DATA_END_MS - SPAN_MS - 86_400_000),
    avatarOrigin: 'local',
    name: 'Rocket.Cat',
    username: 'rocket.cat',
    status: 'online',
    statusDefault: 'online',
    utcOffset: 0,
    active: true,
    type: 'bot',
    _updatedAt: iso(DATA_END_MS - SPAN_MS),
    roles: ['bot'],
    avatarETag: 'ggB5vbNdMeGrdfqKx',
  };
}

/** User `i` for i ≤ IDENTITY_NAMES.length; the core only with `coreOnly`. */
export function fixedUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean): UserCore | Doc {
  if (i === 0) return rocketCat(coreOnly);
  const spec = IDENTITY_SPECS[i - 1];
  if (!spec) throw new Error(`no fixed user ${i}`);
  const id = identityIdFor(seed, spec.name);
  const hasEmail = spec.type === 'user';
  const core: UserCore = { id, username: spec.username, flags: userFlags(spec.username, true, hasEmail, true, spec.type) };
  if (coreOnly) return core;
  const roles = spec.roles.flatMap((r) => (r === '$custom0' ? (customRoleIds[0] ? [customRoleIds[0]] : []) : [r]));
  const created = DATA_END_MS - SPAN_MS + i * 3_600_000;
  return {
    _id: id,
    createdAt: iso(created),
    services: { password: { bcrypt: '$2b$10$emulatoremulatoremulat' }, resume: { loginTokens: [] } },
    username: spec.username,
    emails: hasEmail ? [{ address: `${spec.username}@example.com`, verified: true }] : undefined,
    type: spec.type,
    status: 'online',
    active: true,
    _updatedAt: iso(DATA_END_MS - 60_000 * i),
    roles,
    name: spec.displayName,
    lastLogin: iso(DATA_END_MS - 120_000 * i),
    statusConnection: 'online',
    utcOffset: spec.name === 'user' ? 5.5 : 0,
    avatarETag: meteorId(rngFor(seed, S_USER, i)),
    customFields: { department: 'Platform', location: { city: 'Zürich', country: 'CH' } },
    settings: {
      preferences: {
        enableAutoAway: false, idleTimeoutLimit: 300, desktopNotifications: 'mentions',
        mobileNotifications: 'mentions', unreadAlert: true, useEmojis: true, sidebarViewMode: 'medium',
        sendOnEnter: 'normal', messageViewMode: 0,
      },
    },
  };
}
