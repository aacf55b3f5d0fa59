/**
 * The callers the emulator knows: each is a user in the dataset with a fixed login token, a set of
 * roles, and the permissions those roles grant by default in Rocket.Chat 8.x
 * (docs/rocketchat-api-notes.md#authentication-and-permissions). Tokens are derived from the seed,
 * so they are stable across runs.
 */
import { rngFor, meteorId, tokenFrom } from './prng.js';

export type IdentityName = 'admin' | 'user' | 'bot' | 'app' | 'guest' | 'restricted';
export const IDENTITY_NAMES: readonly IdentityName[] = ['admin', 'user', 'bot', 'app', 'guest', 'restricted'];

/**
 * Omnichannel grants shared by livechat-manager and admin (upsertPermissions(); view-livechat-contact
 * inferred to follow view-l-room). See docs/rocketchat-api-notes.md#omnichannel.
 */
const OMNICHANNEL_MANAGER: readonly string[] = [
  'view-l-room', 'view-livechat-rooms', 'view-livechat-manager', 'view-livechat-departments', 'transfer-livechat-guest',
  'edit-omnichannel-contact', 'view-livechat-contact',
];

/** Default grants of the permissions the emulated endpoints check (upsertPermissions()). */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  admin: [
    'view-c-room', 'view-d-room', 'view-p-room', 'preview-c-room', 'view-outside-room', 'view-full-other-user-info',
    'view-all-teams', 'view-room-administration', 'view-statistics', 'api-bypass-rate-limit', 'create-personal-access-tokens',
    ...OMNICHANNEL_MANAGER, 'view-livechat-room-closed-by-another-agent',
  ],
  moderator: ['view-outside-room'],
  owner: ['view-outside-room'],
  leader: [],
  user: ['view-c-room', 'view-d-room', 'view-p-room', 'preview-c-room', 'view-outside-room', 'create-personal-access-tokens'],
  bot: ['view-c-room', 'view-joined-room', 'view-d-room', 'api-bypass-rate-limit'],
  app: ['view-c-room', 'view-joined-room', 'view-d-room', 'api-bypass-rate-limit'],
  guest: ['view-joined-room', 'view-d-room', 'view-p-room'],
  anonymous: ['view-c-room', 'view-joined-room', 'view-p-room', 'preview-c-room'],
  'livechat-agent': ['view-l-room', 'edit-omnichannel-contact', 'view-livechat-contact'],
  'livechat-manager': [...OMNICHANNEL_MANAGER, 'view-livechat-room-closed-by-another-agent'],
  'livechat-monitor': [...OMNICHANNEL_MANAGER.filter((p) => p !== 'edit-omnichannel-contact')],
};

export interface IdentitySpec {
  readonly name: IdentityName;
  readonly username: string;
  readonly displayName: string;
  readonly type: 'user' | 'bot' | 'app';
  /** Role ids; `$custom0` is replaced by the id of the first custom role (a role without permissions). */
  readonly roles: readonly string[];
  readonly description: string;
}

export const IDENTITY_SPECS: readonly IdentitySpec[] = [
  {
    name: 'admin', username: 'api.admin', displayName: 'API Admin', type: 'user',
    roles: ['user', 'admin', 'livechat-agent'],
    description: 'administrator: bypasses the rate limiter, sees emails/roles/lastLogin in users.list',
  },
  {
    name: 'user', username: 'alice', displayName: 'Alice Ångström', type: 'user', roles: ['user'],
    description: 'ordinary user: rate limited, limited user fields',
  },
  {
    name: 'bot', username: 'sync.bot', displayName: 'Sync Bot 🤖', type: 'bot', roles: ['bot'],
    description: 'bot: bypasses the rate limiter, limited user fields',
  },
  {
    name: 'app', username: 'etl.app', displayName: 'ETL App', type: 'app', roles: ['app'],
    description: 'app user: bypasses the rate limiter, limited user fields',
  },
  {
    name: 'guest', username: 'guest.gina', displayName: 'Gina Guest', type: 'user', roles: ['guest'],
    description: 'guest: view-joined-room only (channels.list shows joined channels), member of no team',
  },
  {
    name: 'restricted', username: 'no.perms', displayName: 'No Permissions', type: 'user', roles: ['$custom0'],
    description: 'custom role without view-c-room/view-joined-room/view-d-room: 403 on channels.list and users.list',
  },
];

/** Position of each identity user in the users table (index 0 is rocket.cat). */
export function identityUserIndex(name: IdentityName): number {
  return 1 + IDENTITY_NAMES.indexOf(name);
}

export interface Identity {
  readonly name: IdentityName;
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  token: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
  readonly bypassRateLimit: boolean;
  readonly fullUserInfo: boolean;
  readonly description: string;
}

/** What callers get to see of an identity (also what the CLI prints). */
export interface PublicIdentity {
  readonly userId: string;
  readonly token: string;
  readonly username: string;
}

const STREAM_IDENTITY_ID = 101;
const STREAM_IDENTITY_TOKEN = 102;

export function identityUserId(seed: number, name: IdentityName): string {
  return meteorId(rngFor(seed, STREAM_IDENTITY_ID, IDENTITY_NAMES.indexOf(name)));
}

export function identityToken(seed: number, name: IdentityName): string {
  return tokenFrom(rngFor(seed, STREAM_IDENTITY_TOKEN, IDENTITY_NAMES.indexOf(name)));
}

export function permissionsOf(roles: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r] ?? []) out.add(p);
  return out;
}

export function buildIdentities(seed: number, firstCustomRoleId: string | undefined): Record<IdentityName, Identity> {
  const out = {} as Record<IdentityName, Identity>;
  for (const spec of IDENTITY_SPECS) {
    const roles = spec.roles.flatMap((r) => (r === '$custom0' ? (firstCustomRoleId ? [firstCustomRoleId] : []) : [r]));
    const permissions = permissionsOf(roles);
    out[spec.name] = {
      name: spec.name,
      userId: identityUserId(seed, spec.name),
      username: spec.username,
      displayName: spec.displayName,
      token: identityToken(seed, spec.name),
      roles,
      permissions,
      bypassRateLimit: permissions.has('api-bypass-rate-limit'),
      fullUserInfo: permissions.has('view-full-other-user-info'),
      description: spec.description,
    };
  }
  return out;
}
