/** Subscription mutations: the caller leaves rooms (to the trash), its subscriptions change, it joins rooms. */
import { IDENTITY_NAMES, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { pick } from '../prng.js';
import { newSubscription, removeSubscription, targets, type MutationContext } from './context.js';

const subscriptionById = (ctx: MutationContext) => (id: string): Doc | undefined => ctx.ds.subscriptions.find((s) => s._id === id);

export function deleteSubscriptions(ctx: MutationContext): void {
  const { ds, rng, spec, result } = ctx;
  const leavable = ctx.scopedSubs().filter((s) => s.t !== 'd' && s.t !== 'l' && !s.teamMain);
  for (const sub of targets(rng, spec.deleteSubscriptionIds, subscriptionById(ctx), leavable, spec.deleteSubscriptions)) {
    const s = ds.stamp();
    removeSubscription(ds, sub, s);
    result.subscriptions.deleted.push(sub._id as string);
    const room = ds.roomById.get(sub.rid as string);
    if (room) {
      room.usersCount = Math.max(0, (room.usersCount as number) - 1);
      room._updatedAt = ds.stamp();
      result.rooms.updated.push(room._id as string);
    }
  }
}

export function updateSubscriptions(ctx: MutationContext): void {
  const { ds, rng, spec } = ctx;
  for (const sub of targets(rng, spec.updateSubscriptionIds, subscriptionById(ctx), ctx.scopedSubs(), spec.updateSubscriptions)) {
    const s = ds.stamp();
    const x = rng();
    if (x < 0.5) { sub.unread = 0; sub.alert = false; sub.userMentions = 0; sub.groupMentions = 0; sub.ls = s; sub.lr = s; }
    else if (x < 0.8) { sub.unread = (sub.unread as number) + 1; sub.alert = true; }
    else sub.f = !sub.f;
    sub._updatedAt = s;
    ctx.result.subscriptions.updated.push(sub._id as string);
  }
}

export function insertSubscriptions(ctx: MutationContext): void {
  const { ds, rng, result } = ctx;
  for (let k = 0; k < (ctx.spec.insertSubscriptions ?? 0); k++) {
    const who: IdentityName = ctx.scope === '*' ? pick(rng, IDENTITY_NAMES) : ctx.scope;
    const uid = ds.identities[who].userId;
    const mine = new Set(ds.subscriptionsOf(uid).map((s) => s.rid as string));
    const candidates = ds.rooms.filter((r) => (r.t === 'c' || r.t === 'p') && !r.teamId && !mine.has(r._id as string));
    if (candidates.length === 0) break;
    const room = pick(rng, candidates);
    const s = ds.stamp();
    const sub = newSubscription(ds, rng, who, room, s);
    result.subscriptions.inserted.push(sub._id as string);
    room.usersCount = (room.usersCount as number) + 1;
    room._updatedAt = ds.stamp();
    result.rooms.updated.push(room._id as string);
  }
}
