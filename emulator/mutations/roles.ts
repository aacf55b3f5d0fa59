/** Role mutations: custom roles are deleted and inserted (the protected default roles stay). */
import { chance, meteorId, pick } from '../prng.js';
import { WORDS, type MutationContext } from './context.js';

export function deleteRoles(ctx: MutationContext): void {
  const { ds, rng } = ctx;
  for (let k = 0; k < (ctx.spec.deleteRoles ?? 0); k++) {
    const custom = ds.roles.filter((r) => r.protected === false);
    if (custom.length === 0) break;
    const role = pick(rng, custom);
    ds.roles.splice(ds.roles.indexOf(role), 1);
    ctx.result.roles.deleted.push(role._id as string);
  }
}

export function insertRoles(ctx: MutationContext): void {
  const { ds, rng } = ctx;
  for (let k = 0; k < (ctx.spec.insertRoles ?? 0); k++) {
    const id = meteorId(rng);
    ds.roles.push({
      _id: id, name: `custom-${pick(rng, WORDS)}-${ds.roles.length}`, scope: chance(rng, 0.8) ? 'Users' : 'Subscriptions',
      description: '', mandatory2fa: false, protected: false, _updatedAt: ds.stamp(),
    });
    ctx.result.roles.inserted.push(id);
  }
}
