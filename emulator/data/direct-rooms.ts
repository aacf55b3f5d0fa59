/** Direct messages (the first few scripted between the callers) and the omnichannel rooms. */
import { identityUserIndex, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { generateOmnichannel } from '../omnichannel/generate.js';
import { chance, int, meteorId } from '../prng.js';
import { DATA_END_MS, iso } from './common.js';
import type { RoomGenerator } from './room-generator.js';

const DM_WEIGHTS: ReadonlyArray<readonly [IdentityName, number]> = [
  ['admin', 0.45], ['user', 0.25], ['bot', 0.1], ['guest', 0.05], ['app', 0.03], ['restricted', 0.02],
];

/** The member user indexes of each direct message: distinct sets of distinct users. */
function dmMemberSets(gen: RoomGenerator): number[][] {
  const { ds, rng: r } = gen;
  const idIdx = (n: IdentityName) => identityUserIndex(n);
  const pairs: number[][] = [];
  const scripted: number[][] = [
    [idIdx('admin'), 0], [idIdx('user'), 0], [idIdx('admin'), idIdx('user')], [idIdx('bot'), idIdx('admin')],
    [idIdx('admin'), idIdx('user'), gen.randomHuman()],
  ];
  const seen = new Set<string>();
  for (let k = 0; k < ds.sizes.directMessages; k++) {
    let members: number[];
    if (k < scripted.length) members = scripted[k] as number[];
    else {
      const x = r();
      let acc = 0;
      let who: IdentityName | undefined;
      for (const [n, w] of DM_WEIGHTS) { acc += w; if (x < acc) { who = n; break; } }
      members = who ? [idIdx(who), gen.randomHuman()] : [gen.randomHuman(), gen.randomHuman()];
    }
    const key = members.map((i) => ds.users.ids[i]).sort().join('|');
    if (seen.has(key) || new Set(members).size !== members.length) continue;
    seen.add(key);
    pairs.push(members);
  }
  return pairs;
}

export function directMessages(gen: RoomGenerator): Doc[] {
  const { ds, rng: r } = gen;
  const rooms: Doc[] = [];
  for (const members of dmMemberSets(gen)) {
    const uids = members.map((i) => ds.users.ids[i] as string);
    const usernames = members.map((i) => ds.users.usernames[i] as string);
    const ts = gen.randomTs();
    const _id = members.length === 2 ? uids.slice().sort().join('') : meteorId(r);
    const msgs = int(r, 0, 400);
    const dm: Doc = {
      _id, t: 'd', usernames, usersCount: members.length, msgs, ts: iso(ts), uids, default: false, ro: false, sysMes: true,
    };
    let updated = ts + int(r, 0, 1000);
    if (msgs > 0) {
      const lm = Math.min(DATA_END_MS, ts + Math.floor(r() * (DATA_END_MS - ts)));
      updated = Math.min(DATA_END_MS, lm + int(r, 1, 60));
      dm._updatedAt = iso(updated);
      if (chance(r, 0.7)) dm.lastMessage = gen.lastMessage(_id, lm, members[int(r, 0, members.length - 1)] as number);
      dm.lm = iso(lm);
    } else dm._updatedAt = iso(updated);
    if (members.length > 2) dm.fname = members.map((i) => (ds.users.doc(i).name as string | undefined) ?? ds.users.usernames[i]).join(', ');
    gen.extraUsers.set(_id, -1); // exact member count
    gen.dmMembers.set(_id, members);
    rooms.push(dm);
  }
  return rooms;
}

/** The omnichannel rooms, with their visitors, contacts, departments and agents (omnichannel/generate.ts). */
export function livechatRooms(gen: RoomGenerator): Doc[] {
  const rooms = generateOmnichannel(gen.ds);
  for (const room of rooms) gen.extraUsers.set(room._id as string, -1);
  return rooms;
}
