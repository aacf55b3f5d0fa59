/**
 * Message documents: the stored document of message `i` (regenerated from its plan, or the kept
 * copy of a mutated one), and what a given reader is served (normalizeMessagesForUser: `starred`
 * reduced to the reader's own star; with UI_Use_Real_Name, `u.name`, `mentions[].name` and
 * `reactions[*].names` replaced by the users' current names).
 */
import { iso } from '../data/common.js';
import type { Doc, Json } from '../mongo.js';
import { chance, int, meteorId, pick } from '../prng.js';
import { cap, decorated, planOf, softDeletedAt, type Plan } from './plan.js';
import { K, type MessageStore, type RoomSlot } from './store.js';
import { longText, markdown, NASTY, PLAIN } from './text.js';

const SYSTEM_TYPES = ['uj', 'ul', 'au', 'ru', 'room_changed_topic', 'user-muted', 'subscription-role-added', 'message_pinned', 'ujt', 'room_changed_description'];
const EMOJI = [':+1:', ':tada:', ':eyes:', ':heart:', ':joy:', ':white_check_mark:', ':flag-ch:'];

/** The stored document of message `i` (a fresh object; callers may change it). */
export function rawDoc(store: MessageStore, i: number): Doc {
  const kept = store.overrides.get(i);
  if (kept) {
    const d = structuredClone(kept);
    d._updatedAt = iso(store.upd[i] as number);
    return d;
  }
  const p = planOf(store, i);
  const slot = store.slots[store.room[i] as number] as RoomSlot;
  const kind = store.kind[i] as number;
  const ts = store.ts[i] as number;
  const doc: Doc = { _id: store.id(i), rid: slot.rid, msg: '', ts: iso(ts), u: authorRef(store, i, slot) };
  body(store, doc, i, p, kind, slot);
  doc._updatedAt = iso(store.upd[i] as number);
  if (decorated(kind) && kind !== K.RM) decorate(store, doc, p, ts, slot);
  const parent = store.parent[i] as number;
  if (parent >= 0) {
    doc.tmid = store.id(parent);
    if (p.tshow) doc.tshow = true;
  }
  const thread = store.threads.get(i);
  if (thread) {
    doc.tcount = thread.count;
    doc.tlm = iso(thread.lastTs);
    doc.replies = thread.followers.map((u) => (u < 0 ? visitorOf(store, slot)._id : store.userRef(u)._id) as string);
  }
  if (((store.flags[i] as number) & 1) !== 0) doc._hidden = true;
  return doc;
}

function visitorOf(store: MessageStore, slot: RoomSlot): Doc {
  const room = store.ds.roomById.get(slot.rid);
  const v = (room?.v as Doc | undefined) ?? { _id: 'visitor', username: 'guest', token: 'token' };
  return { _id: v._id, username: v.username, name: (room?.fname as string | undefined) ?? v.username, token: v.token };
}

function authorRef(store: MessageStore, i: number, slot: RoomSlot): Doc {
  const a = store.author[i] as number;
  if (a < 0) {
    const v = visitorOf(store, slot);
    return { _id: v._id, username: v.username, name: v.name };
  }
  return store.userRef(a);
}

function text(doc: Doc, value: string, mentions: string[] = []): void {
  doc.msg = value;
  doc.md = markdown(value, mentions);
}

