/**
 * Generates the rooms and teams of a Dataset, then the callers' subscriptions and the trash.
 * Everything is drawn from one PRNG stream in a fixed order (GENERAL, channels, private groups,
 * teams, team channels, discussions, direct messages, livechat rooms), so the order of the steps
 * below is part of the data.
 */
import { compareCodePoints, type Doc } from '../mongo.js';
import { chance, int, meteorId, objectId, pick } from '../prng.js';
import { DATA_END_MS, iso, SPAN_MS } from './common.js';
import type { Dataset } from './dataset.js';
import { directMessages, livechatRooms } from './direct-rooms.js';
import { RoomGenerator } from './room-generator.js';
import { memberships } from './subscriptions.js';
import { generateTrash } from './trash.js';
import { CHANNEL_FNAMES, CHANNEL_WORDS, TEAM_NAMES } from './words.js';

/** The rooms of each kind, before they are merged into natural order. */
export interface GeneratedRooms {
  channels: Doc[];
  groups: Doc[];
  discussions: Doc[];
  /** Team id → its main room, then its other rooms. */
  teamRooms: Map<string, Doc[]>;
}

export function generateRooms(ds: Dataset): void {
  const gen = new RoomGenerator(ds);
  const rooms: Doc[] = [general(gen)];
  const channels: Doc[] = [];
  for (let k = 1; k < ds.sizes.channels; k++) channels.push(channel(gen, k));
  const groups: Doc[] = [];
  for (let k = 0; k < ds.sizes.privateGroups; k++) groups.push(gen.groupRoom('p', `private-${pick(gen.rng, CHANNEL_WORDS)}`));
  rooms.push(...channels, ...groups);
  const teamRooms = teams(gen);
  for (const list of teamRooms.values()) rooms.push(list[0] as Doc);
  assignTeamRooms(gen, [...channels, ...groups], channels.length > 0, teamRooms);
  const discussions = discussionRooms(gen, [...channels, ...groups]);
  rooms.push(...discussions, ...directMessages(gen), ...livechatRooms(gen));

  // natural order = creation order
  rooms.sort((a, b) => (a._id === 'GENERAL' ? -1 : b._id === 'GENERAL' ? 1 : compareCodePoints(a.ts as string, b.ts as string)));
  for (const room of rooms) ds.addRoom(room);
  memberships(gen, { channels, groups, discussions, teamRooms });
  countUsers(gen);
  generateTrash(ds);
}

function general(gen: RoomGenerator): Doc {
  const r = gen.rng;
  const gTs = DATA_END_MS - SPAN_MS - 3_600_000;
  const gLm = DATA_END_MS - int(r, 0, 86_400_000);
  gen.names.add('general');
  gen.extraUsers.set('GENERAL', 0);
  return {
    _id: 'GENERAL', ts: iso(gTs), t: 'c', name: 'general', usernames: [], msgs: int(r, 100, 100_000),
    usersCount: 0, _updatedAt: iso(gLm + 40), u: gen.ds.userRef(0), default: true,
    lastMessage: gen.lastMessage('GENERAL', gLm, gen.randomHuman()), lm: iso(gLm),
  };
}

function channel(gen: RoomGenerator, k: number): Doc {
  const r = gen.rng;
  const base = k % 9 === 4 ? (pick(r, CHANNEL_FNAMES).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'x')
    : `${pick(r, CHANNEL_WORDS)}${chance(r, 0.5) ? `-${pick(r, CHANNEL_WORDS)}` : ''}`;
  const fname = k % 7 === 3 ? pick(r, CHANNEL_FNAMES) : undefined;
  return gen.groupRoom('c', base, fname === undefined ? {} : { fname });
}

