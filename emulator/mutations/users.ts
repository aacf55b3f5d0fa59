/** User mutations: deletions, updates (a new name or status; users.list shows no _updatedAt), inserts. */
import { IDENTITY_NAMES } from '../identities.js';
import type { Doc } from '../mongo.js';
import { chance, int, pick } from '../prng.js';
import type { MutationContext } from './context.js';

/** A random alive user that is not rocket.cat or an emulator caller, or -1. */
function randomUser(ctx: MutationContext): number {
  const users = ctx.ds.users;
  for (let tries = 0; tries < 1000; tries++) {
    const i = int(ctx.rng, IDENTITY_NAMES.length + 1, users.ids.length - 1);
    if (i > IDENTITY_NAMES.length && users.isAlive(i)) return i;
  }
  return -1;
}

export function deleteUsers(ctx: MutationContext): void {
  const users = ctx.ds.users;
  const deleteIdx = new Set<number>();
  for (const id of ctx.spec.deleteUserIds ?? []) {
    const i = users.indexOf(id);
    if (i > IDENTITY_NAMES.length) deleteIdx.add(i);
  }
  for (let k = 0; k < (ctx.spec.deleteUsers ?? 0); k++) {
    let i = randomUser(ctx);
    for (let tries = 0; tries < 100 && deleteIdx.has(i); tries++) i = randomUser(ctx);
    if (i >= 0 && !deleteIdx.has(i)) deleteIdx.add(i);
  }
  if (deleteIdx.size > 0) {
    users.remove([...deleteIdx]);
    for (const i of deleteIdx) ctx.result.users.deleted.push(users.ids[i] as string);
  }
}

export function updateUsers(ctx: MutationContext): void {
  const { ds, rng } = ctx;
  for (let k = 0; k < (ctx.spec.updateUsers ?? 0); k++) {
    const i = randomUser(ctx);
    if (i < 0) break;
    const doc = structuredClone(ds.users.doc(i));
    if (chance(rng, 0.5) && typeof doc.name === 'string') doc.name = `${doc.name} ✏️`;
    else doc.status = pick(rng, ['online', 'away', 'busy', 'offline']);
    doc._updatedAt = ds.stamp();
    ds.users.update(i, doc);
    ctx.result.users.updated.push(doc._id as string);
  }
}

export function insertUsers(ctx: MutationContext): void {
  const { ds, rng } = ctx;
  const newUsers: Doc[] = [];
  for (let k = 0; k < (ctx.spec.insertUsers ?? 0); k++) newUsers.push(ds.users.newUserDoc(rng, Date.parse(ds.stamp()), k));
  if (newUsers.length > 0) {
    ds.users.insert(newUsers);
    for (const d of newUsers) ctx.result.users.inserted.push(d._id as string);
  }
}