function body(store: MessageStore, doc: Doc, i: number, p: Plan, kind: number, slot: RoomSlot): void {
  const r = p.rng;
  const u = doc.u as Doc;
  switch (kind) {
    case K.SYSTEM: {
      doc.t = pick(r, SYSTEM_TYPES);
      doc.msg = doc.t === 'room_changed_topic' ? pick(r, ['Weekly sync', 'Ça va? 🙂', '']) : (u.username as string);
      doc.groupable = false;
      return;
    }
    case K.LIVECHAT_START:
      doc.t = 'livechat-started';
      doc.groupable = false;
      return;
    case K.LIVECHAT_SYS: {
      const v = visitorOf(store, slot);
      doc.t = 'livechat_navigation_history';
      doc.groupable = false;
      doc.navigation = { page: { change: 'url', title: pick(r, ['Pricing', 'Preise – Übersicht', 'お問い合わせ']), location: { href: `https://example.com/p/${int(r, 1, 99)}?utm=a&b=ü` } }, token: v.token as string };
      return;
    }
    case K.VISITOR: {
      const v = visitorOf(store, slot);
      text(doc, pick(r, [...PLAIN, ...NASTY]));
      doc.token = v.token as string;
      break;
    }
    case K.DISCUSSION: {
      const d = store.discussions.get(i);
      const room = d ? store.ds.roomById.get(d.drid) : undefined;
      doc.t = 'discussion-created';
      doc.msg = (room?.fname as string | undefined) ?? 'discussion';
      doc.groupable = false;
      if (d) { doc.drid = d.drid; doc.dcount = d.dcount; doc.dlm = iso(d.dlm); }
      return;
    }
    case K.E2E:
      doc.t = 'e2e';
      doc.e2e = 'done';
      doc.content = { algorithm: 'rc.v1.aes-sha2', ciphertext: meteorId(r, 24) + '+/=' + meteorId(r, 40) };
      break;
    case K.RM: {
      const at = softDeletedAt(p, store.ts[i] as number);
      doc.t = 'rm';
      doc.urls = []; doc.mentions = []; doc.attachments = []; doc.reactions = {}; doc.channels = [];
      doc.editedAt = iso(at);
      doc.editedBy = { _id: u._id, username: u.username };
      return;
    }
    case K.HIDDEN_COPY:
      text(doc, `${pick(r, PLAIN)} (before edit)`);
      doc.parent = i > 0 ? store.id(i - 1) : store.id(i);
      return;
    case K.FILE: fileMessage(doc, p); break;
    case K.URL: {
      const url = `https://status.example.com/${meteorId(r, 6)}?q=a&r=ü`;
      text(doc, `see ${url}`);
      doc.urls = [{ url, meta: { pageTitle: pick(r, ['Status', 'Statut — ok', 'ステータス']), ogImage: 'https://status.example.com/og.png' }, headers: { contentType: 'text/html; charset=utf-8', contentLength: String(int(r, 100, 90_000)) }, parsedUrl: { host: 'status.example.com', hash: null, pathname: '/x', protocol: 'https:', port: null, query: 'q=a&r=%C3%BC', search: '?q=a&r=%C3%BC', hostname: 'status.example.com' } }];
      break;
    }
    case K.QUOTE: {
      const quoted = pick(r, PLAIN);
      text(doc, pick(r, ['exactly', '^ this', 'why?']));
      doc.attachments = [{ text: quoted, md: markdown(quoted), message_link: `https://chat.example.com/channel/x?msg=${meteorId(r)}`, author_name: 'someone', author_icon: '/avatar/someone', ts: iso(store.ts[i] as number - 60_000), attachments: [] }];
      break;
    }
    case K.INTEGRATION:
      text(doc, pick(r, ['Build #1234 passed ✅', 'Deploy to prod started', 'Alert: disk 91 % full']));
      doc.alias = pick(r, ['CI', 'Jenkins 🤖', 'Grafana']);
      doc.avatar = 'https://example.com/bot.png';
      doc.emoji = ':robot:';
      doc.bot = { i: meteorId(r) };
      doc.attachments = [{ color: '#2de0a5', title: 'Pipeline', title_link: 'https://ci.example.com/1234', text: 'All *24* jobs green', fields: [{ short: true, title: 'Branch', value: 'main' }] }];
      break;
    case K.LONG: text(doc, longText(r, 20_000)); break;
    case K.NASTY: text(doc, pick(r, NASTY)); break;
    case K.NASTY_FIXED: text(doc, NASTY[i % NASTY.length] as string); break;
    default: {
      const base = pick(r, PLAIN);
      if (p.mention >= 0 && (slot.authors[p.mention] as number) >= 0) {
        const who = store.userRef(slot.authors[p.mention] as number);
        const un = (who.username as string | undefined) ?? 'nobody';
        text(doc, `@${un} ${base}`, [un]);
        doc.mentions = [who.name === undefined ? { _id: who._id, username: un, type: 'user' } : { _id: who._id, username: un, name: who.name, type: 'user' }];
      } else if (p.mention === -2 || p.mention === -3) {
        const which = p.mention === -2 ? 'all' : 'here';
        text(doc, `@${which} ${base}`, [which]);
        doc.mentions = [{ _id: which, username: which, type: 'user' }];
      } else text(doc, base);
      if (p.channel >= 0) {
        const c = store.publicRooms[p.channel] as { _id: string; name: string };
        doc.msg = `${doc.msg as string} #${c.name}`;
        doc.md = markdown(doc.msg as string);
        doc.channels = [{ _id: c._id, name: c.name }];
      }
    }
  }
  doc.urls ??= [];
  doc.mentions ??= [];
  doc.channels ??= [];
  if (chance(r, 0.02)) doc.customFields = { ticket: `T-${int(r, 1, 9999)}`, nested: { ok: true, list: [1, 'two', null] } };
}