/** The teams (into the dataset) and their main rooms. */
function teams(gen: RoomGenerator): Map<string, Doc[]> {
  const { ds, rng: r } = gen;
  const teamRooms = new Map<string, Doc[]>();
  for (let k = 0; k < ds.sizes.teams; k++) {
    const [slug, display] = TEAM_NAMES[k % TEAM_NAMES.length] as (typeof TEAM_NAMES)[number];
    const last = k === ds.sizes.teams - 1;
    const type = last ? 0 : chance(r, 0.7) ? 0 : 1;
    const main = gen.groupRoom(type === 0 ? 'c' : 'p', k < TEAM_NAMES.length ? slug : `${slug}-${k}`, { fname: display });
    const createdMs = Date.parse(main.ts as string);
    const teamId = objectId(r, createdMs);
    main.teamMain = true;
    main.teamId = teamId;
    const creator = main.u as Doc;
    ds.teams.push({
      _id: teamId, name: main.name as string, type, createdAt: iso(createdMs),
      createdBy: { _id: creator._id as string, username: creator.username as string },
      _updatedAt: iso(createdMs + int(r, 20, 200)), roomId: main._id as string,
    });
    ds.teamMembers.set(teamId, new Set());
    ds.teamExtraMembers.set(teamId, int(r, 1, Math.min(200, ds.users.baseCount)));
    teamRooms.set(teamId, [main]);
  }
  return teamRooms;
}

/** Some channels and groups belong to teams (the first channel always does). */
function assignTeamRooms(gen: RoomGenerator, candidates: Doc[], forceFirst: boolean, teamRooms: Map<string, Doc[]>): void {
  const { ds, rng: r } = gen;
  if (ds.teams.length === 0) return;
  candidates.forEach((room, n) => {
    const forced = n === 0 && forceFirst; // at least one public team channel
    if (forced || chance(r, 0.25)) {
      const team = ds.teams[forced ? 0 : int(r, 0, ds.teams.length - 1)] as Doc;
      room.teamId = team._id as string;
      room.teamMain = false;
      if (chance(r, 0.3)) room.teamDefault = true;
      teamRooms.get(team._id as string)?.push(room);
    }
  });
}

const DISCUSSION_NAMES = ['Incident review', 'Budget 2025', 'Retro: sprint 42', 'Café ☕ plans', '設計レビュー'];

function discussionRooms(gen: RoomGenerator, parents: Doc[]): Doc[] {
  const { ds, rng: r } = gen;
  const discussions: Doc[] = [];
  for (let k = 0; k < ds.sizes.discussions && parents.length > 0; k++) {
    const parent = pick(r, parents);
    const ts = Math.max(Date.parse(parent.ts as string) + 60_000, gen.randomTs());
    const id = meteorId(r);
    const creator = gen.randomHuman();
    const lm = Math.min(DATA_END_MS, ts + int(r, 0, 86_400_000 * 30));
    const d: Doc = {
      _id: id, fname: `💬 ${pick(r, DISCUSSION_NAMES)}`,
      description: chance(r, 0.5) ? 'Discussion thread' : undefined,
      t: parent.t as string, prid: parent._id as string, name: id, msgs: int(r, 1, 300), usersCount: 0,
      u: ds.userRef(creator), ts: iso(ts), ro: false, default: false, sysMes: true,
      _updatedAt: iso(Math.min(DATA_END_MS, lm + 50)), lm: iso(lm),
    };
    if (d.description === undefined) delete d.description;
    if (parent.encrypted) d.encrypted = true;
    gen.extraUsers.set(id, int(r, 0, 30));
    discussions.push(d);
  }
  return discussions;
}

/** usersCount: callers subscribed + implicit members. */
function countUsers(gen: RoomGenerator): void {
  const ds = gen.ds;
  const subCount = new Map<string, number>();
  for (const s of ds.subscriptions) subCount.set(s.rid as string, (subCount.get(s.rid as string) ?? 0) + 1);
  for (const room of ds.rooms) {
    const extra = gen.extraUsers.get(room._id as string) ?? 0;
    if (room._id === 'GENERAL') room.usersCount = ds.users.baseCount;
    else if (extra >= 0) room.usersCount = extra + (subCount.get(room._id as string) ?? 0);
  }
}
