/**
 * Changes to the workspace between syncs (or between page requests): updates, inserts and
 * deletions of rooms, subscriptions, users, teams and roles. Every touched record gets
 * `_updatedAt` = max(now, previous stamp + 1 ms), so stamps are strictly increasing; deleted rooms
 * and subscriptions go to the trash with `_deletedAt`, which is what rooms.get and
 * subscriptions.get report in `remove`.
 *
 * A new kind of change is a `MutationStep` (context.ts), a field in MutationSpec, and one entry
 * at the end of STEPS (at the end, so that earlier steps keep drawing the same numbers).
 */
import { mutateMessages } from '../messages/mutations.js';
import { S_MUTATE } from '../data/common.js';
import { defineExtension, type Dataset } from '../data/dataset.js';
import { IDENTITY_NAMES } from '../identities.js';
import type { Doc } from '../mongo.js';
import { rngFor, type Rng } from '../prng.js';
import type { ChangeSet, MutationContext, MutationResult, MutationSpec, MutationStep } from './context.js';
import { deleteRoles, insertRoles } from './roles.js';
import { deleteRooms, insertRooms, updateRooms } from './rooms.js';
import { deleteSubscriptions, insertSubscriptions, updateSubscriptions } from './subscriptions.js';
import { deleteTeams, insertTeams, updateTeams } from './teams.js';
import { deleteUsers, insertUsers, updateUsers } from './users.js';

export type { ChangeSet, MutationResult, MutationSpec } from './context.js';

/** One PRNG stream per dataset for every mutation, so a sequence of mutations is reproducible. */
const MUTATION_RNG = defineExtension<Rng>('mutation-rng', (ds) => rngFor(ds.seed, S_MUTATE));

/** In this order. */
const STEPS: readonly MutationStep[] = [
  deleteRooms, updateRooms, insertRooms,
  deleteSubscriptions, updateSubscriptions, insertSubscriptions,
  deleteUsers, updateUsers, insertUsers,
  deleteTeams, updateTeams, insertTeams,
  deleteRoles, insertRoles,
];

const cs = (): ChangeSet => ({ updated: [], inserted: [], deleted: [] });

export function mutate(ds: Dataset, spec: MutationSpec): MutationResult {
  const scope = spec.identity ?? 'admin';
  if (scope !== '*' && !IDENTITY_NAMES.includes(scope)) throw new Error(`unknown identity ${String(scope)}`);
  const scopeIds = new Set(scope === '*' ? IDENTITY_NAMES.map((n) => ds.identities[n].userId) : [ds.identities[scope].userId]);
  const scopedSubs = (): Doc[] => ds.subscriptions.filter((s) => scopeIds.has((s.u as Doc)._id as string));
  const ctx: MutationContext = {
    ds, spec, scope, rng: ds.extension(MUTATION_RNG),
    result: { rooms: cs(), subscriptions: cs(), users: cs(), teams: cs(), roles: cs(), lastStamp: '' },
    scopedSubs,
    scopedRooms: () => {
      if (scope === '*') return ds.rooms.slice();
      const mine = new Set(scopedSubs().map((s) => s.rid as string));
      return ds.rooms.filter((r) => mine.has(r._id as string));
    },
  };
  for (const step of STEPS) step(ctx);
  if (spec.messages) ctx.result.messages = mutateMessages(ds, spec.messages);
  ds.version++;
  ctx.result.lastStamp = ds.lastStamp;
  return ctx.result;
}