function fileMessage(doc: Doc, p: Plan): void {
  const r = p.rng;
  const fid = meteorId(r);
  const tid = meteorId(r);
  const [name, type, group] = pick(r, [['diagram.png', 'image/png', 'image'], ['Résumé final (v2).pdf', 'application/pdf', 'application'], ['voice memo.m4a', 'audio/mp4', 'audio'], ['写真.jpg', 'image/jpeg', 'image']] as const);
  const size = int(r, 1_000, 20_000_000);
  const file = { _id: fid, name, type, size, format: name.split('.').pop() as string, typeGroup: group };
  doc.msg = '';
  doc.groupable = false;
  doc.file = file;
  doc.files = group === 'image' ? [file, { _id: tid, name: `thumb-${name}`, type, size: int(r, 500, 9_000), format: file.format, typeGroup: group }] : [file];
  const att: Doc = { type: 'file', fileId: fid, title: name, title_link: `/file-upload/${fid}/${encodeURIComponent(name)}`, title_link_download: true };
  if (group === 'image') Object.assign(att, { image_url: `/file-upload/${tid}/${encodeURIComponent(name)}`, image_type: type, image_size: size, image_dimensions: { width: int(r, 16, 4000), height: int(r, 16, 4000) }, image_preview: '/9j/4AAQSkZJRgABAQAAAQABAAD' });
  else if (group === 'audio') Object.assign(att, { audio_url: `/file-upload/${fid}/x.m4a`, audio_type: type, audio_size: size });
  if (chance(r, 0.5)) { att.description = 'descripción — ✓'; att.descriptionMd = markdown('descripción — ✓'); }
  doc.attachments = [att];
}

function decorate(store: MessageStore, doc: Doc, p: Plan, ts: number, slot: RoomSlot): void {
  const ref = (k: number): Doc => { const a = slot.authors[k] as number; return a < 0 ? { _id: 'visitor', username: 'visitor' } : store.userRef(a); };
  if (p.editDelay > 0) {
    const e = ref(0);
    doc.editedAt = iso(cap(ts + p.editDelay));
    doc.editedBy = doc.t === 'e2e' || chance(p.rng, 0.8) ? { _id: (doc.u as Doc)._id, username: (doc.u as Doc).username } : { _id: e._id, username: e.username };
  }
  if (p.reactors.length > 0) {
    const reactions: Record<string, Json> = {};
    p.reactors.forEach((k, n) => {
      const emoji = EMOJI[(k + n) % EMOJI.length] as string;
      const un = ref(k).username as string | undefined;
      if (un === undefined) return;
      const entry = (reactions[emoji] ?? { usernames: [] }) as { usernames: string[] };
      if (!entry.usernames.includes(un)) entry.usernames.push(un);
      reactions[emoji] = entry;
    });
    doc.reactions = reactions;
  }
  if (p.pinDelay > 0) {
    const by = ref(p.reactors[0] ?? 0);
    doc.pinned = true;
    doc.pinnedAt = iso(cap(ts + p.pinDelay));
    doc.pinnedBy = { _id: by._id, username: by.username };
  }
  if (p.starrers.length > 0) {
    const ids = [...new Set(p.starrers.map((k) => ref(k)._id as string))];
    doc.starred = ids.map((_id) => ({ _id }));
  }
}

/** What `readerId` is served for a stored document (normalizeMessagesForUser). */
export function normalise(store: MessageStore, doc: Doc, readerId: string): Doc {
  if (Array.isArray(doc.starred)) doc.starred = (doc.starred as Doc[]).filter((s) => s._id === readerId);
  if (!store.settings.UI_Use_Real_Name) return doc;
  const users = store.ds.users;
  const nameOf = (id: unknown): string | undefined => {
    if (typeof id !== 'string') return undefined;
    const k = users.indexOf(id);
    return k < 0 ? undefined : (store.userRef(k).name as string | undefined);
  };
  const u = doc.u as Doc | undefined;
  if (u && users.indexOf(u._id as string) >= 0) {
    const name = nameOf(u._id);
    if (name === undefined) delete u.name; else u.name = name;
  }
  if (Array.isArray(doc.mentions)) {
    for (const m of doc.mentions as Doc[]) {
      const name = nameOf(m._id);
      if (name !== undefined) m.name = name;
    }
  }
  if (doc.reactions && typeof doc.reactions === 'object') {
    for (const entry of Object.values(doc.reactions as Record<string, Doc>)) {
      entry.names = ((entry.usernames as string[] | undefined) ?? []).map((un) => nameByUsername(store, un) ?? un);
    }
  }
  return doc;
}

function nameByUsername(store: MessageStore, username: string): string | undefined {
  const k = store.userByUsername(username);
  return k < 0 ? undefined : (store.userRef(k).name as string | undefined);
}

/** The document `readerId` is served for message `i`. */
export function servedDoc(store: MessageStore, i: number, readerId: string): Doc {
  return normalise(store, rawDoc(store, i), readerId);
}
