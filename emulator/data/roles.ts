/** The roles collection: Rocket.Chat's protected default roles, then the custom roles. */
import type { Doc } from '../mongo.js';
import { int, meteorId, rngFor } from '../prng.js';
import { DATA_END_MS, iso, S_ROLES, SPAN_MS } from './common.js';
import { CUSTOM_ROLES } from './words.js';

const DEFAULT_ROLES: ReadonlyArray<readonly [string, 'Users' | 'Subscriptions', string, boolean]> = [
  ['admin', 'Users', 'Admin', true], ['moderator', 'Subscriptions', 'Moderator', true],
  ['leader', 'Subscriptions', 'Leader', true], ['owner', 'Subscriptions', 'Owner', true],
  ['user', 'Users', '', true], ['bot', 'Users', '', true], ['app', 'Users', '', true],
  ['guest', 'Users', '', true], ['anonymous', 'Users', '', true],
  ['livechat-agent', 'Users', 'Livechat Agent', false], ['livechat-manager', 'Users', 'Livechat Manager', false],
];

/** The role documents, and the ids of the custom ones (in order). */
export function generateRoles(seed: number, customRoles: number): { roles: Doc[]; customRoleIds: string[] } {
  const roles: Doc[] = [];
  const customRoleIds: string[] = [];
  const rng = rngFor(seed, S_ROLES);
  let t = DATA_END_MS - SPAN_MS;
  for (const [name, scope, description, has2fa] of DEFAULT_ROLES) {
    t += int(rng, 1, 999);
    const role: Doc = { _id: name, name, scope, description };
    if (has2fa) role.mandatory2fa = false; // livechat roles come from older data without the flag
    role.protected = true;
    role._updatedAt = iso(t);
    roles.push(role);
  }
  for (let k = 0; k < customRoles; k++) {
    const [base, description, scope] = CUSTOM_ROLES[k % CUSTOM_ROLES.length] as (typeof CUSTOM_ROLES)[number];
    const name = k < CUSTOM_ROLES.length ? base : `${base}-${k}`;
    const id = meteorId(rng);
    customRoleIds.push(id);
    roles.push({
      _id: id, name, scope, description, mandatory2fa: k === 1, protected: false,
      _updatedAt: iso(DATA_END_MS - int(rng, 0, SPAN_MS)),
    });
  }
  return { roles, customRoleIds };
}
